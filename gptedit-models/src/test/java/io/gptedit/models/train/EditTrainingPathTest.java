package io.gptedit.models.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.editor.ImageEditor;
import io.gptedit.models.Editors;
import io.gptedit.core.GpteditException;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.EditMask;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.conditioning.PooledPatchEncoder;
import io.gptedit.models.conditioning.TextFusion;
import io.gptedit.models.editor.DiffusionEditor;
import io.gptedit.models.editor.Paradigm;
import io.gptedit.models.editor.Resolution;
import io.gptedit.models.editor.SamplingConfig;
import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.text.WordHashTextEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The edit-training path end to end at tiny size, for every paradigm: a spec builds the editor, {@link
 * EditFineTuning} trains it on the {@link EditObjective} through the paradigm's own denoiser, and {@link
 * EditorCheckpoint} loads the checkpoint back into an editor that samples exactly as the in-memory model does.
 */
class EditTrainingPathTest {
  static final int SIDE = 8;
  @TempDir Path tmp;

  /** A tiny editor spec of a paradigm over pixels (2x2-packed RGB tokens, so 12 channels per token). */
  static EditorSpec spec(Paradigm paradigm) {
    int in = paradigm == Paradigm.CHANNEL_WISE ? 24 : 12;
    FluxConfig flux = new FluxConfig(in, 12, 1, 1, 2, 16, 32, 32, false, new int[] {4, 6, 6}, 10000, 2);
    WordHashTextEncoder words = new WordHashTextEncoder(8, 32, 77);
    EditorSpec.Vision vision =
        paradigm == Paradigm.SIGLIP_TOKEN ? new EditorSpec.Vision(new PooledPatchEncoder(2, 16, 5), null, 16, 24, 9) : null;
    return new EditorSpec(
        paradigm, EditorSpec.Backbone.flux(flux, 11), 1, true, vision, EditorSpec.Codec.pixel(),
        new EditorSpec.Text(TextFusion.Config.t5Only(32, 32), 3, words, null, null),
        SamplingConfig.unguided(2), Resolution.FLOOR_TO_MULTIPLE);
  }

