package io.gptedit.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.gptedit.core.GpteditException;
import io.gptedit.core.geometry.AspectPreset;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.quality.QualityVerdict;
import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.shards.ShardWriter;
import io.gptedit.data.synthetic.EditOp;
import io.gptedit.data.synthetic.Scene;
import io.gptedit.data.synthetic.SyntheticSample;
import io.gptedit.data.synthetic.SyntheticWorld;
import io.gptedit.models.editor.DiffusionEditor;
import io.gptedit.models.nn.DeviceException;
import io.gptedit.models.train.EditorCheckpoint;
import io.gptedit.models.train.FineTuneListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ShardTraining}: shard folder -> aspect buckets -> cached text encodings -> a run folder an editor loads. */
class ShardTrainingTest {
  @TempDir Path tmp;

  /** Writes {@code n} accepted single-edit synthetic triplets, alternately 12x8 (3:2) and 8x8, their truth in the metadata. */
  static Path shards(Path dir, int n) {
    SyntheticWorld world = SyntheticWorld.builder(5).optComplexityWeights(1, 0, 0).optPatternShare(0).build();
    try (ShardWriter w = ShardWriter.builder(dir, "mixed").build()) {
      SplittableRandom r = new SplittableRandom(9);
      for (long i = 0, written = 0; written < n; i++) {
        Scene scene = world.randomScene(r, i % 2 == 0 ? 12 : 8, 8);
        List<EditOp> program = world.randomProgram(scene, 1, r);
        SyntheticSample s = world.build(i, scene, program, r.nextInt(4));
        if (s.mask().count() > 0) {
          EditTriplet t = s.toTriplet();
          w.write(new EditTriplet(t.id(), t.input(), t.instruction(), t.edited(),
              t.metadata().toBuilder().optQuality(QualityVerdict.ACCEPTED).build()));
          written++;
        }
      }
    }
    return dir;
  }

  @Test
  void aPresetTrainsOnBothAspectBucketsAndTheRunFolderLoadsAsAnEditor() {
    Path data = shards(tmp.resolve("shards"), 16);
    LabConfig recipe =
        EditLabTest.tinyBuilder(tmp.resolve("run")).optSteps(4).optWarmup(1).optCheckpointEvery(2).build();
    ShardTraining training = ShardTraining.builder(data, recipe).build();

    assertThat(training.samples()).isEqualTo(16);
    assertThat(training.buckets())
        .containsEntry(AspectPreset.SQUARE, new Size(8, 8))
        .containsEntry(AspectPreset.LANDSCAPE, new Size(12, 8))
        .containsEntry(AspectPreset.PORTRAIT, new Size(8, 12));
    ShardTraining.Result r = training.train(FineTuneListener.NONE);

    assertThat(r.run().metrics()).hasSize(4).allMatch(m -> Double.isFinite(m.loss()));
    assertThat(r.embeddingsRead()).isZero();
    assertThat(tmp.resolve("run/checkpoints/step-000000002")).isDirectory();
    try (DiffusionEditor editor = EditorCheckpoint.load(tmp.resolve("run"))) {
      assertThat(editor.name()).isNotBlank();
    }
  }

  @Test
  void theEmbeddingFolderIsCountedFilledOnceAndThenReadByTraining() {
    Path data = shards(tmp.resolve("shards"), 12);
    LabConfig recipe = EditLabTest.tinyBuilder(tmp.resolve("run")).optSteps(3).optWarmup(1).build();
    ShardTraining training =
        ShardTraining.builder(data, recipe).optEmbeddings(tmp.resolve("embeddings")).optPreload(true).build();

    ShardTraining.EmbeddingCoverage before = training.embeddingCoverage();
    assertThat(before.stored()).isZero();
    assertThat(before.missing()).isEqualTo(12);
    assertThat(before.buckets()).containsOnlyKeys(AspectPreset.SQUARE, AspectPreset.LANDSCAPE);
    assertThat(before.storable()).isTrue();

    ShardTraining.EmbeddingFill fill = training.fillEmbeddings();
    assertThat(fill.read()).isZero();
    assertThat(fill.computed()).isPositive();
    ShardTraining.EmbeddingCoverage after = training.embeddingCoverage();
    assertThat(after.stored()).isEqualTo(12);
    assertThat(after.missing()).isZero();

    ShardTraining.Result r = training.train(FineTuneListener.NONE);
    assertThat(r.embeddingsComputed()).isZero();
    assertThat(r.embeddingsRead()).isPositive();
  }

