package io.gptedit.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.geometry.AspectPreset;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.index.DatasetIndex;
import io.gptedit.data.index.TrainingBatches;
import io.gptedit.data.index.TrainingSet;
import io.gptedit.data.shards.ShardWriter;
import io.gptedit.data.synthetic.EditOp;
import io.gptedit.data.synthetic.Scene;
import io.gptedit.data.synthetic.SyntheticSample;
import io.gptedit.data.synthetic.SyntheticWorld;
import io.gptedit.models.conditioning.TextFusion;
import io.gptedit.models.editor.DiffusionEditor;
import io.gptedit.models.editor.Paradigm;
import io.gptedit.models.editor.Resolution;
import io.gptedit.models.editor.SamplingConfig;
import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.text.WordHashTextEncoder;
import io.gptedit.models.train.EditBatchSource;
import io.gptedit.models.train.EditCollator;
import io.gptedit.models.train.EditFineTuning;
import io.gptedit.models.train.EditSample;
import io.gptedit.models.train.EditorCheckpoint;
import io.gptedit.models.train.EditorSpec;
import io.gptedit.models.train.FineTuneListener;
import io.gptedit.models.vae.AutoencoderKL;
import io.gptedit.models.vae.VaeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same path as the lab with a tiny {@link AutoencoderKL} instead of the pixel codec, at two aspect buckets (1:1
 * at 16x16 and 3:2 at 24x16): shards -> dataset index -> aspect-bucketed batches -> fine-tuning in latent space ->
 * checkpoint -> editor -> a benchmark report.
 */
class LatentPathTest {
  @TempDir Path tmp;

  @BeforeAll
  static void headless() {
    System.setProperty("java.awt.headless", "true");
  }

  @Test
  void aTinyVaeEditorTrainsAtTwoAspectBucketsFromShardsToABenchmarkReport() throws Exception {
    // Shards of synthetic triplets at two aspect ratios, their ground truth in the metadata.
    Path shards = tmp.resolve("shards");
    SyntheticWorld world = SyntheticWorld.builder(5).optComplexityWeights(1, 0, 0).optPatternShare(0).build();
    List<EditTriplet> heldOut = new ArrayList<>();
    int written = 0;
    try (ShardWriter w = ShardWriter.builder(shards, "mixed").build()) {
      SplittableRandom r = new SplittableRandom(9);
      for (long i = 0; written < 40; i++) {
        boolean wide = i % 2 == 0;
        Scene scene = world.randomScene(r, wide ? 24 : 16, 16);
        List<EditOp> program = world.randomProgram(scene, 1, r);
        SyntheticSample s = world.build(i, scene, program, r.nextInt(4));
        if (s.mask().count() == 0) {
          continue;
        }
        if (written < 4) {
          heldOut.add(s.toTriplet());
        } else {
          w.write(s.toTriplet());
        }
        written++;
      }
    }
    TrainingBatches batches;
    try (DatasetIndex index = DatasetIndex.build(shards)) {
      assertThat(index.countsBy(DatasetIndex.Column.PRESET, DatasetIndex.Filter.ALL)).hasSize(2);
      batches = TrainingBatches.builder().optBatchSize(4).optSeed(3).build(index);
    }
    TrainingSet set = new TrainingSet(shards, batches).preload();
    Map<AspectPreset, Size> bucketSizes = Map.of(AspectPreset.SQUARE, new Size(16, 16), AspectPreset.LANDSCAPE, new Size(24, 16));

    // A tiny Kontext editor over a tiny VAE (4 latent channels, factor 2), the VAE referenced by file and hash.
    Path vaeFile = tmp.resolve("vae.safetensors");
    try (AutoencoderKL vae = AutoencoderKL.random(VaeConfig.tiny(), 4)) {
      vae.parameters().save(vaeFile, Map.of());
    }
    EditorSpec spec =
        new EditorSpec(
            Paradigm.KONTEXT,
            EditorSpec.Backbone.flux(new FluxConfig(16, 16, 1, 1, 2, 16, 32, 32, false, new int[] {4, 6, 6}, 10000, 2), 1),
            1, true, null, EditorSpec.Codec.vae(VaeConfig.tiny(), vaeFile),
            new EditorSpec.Text(TextFusion.Config.t5Only(32, 32), 2, new WordHashTextEncoder(8, 32, 3), null, null),
            SamplingConfig.unguided(2), Resolution.FLOOR_TO_MULTIPLE);
    Map<AspectPreset, Integer> bucketsSeen = new HashMap<>();
    Path run = tmp.resolve("run");
    try (EditorSpec.Parts parts = spec.build(EditorSpec.NO_EXTERNALS)) {
      EditCollator collator = new EditCollator(parts.codec(), parts.denoiser(), parts.text(), 100);
      EditBatchSource source = (step, micro) -> {
        AspectPreset bucket = set.bucket(step);
        bucketsSeen.merge(bucket, 1, Integer::sum);
        List<EditSample> samples = new ArrayList<>();
        for (EditTriplet t : set.batch(step)) {
          samples.add(LabData.sample(t));
        }
        return new EditBatchSource.MicroBatch(samples, bucketSizes.get(bucket));
      };
      EditFineTuning.Result r =
          EditFineTuning.run(
              EditLab.recipe(EditLabTest.tinyBuilder(tmp).optSteps(12).optWarmup(1).optCheckpointEvery(0).build()),
              parts.denoiser(), parts.text(), collator, source, spec, run, false, Map.of(), "{}", FineTuneListener.NONE);
      assertThat(r.metrics()).hasSize(12).allMatch(m -> Double.isFinite(m.loss()));
    }
    assertThat(bucketsSeen).containsOnlyKeys(AspectPreset.SQUARE, AspectPreset.LANDSCAPE);

    // Checkpoint -> editor -> benchmark report, at the samples' own sizes.
    HeldOutBenchmark bench = new HeldOutBenchmark(tmp.resolve("heldout"), heldOut, 32);
    try (DiffusionEditor editor = EditorCheckpoint.load(run)) {
      assertThat(editor.codec()).isInstanceOf(AutoencoderKL.class);
      HeldOutBenchmark.Scores scores = bench.score(editor, "vae-kontext", EditOptions.builder().optSeed(1).optSteps(2).build());
      assertThat(scores.outputs()).hasSize(4);
      assertThat(scores.outputs().get(0).width()).isEqualTo(heldOut.get(0).input().width());
      assertThat(scores.outputs().get(1).width()).isEqualTo(heldOut.get(1).input().width());
      assertThat(scores.overall()).containsKeys("IF", "IP", "PSNR", "MAE");
    }
    assertThat(tmp.resolve("heldout/reports/vae-kontext")).isDirectory();
    try (var files = Files.list(tmp.resolve("heldout/reports/vae-kontext"))) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).anyMatch(n -> n.endsWith(".json"));
    }
  }
}