  /** Samples: a grey-ish random background and a square that the instruction names by colour and corner. */
  static List<EditSample> samples(int n, long seed) {
    String[] colours = {"red", "green", "blue"};
    int[] rgb = {0xE02020, 0x20C020, 0x2040E0};
    String[] corners = {"top left", "bottom right"};
    List<EditSample> out = new ArrayList<>();
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < n; i++) {
      byte[] px = new byte[SIDE * SIDE * 3];
      int g = 90 + r.nextInt(60);
      for (int p = 0; p < SIDE * SIDE; p++) {
        px[3 * p] = px[3 * p + 1] = px[3 * p + 2] = (byte) (g + r.nextInt(9));
      }
      RgbImage input = RgbImage.of(SIDE, SIDE, px);
      int c = r.nextInt(3);
      int k = r.nextInt(2);
      byte[] t = px.clone();
      for (int y = 0; y < 3; y++) {
        for (int x = 0; x < 3; x++) {
          int yy = k == 0 ? y : SIDE - 1 - y;
          int xx = k == 0 ? x : SIDE - 1 - x;
          int p = 3 * (yy * SIDE + xx);
          t[p] = (byte) (rgb[c] >> 16);
          t[p + 1] = (byte) (rgb[c] >> 8);
          t[p + 2] = (byte) rgb[c];
        }
      }
      RgbImage target = RgbImage.of(SIDE, SIDE, t);
      out.add(new EditSample(
          "s" + i, input, target, "paint a " + colours[c] + " square in the " + corners[k],
          EditMask.between(input, target)));
    }
    return out;
  }

  static EditFineTuning.Config recipe(long steps, EditObjective.Loss loss) {
    return new EditFineTuning.Config(
        steps, 4, 1, 3e-3, Math.min(1, steps - 1), 0.1, new AdamWOptimizer(0.9, 0.99, 1e-8, 0), 1.0, 0, 21, 0,
        ParameterSelection.all(),
        new EditObjective.Config(loss, 0.5, io.gptedit.models.flow.TimestepSampling.Density.LOGIT_NORMAL, 1, 1, false, 1,
            0));
  }

  /** Trains a spec's editor on the samples; returns the result, leaving the trained parts open. */
  static EditFineTuning.Result train(
      EditorSpec spec, EditorSpec.Parts parts, List<EditSample> data, long steps, Path run, EditObjective.Loss loss) {
    EditCollator collator = new EditCollator(parts.codec(), parts.denoiser(), parts.text(), 100);
    EditBatchSource source = (step, micro) -> {
      List<EditSample> b = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        b.add(data.get((int) ((step * 4 + i) % data.size())));
      }
      return new EditBatchSource.MicroBatch(b, new Size(SIDE, SIDE));
    };
    return EditFineTuning.run(
        recipe(steps, loss), parts.denoiser(), parts.text(), collator, source, spec, run, false, Map.of("data", "test"),
        "{\"test\":\"edit-training-path\"}", FineTuneListener.NONE);
  }

  @ParameterizedTest
  @EnumSource(Paradigm.class)
  void aCheckpointLoadsIntoAnEditorThatEditsBitIdenticallyToTheInMemoryModel(Paradigm paradigm) {
    EditorSpec spec = spec(paradigm);
    List<EditSample> data = samples(12, 3);
    Path run = tmp.resolve("run-" + paradigm.tag());
    EditOptions seed = EditOptions.builder().optSeed(5).build();
    List<RgbImage> inMemory = new ArrayList<>();
    List<RgbImage> untrained = new ArrayList<>();
    try (DiffusionEditor fresh = spec.build(EditorSpec.NO_EXTERNALS).editor(spec, "fresh")) {
      for (EditSample s : data.subList(0, 4)) {
        untrained.add(fresh.edit(s.input(), s.instruction(), seed));
      }
    }
    EditorSpec.Parts parts = spec.build(EditorSpec.NO_EXTERNALS);
    try (DiffusionEditor trained = parts.editor(spec, "trained")) {
      EditFineTuning.Result r = train(spec, parts, data, 6, run, EditObjective.Loss.MASK_BALANCED);
      assertThat(r.metrics()).hasSize(6).allMatch(m -> Double.isFinite(m.loss()) && !m.skipped());
      for (EditSample s : data.subList(0, 4)) {
        inMemory.add(trained.edit(s.input(), s.instruction(), seed));
      }
    }
    assertThat(Files.isRegularFile(run.resolve(EditorCheckpoint.SPEC_FILE))).isTrue();
    assertThat(EditorCheckpoint.readSpec(run)).isEqualTo(spec);
    try (DiffusionEditor loaded = EditorCheckpoint.load(run)) {
      assertThat(loaded.denoiser().paradigm()).isEqualTo(paradigm);
      for (int i = 0; i < 4; i++) {
        EditSample s = data.get(i);
        RgbImage again = loaded.edit(s.input(), s.instruction(), seed);
        assertThat(again).as("sample %s", i).isEqualTo(inMemory.get(i));
      }
    }
    // The same checkpoint through the one-string factory the CLI uses.
    try (ImageEditor viaSpec = Editors.open("checkpoint:" + run)) {
      EditSample s = data.get(0);
      assertThat(viaSpec.edit(s.input(), s.instruction(), seed)).isEqualTo(inMemory.get(0));
    }
    // Training changed the edits (so the equality above is not the untrained model's).
    assertThat(inMemory).isNotEqualTo(untrained);
  }

  @ParameterizedTest
  @EnumSource(Paradigm.class)
  void eachParadigmsLossFallsOnAFixedSeed(Paradigm paradigm) {
    EditorSpec spec = spec(paradigm);
    try (EditorSpec.Parts parts = spec.build(EditorSpec.NO_EXTERNALS)) {
      EditFineTuning.Result r =
          train(spec, parts, samples(16, 4), 60, tmp.resolve("loss-" + paradigm.tag()), EditObjective.Loss.MSE);
      double first = r.metrics().subList(0, 5).stream().mapToDouble(StepMetrics::loss).average().orElseThrow();
      double last = r.metrics().subList(55, 60).stream().mapToDouble(StepMetrics::loss).average().orElseThrow();
      assertThat(last).as("%s: first %s, last %s", paradigm, first, last).isLessThan(first * 0.7);
    }
  }

  @org.junit.jupiter.api.Test
  void aCheckpointOfAnotherArchitectureIsRefusedNamingTheTensors() {
    EditorSpec spec = spec(Paradigm.KONTEXT);
    Path run = tmp.resolve("kontext");
    try (EditorSpec.Parts parts = spec.build(EditorSpec.NO_EXTERNALS)) {
      train(spec, parts, samples(8, 1), 1, run, EditObjective.Loss.MSE);
    }
    EditorSpec other = spec(Paradigm.SIGLIP_TOKEN);
    EditorCheckpoint.writeSpec(run, other); // the spec no longer describes the weights
    assertThatThrownBy(() -> EditorCheckpoint.load(run))
        .isInstanceOf(GpteditException.class)
        .hasMessageContaining("does not fit the editor spec")
        .hasMessageContaining("siglip_projector.0.weight");
    assertThatThrownBy(() -> EditorCheckpoint.load(tmp.resolve("nowhere")))
        .isInstanceOf(GpteditException.class)
        .hasMessageContaining("editor.json");
  }
}