  @Test
  void onlyEmbeddedTrainsOnTheSamplesTheStoreHoldsAndRunsNoEncoder() {
    Path data = shards(tmp.resolve("shards"), 16);
    Path store = tmp.resolve("embeddings");
    // One step of batch 4 stores the encodings of that batch's samples only.
    ShardTraining.Result first = ShardTraining.builder(data, EditLabTest.tinyBuilder(tmp.resolve("first")).optSteps(1).optWarmup(0).build())
        .optEmbeddings(store).build().train(FineTuneListener.NONE);
    ShardTraining only =
        ShardTraining.builder(data, EditLabTest.tinyBuilder(tmp.resolve("only")).optSteps(5).optWarmup(1).build())
            .optEmbeddings(store).optOnlyEmbedded(true).build();
    ShardTraining.EmbeddingCoverage c = only.embeddingCoverage();
    assertThat(c.stored()).isEqualTo(first.embeddingsComputed()).isBetween(1L, 4L);
    assertThat(c.stored() + c.missing()).isEqualTo(16);

    ShardTraining.Result r = only.train(FineTuneListener.NONE);
    assertThat(r.run().metrics()).hasSize(5);
    assertThat(r.embeddingsComputed()).as("no encoder ran").isZero();
    assertThat(r.embeddingsRead()).isPositive();
  }

  @Test
  void onlyEmbeddedWithAnEmptyStoreIsRefusedNamingTheFolder() {
    Path data = shards(tmp.resolve("shards"), 4);
    ShardTraining only = ShardTraining.builder(data, EditLabTest.tinyBuilder(tmp.resolve("run")).build())
        .optEmbeddings(tmp.resolve("embeddings")).optOnlyEmbedded(true).build();
    assertThatThrownBy(() -> only.train(FineTuneListener.NONE)).isInstanceOf(GpteditException.class)
        .hasMessageContaining("embeddings").hasMessageContaining("--embed-only");
  }

  @Test
  void aGpuTheEngineDoesNotHaveIsRefusedBeforeTheShardsAreIndexed() {
    Device gpu = Device.gpu(Engine.getInstance().getGpuCount());
    LabConfig recipe = EditLabTest.tinyBuilder(tmp.resolve("run")).build();
    // The shard folder does not exist: refusing it would be a different error.
    assertThatThrownBy(() -> ShardTraining.builder(tmp.resolve("no-shards"), recipe).optDevice(gpu))
        .isInstanceOf(DeviceException.class)
        .hasMessageStartingWith("gpu:" + Engine.getInstance().getGpuCount() + " is not available");
  }

  @Test
  void aFolderWithoutAcceptedSamplesIsRefusedNamingIt() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    LabConfig recipe = EditLabTest.tinyBuilder(tmp.resolve("run")).build();
    assertThatThrownBy(() -> ShardTraining.builder(empty, recipe).build())
        .isInstanceOf(GpteditException.class)
        .hasMessageContaining(empty.toString());
  }

  @Test
  void embeddingCountsWithoutAnEmbeddingFolderAreAnError() {
    Path data = shards(tmp.resolve("shards"), 4);
    ShardTraining training = ShardTraining.builder(data, EditLabTest.tinyBuilder(tmp.resolve("run")).build()).build();
    assertThatThrownBy(training::embeddingCoverage).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("optEmbeddings");
  }
}
