package io.gptedit.models.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.codec.LatentCodec;
import io.gptedit.models.conditioning.MllmHiddenStates;
import io.gptedit.models.conditioning.QueryingMllm;
import io.gptedit.models.conditioning.TextConditioning;
import io.gptedit.models.conditioning.TextFusion;
import io.gptedit.models.editor.DiffusionEditor;
import io.gptedit.models.editor.EditDenoiser;
import io.gptedit.models.editor.Paradigm;
import io.gptedit.models.editor.Resolution;
import io.gptedit.models.editor.SamplingConfig;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.sd3.Sd3Config;
import io.gptedit.models.text.WordHashTextEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Mixed precision through the library's edit-training path: {@link EditFineTuning#run} with {@link Precision#FP16}
 * runs each paradigm's denoiser and the fusion's connector over the trainer's float16 copies, tracks the float32
 * run's losses, trains checkpoints that load and edit, and refuses up front what cannot run in float16.
 */
class Fp16EditTrainingTest {
  private static final int STEPS = 6;
  /** fp16 losses stay within this fraction of the fp32 run's, step by step. */
  private static final double TOLERANCE = 0.01;

  @TempDir Path tmp;

  /** A denoiser that records the type of every velocity it (or a view of it) predicts, delegating the rest. */
  private static final class RecordingDenoiser implements EditDenoiser {
    private final EditDenoiser inner;
    private final List<DataType> velocityTypes;

    RecordingDenoiser(EditDenoiser inner, List<DataType> velocityTypes) {
      this.inner = inner;
      this.velocityTypes = velocityTypes;
    }

    @Override
    public Paradigm paradigm() {
      return inner.paradigm();
    }

    @Override
    public int latentChannels() {
      return inner.latentChannels();
    }

    @Override
    public int patchSize() {
      return inner.patchSize();
    }

    @Override
    public Map<String, NDArray> parameters() {
      return inner.parameters();
    }

    @Override
    public EditDenoiser withParameters(Map<String, NDArray> replacements) {
      return new RecordingDenoiser(inner.withParameters(replacements), velocityTypes);
    }

    @Override
    public NDArray encodeCondition(RgbImage image, NDArray pixels, LatentCodec codec, NDManager manager) {
      return inner.encodeCondition(image, pixels, codec, manager);
    }

    @Override
    public NDArray velocity(
        NDArray noisy, NDArray condition, TextConditioning text, float[] t, float[] guidance, NDManager manager) {
      NDArray v = inner.velocity(noisy, condition, text, t, guidance, manager);
      velocityTypes.add(v.getDataType());
      return v;
    }

    @Override
    public boolean guidanceEmbedded() {
      return inner.guidanceEmbedded();
    }

    @Override
    public void close() {
      // the parts own the wrapped denoiser
    }
  }

  /** An MLLM whose hidden states are a fixed function of the instruction (a stand-in for the frozen encoder). */
  private static final class HashedMllm implements MllmHiddenStates {
    private final int dim;

    HashedMllm(int dim) {
      this.dim = dim;
    }

    @Override
    public NDArray hiddenStates(RgbImage image, String instruction, NDManager manager) {
      String[] words = instruction.split(" ");
      float[] out = new float[words.length * dim];
      for (int i = 0; i < words.length; i++) {
        SplittableRandom r = new SplittableRandom(words[i].hashCode());
        for (int j = 0; j < dim; j++) {
          out[i * dim + j] = (float) (r.nextDouble() * 2 - 1);
        }
      }
      return manager.create(out, new Shape(1, words.length, dim));
    }
  }

  private record Run(
      List<StepMetrics> metrics, List<DataType> velocityTypes, Map<String, float[]> before,
      Map<String, float[]> after) {}

  private static EditBatchSource source(List<EditSample> data) {
    return (step, micro) -> {
      List<EditSample> b = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        b.add(data.get((int) ((step * 4 + i) % data.size())));
      }
      return new EditBatchSource.MicroBatch(b, new Size(EditTrainingPathTest.SIDE, EditTrainingPathTest.SIDE));
    };
  }

  /** Trains a spec's editor (with another fusion, if given) in a precision, recording the velocity types. */
  private Run train(EditorSpec spec, TextFusion fusion, Precision precision, Path run) {
    List<DataType> types = new ArrayList<>();
    try (EditorSpec.Parts parts = spec.build(EditorSpec.NO_EXTERNALS)) {
      TextFusion text = fusion == null ? parts.text() : fusion;
      EditDenoiser recording = new RecordingDenoiser(parts.denoiser(), types);
      EditCollator collator = new EditCollator(parts.codec(), parts.denoiser(), text, 100);
      Map<String, float[]> before = new LinkedHashMap<>();
      EditFineTuning.parameters(parts.denoiser(), text).forEach((n, a) -> before.put(n, a.toFloatArray()));
      EditFineTuning.Result r =
          EditFineTuning.run(
              EditTrainingPathTest.recipe(STEPS, EditObjective.Loss.MSE).withPrecision(precision), recording, text,
              collator, source(EditTrainingPathTest.samples(12, 3)), fusion == null ? spec : null, run, false,
              Map.of("data", "test"), "{\"test\":\"fp16\"}", FineTuneListener.NONE);
      Map<String, float[]> after = new LinkedHashMap<>();
      EditFineTuning.parameters(parts.denoiser(), text).forEach((n, a) -> after.put(n, a.toFloatArray()));
      return new Run(r.metrics(), types, before, after);
    }
  }

  private static void assertTracks(Run fp16, Run fp32, String what) {
    assertThat(fp32.metrics()).hasSize(STEPS);
    assertThat(fp16.metrics()).hasSize(STEPS);
    for (int i = 0; i < STEPS; i++) {
      StepMetrics h = fp16.metrics().get(i);
      double l32 = fp32.metrics().get(i).loss();
      assertThat(Double.isFinite(h.loss())).as("%s step %s loss %s", what, i, h.loss()).isTrue();
      assertThat(h.skipped()).as("%s step %s skipped (loss-scale overflow)", what, i).isFalse();
      assertThat(h.loss()).as("%s step %s", what, i).isCloseTo(l32, within(TOLERANCE * l32));
    }
  }

  @ParameterizedTest
  @EnumSource(Paradigm.class)
  void fp16TrainingRunsEachParadigmsDenoiserInFloat16AndTracksTheFp32LossesWithinOnePercent(Paradigm paradigm) {
    EditorSpec spec = EditTrainingPathTest.spec(paradigm);
    Run fp32 = train(spec, null, Precision.FP32, tmp.resolve("fp32"));
    Run fp16 = train(spec, null, Precision.FP16, tmp.resolve("fp16"));

    assertThat(fp32.velocityTypes()).hasSize(STEPS).containsOnly(DataType.FLOAT32);
    assertThat(fp16.velocityTypes()).hasSize(STEPS).containsOnly(DataType.FLOAT16);
    assertTracks(fp16, fp32, paradigm.tag());
    // The float32 masters trained (the gradients of the float16 copies reached them), about as far as in fp32.
    assertMastersMovedLikeFp32(fp16, fp32, fp32.after().keySet());
  }

  @Test
  void fp16TrainingRunsTheSd3ChannelWiseDenoiserInFloat16AndTracksTheFp32Losses() {
    Sd3Config sd3 = new Sd3Config(8, 2, 6, 3, 2, 2, 8, 32, 16, 32, 16);
    EditorSpec spec =
        new EditorSpec(
            Paradigm.CHANNEL_WISE, EditorSpec.Backbone.sd3(sd3, 11), 1, true, null, EditorSpec.Codec.pixel(),
            new EditorSpec.Text(TextFusion.Config.t5Only(32, 32), 3, new WordHashTextEncoder(8, 32, 77), null, null),
            SamplingConfig.unguided(2), Resolution.FLOOR_TO_MULTIPLE);
    Run fp32 = train(spec, null, Precision.FP32, tmp.resolve("sd3-32"));
    Run fp16 = train(spec, null, Precision.FP16, tmp.resolve("sd3-16"));

    assertThat(fp32.velocityTypes()).hasSize(STEPS).containsOnly(DataType.FLOAT32);
    assertThat(fp16.velocityTypes()).hasSize(STEPS).containsOnly(DataType.FLOAT16);
    assertTracks(fp16, fp32, "sd3 channel-wise");
    assertMastersMovedLikeFp32(fp16, fp32, fp32.after().keySet());
  }

  @Test
  void fp16TrainingReadsTheMllmConnectorInFloat16SoItsMastersTrainLikeFp32() {
    EditorSpec spec = EditTrainingPathTest.spec(Paradigm.KONTEXT);
    TextFusion.Config c = TextFusion.Config.mlp(TextFusion.Mode.MLLM_T5_CONCAT, 16, 24, 32, 32);
    WordHashTextEncoder words = new WordHashTextEncoder(8, 32, 77);
    Run fp32;
    Run fp16;
    try (TextFusion f = new TextFusion(c, ModelWeights.random(TextFusion.spec(c), 4), words, new HashedMllm(16))) {
      fp32 = train(spec, f, Precision.FP32, tmp.resolve("mllm-32"));
    }
    try (TextFusion f = new TextFusion(c, ModelWeights.random(TextFusion.spec(c), 4), words, new HashedMllm(16))) {
      fp16 = train(spec, f, Precision.FP16, tmp.resolve("mllm-16"));
    }
    assertThat(fp16.velocityTypes()).hasSize(STEPS).containsOnly(DataType.FLOAT16);
    assertTracks(fp16, fp32, "mllm+t5 concat");
    List<String> connector = new ArrayList<>(TextFusion.spec(c).entries().keySet());
    assertThat(connector).contains("connector.0.weight", "connector.2.weight");
    assertMastersMovedLikeFp32(fp16, fp32, connector);
  }

  /** Each named parameter moved from its (common) initial value in both runs; fp16's end is near fp32's. */
  private static void assertMastersMovedLikeFp32(Run fp16, Run fp32, Iterable<String> names) {
    double moved32 = 0;
    double moved16 = 0;
    double diff = 0;
    for (String n : names) {
      float[] s = fp32.before().get(n);
      assertThat(fp16.before().get(n)).as(n).containsExactly(s);
      float[] a32 = fp32.after().get(n);
      float[] a16 = fp16.after().get(n);
      for (int i = 0; i < s.length; i++) {
        moved32 += Math.abs(a32[i] - s[i]);
        moved16 += Math.abs(a16[i] - s[i]);
        diff += Math.abs(a16[i] - a32[i]);
      }
    }
    assertThat(moved32).isGreaterThan(0);
    assertThat(moved16).isGreaterThan(0.5 * moved32);
    assertThat(diff).isLessThan(0.2 * moved32);
  }

  @Test
  void anFp16CheckpointLoadsIntoAnEditorThatEditsLikeTheInMemoryModel() {
    EditorSpec spec = EditTrainingPathTest.spec(Paradigm.KONTEXT);
    List<EditSample> data = EditTrainingPathTest.samples(12, 3);
    Path run = tmp.resolve("kontext-fp16");
    EditOptions seed = EditOptions.builder().optSeed(5).build();
    List<RgbImage> inMemory = new ArrayList<>();
    List<RgbImage> untrained = new ArrayList<>();
    try (DiffusionEditor fresh = spec.build(EditorSpec.NO_EXTERNALS).editor(spec, "fresh")) {
      for (EditSample s : data.subList(0, 3)) {
        untrained.add(fresh.edit(s.input(), s.instruction(), seed));
      }
    }
    EditorSpec.Parts parts = spec.build(EditorSpec.NO_EXTERNALS);
    try (DiffusionEditor trained = parts.editor(spec, "trained")) {
      EditFineTuning.Result r =
          EditFineTuning.run(
              EditTrainingPathTest.recipe(STEPS, EditObjective.Loss.MASK_BALANCED).withPrecision(Precision.FP16),
              parts.denoiser(), parts.text(), new EditCollator(parts.codec(), parts.denoiser(), parts.text(), 100),
              source(data), spec, run, false, Map.of("data", "test"), "{}", FineTuneListener.NONE);
      assertThat(r.metrics()).hasSize(STEPS).allMatch(m -> Double.isFinite(m.loss()));
      for (EditSample s : data.subList(0, 3)) {
        inMemory.add(trained.edit(s.input(), s.instruction(), seed));
      }
    }
    try (DiffusionEditor loaded = EditorCheckpoint.load(run)) {
      assertThat(loaded.denoiser().paradigm()).isEqualTo(Paradigm.KONTEXT);
      // The checkpoint holds the float32 masters.
      assertThat(loaded.denoiser().parameters().values()).allMatch(a -> a.getDataType() == DataType.FLOAT32);
      for (int i = 0; i < 3; i++) {
        EditSample s = data.get(i);
        assertThat(loaded.edit(s.input(), s.instruction(), seed)).as("sample %s", i).isEqualTo(inMemory.get(i));
      }
    }
    assertThat(inMemory).isNotEqualTo(untrained);
  }

  @Test
  void aMetaQueryFusionIsRefusedFp16BeforeAnythingIsWritten() {
    EditorSpec spec = EditTrainingPathTest.spec(Paradigm.KONTEXT);
    TextFusion.Config c = TextFusion.Config.metaQuery(4, 16, 24, 32, 32);
    QueryingMllm never = new QueryingMllm() {
      @Override
      public NDArray queryStates(List<RgbImage> images, List<String> instructions, NDArray queries, NDManager m) {
        throw new AssertionError("the MLLM must not run");
      }

      @Override
      public NDArray hiddenStates(RgbImage image, String instruction, NDManager manager) {
        throw new AssertionError("the MLLM must not run");
      }
    };
    Path run = tmp.resolve("metaquery-fp16");
    try (EditorSpec.Parts parts = spec.build(EditorSpec.NO_EXTERNALS);
        TextFusion f = new TextFusion(c, ModelWeights.random(TextFusion.spec(c), 1), null, never)) {
      EditCollator collator = new EditCollator(parts.codec(), parts.denoiser(), f, 100);
      assertThatThrownBy(() -> EditFineTuning.run(
              EditTrainingPathTest.recipe(2, EditObjective.Loss.MSE).withPrecision(Precision.FP16), parts.denoiser(), f,
              collator, source(EditTrainingPathTest.samples(4, 1)), null, run, false, Map.of(), "{}",
              FineTuneListener.NONE))
          .isInstanceOf(PrecisionNotSupportedException.class)
          .hasMessageContaining("kontext")
          .hasMessageContaining("METAQUERY")
          .hasMessageContaining("fp16");
    }
    assertThat(Files.exists(run)).isFalse();
  }

  @Test
  void resumingAnFp32RunInFp16IsRefusedAsAChangedRecipe() {
    EditorSpec spec = EditTrainingPathTest.spec(Paradigm.KONTEXT);
    Path run = tmp.resolve("resume");
    train(spec, null, Precision.FP32, run);
    try (EditorSpec.Parts parts = spec.build(EditorSpec.NO_EXTERNALS)) {
      assertThatThrownBy(() -> EditFineTuning.run(
              EditTrainingPathTest.recipe(STEPS, EditObjective.Loss.MSE).withPrecision(Precision.FP16),
              parts.denoiser(), parts.text(), new EditCollator(parts.codec(), parts.denoiser(), parts.text(), 100),
              source(EditTrainingPathTest.samples(12, 3)), spec, run, true, Map.of("data", "test"),
              "{\"test\":\"fp16\"}", FineTuneListener.NONE))
          .isInstanceOf(FineTuner.RecipeChangedException.class)
          .hasMessageContaining("precision");
    }
  }
}
