package io.gptedit.models.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gptedit.models.flow.SeededNoise;
import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.flux.FluxInput;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.flux.LatentPacking;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FineTunerTest {
  private static final int BATCH = 2;
  private static final int TEXT = 3;

  @TempDir Path tmp;

  @BeforeAll
  static void offline() {
    System.setProperty("ai.djl.offline", "true");
  }

  @Test
  void lossFallsTwentyfoldOnATinyRegressionWithinTwoHundredSteps() throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.zeros(new Shape(4, 3));
      NDArray truth = SeededNoise.gaussian(m, 5, new Shape(4, 3));
      Path run = tmp.resolve("regression");
      List<StepMetrics> seen = new ArrayList<>();
      try (FineTuner t =
          FineTuner.builder()
              .setParameters(Map.of("w", w))
              .setOptimizer(AdamWOptimizer.defaults().create())
              .setSchedule(new LrSchedule.Cosine(0.05, 0.005, 10, 200))
              .setSteps(200)
              .optSamplesPerMicroBatch(8)
              .optRunDir(run)
              .optListener(seen::add)
              .build()) {
        List<StepMetrics> metrics =
            t.train(
                ctx -> {
                  NDArray x = SeededNoise.gaussian(ctx.manager(), ctx.random().nextLong(), new Shape(8, 4));
                  return x.matMul(w).sub(x.matMul(truth)).square().mean();
                });
        assertThat(metrics).hasSize(200);
        assertThat(seen).isEqualTo(metrics);
        double first = metrics.get(0).loss();
        double last = metrics.get(199).loss();
        assertThat(last).isLessThan(first / 20);
        assertThat(metrics.get(0).step()).isEqualTo(1);
        assertThat(metrics.get(0).samplesPerSecond()).isPositive();
      }
      List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
      assertThat(lines).hasSize(200);
      assertThat(lines.get(0)).contains("\"step\":1", "\"loss\":", "\"lr\":", "\"grad_norm\":", "\"samples_per_s\":");
      assertThat(Checkpoints.latest(run)).isPresent();
    }
  }

  @Test
  void fourStraightStepsEqualTwoStepsCheckpointResumeAndTwoMoreBitForBit() {
    Map<String, float[]> straight;
    Map<String, float[]> straightEma;
    try (FluxTransformer model = FluxTransformer.random(FluxConfig.tiny(), 3)) {
      Path run = tmp.resolve("straight");
      try (FineTuner t = fluxTrainer(model.parameters().asMap(), ParameterSelection.all(), run, 4)) {
        t.train(ctx -> fluxLoss(model, null, ctx));
        straight = snapshot(model.parameters().asMap());
        straightEma = snapshot(t.emaWeights().orElseThrow());
      }
    }
    Path run = tmp.resolve("resumed");
    try (FluxTransformer model = FluxTransformer.random(FluxConfig.tiny(), 3);
        FineTuner t = fluxTrainer(model.parameters().asMap(), ParameterSelection.all(), run, 2)) {
      t.train(ctx -> fluxLoss(model, null, ctx));
    }
    try (FluxTransformer model = FluxTransformer.random(FluxConfig.tiny(), 99);
        FineTuner t = fluxTrainer(model.parameters().asMap(), ParameterSelection.all(), run, 4)) {
      assertThat(t.resume()).isEqualTo(2);
      t.train(ctx -> fluxLoss(model, null, ctx));
      Map<String, float[]> resumed = snapshot(model.parameters().asMap());
      assertThat(resumed.keySet()).isEqualTo(straight.keySet());
      for (String name : straight.keySet()) {
        assertThat(resumed.get(name)).as(name).containsExactly(straight.get(name));
      }
      Map<String, float[]> ema = snapshot(t.emaWeights().orElseThrow());
      for (String name : straightEma.keySet()) {
        assertThat(ema.get(name)).as("EMA of " + name).containsExactly(straightEma.get(name));
      }
      assertThat(straight.get("proj_out.weight")).isNotEqualTo(snapshotOfFresh("proj_out.weight"));
    }
  }

  @Test
  void stageOneSelectionTrainsTheConnectorAndLeavesTheBackboneBitIdentical() {
    try (FluxTransformer model = FluxTransformer.random(FluxConfig.tiny(), 3);
        NDManager m = NDManager.newBaseManager()) {
      NDArray connector = SeededNoise.gaussian(m, 17, new Shape(32, 32)).mul(0.1f);
      Map<String, NDArray> all = new LinkedHashMap<>(model.parameters().asMap());
      all.put("connector.weight", connector);
      Map<String, float[]> before = snapshot(all);
      try (FineTuner t = fluxTrainer(all, ParameterSelection.connectorOnly("connector."), null, 3)) {
        assertThat(t.trainableNames()).containsExactly("connector.weight");
        t.train(ctx -> fluxLoss(model, connector, ctx));
      }
      Map<String, float[]> after = snapshot(all);
      for (String name : model.parameters().asMap().keySet()) {
        assertThat(after.get(name)).as(name).containsExactly(before.get(name));
      }
      assertThat(after.get("connector.weight")).isNotEqualTo(before.get("connector.weight"));
    }
  }

  @Test
  void loraAdaptersStartAsANoOpAndTrainingThemLeavesEveryBaseWeightBitIdentical() {
    try (FluxTransformer model = FluxTransformer.random(FluxConfig.tiny(), 3);
        NDManager m = NDManager.newBaseManager()) {
      float[] plain;
      try (NDManager s = m.newSubManager()) {
        plain = model.forward(loraProbe(s, model), s).toFloatArray();
      }
      Map<String, float[]> base = snapshot(model.parameters().asMap());
      List<String> targets = ParameterSelection.loraTargets(model.parameters().asMap().keySet());
      assertThat(targets)
          .contains("transformer_blocks.0.attn.to_q", "transformer_blocks.0.attn.add_v_proj",
              "transformer_blocks.0.ff.net.2", "single_transformer_blocks.0.proj_out")
          .doesNotContain("proj_out", "x_embedder", "transformer_blocks.0.norm1.linear");
      model.parameters().addLora(targets, 4, 8.0, 11);
      try (NDManager s = m.newSubManager()) {
        assertThat(model.forward(loraProbe(s, model), s).toFloatArray()).containsExactly(plain);
      }
      try (FineTuner t = fluxTrainer(model.parameters().asMap(), ParameterSelection.loraOnly(), null, 3)) {
        assertThat(t.trainableNames()).hasSize(2 * targets.size()).allMatch(n -> n.contains(".lora_"));
        t.train(ctx -> fluxLoss(model, null, ctx));
      }
      Map<String, float[]> after = snapshot(model.parameters().asMap());
      for (Map.Entry<String, float[]> e : base.entrySet()) {
        assertThat(after.get(e.getKey())).as(e.getKey()).containsExactly(e.getValue());
      }
      float[] loraB = after.get("transformer_blocks.0.attn.to_q.lora_B.weight");
      assertThat(loraB).isNotEqualTo(new float[loraB.length]);
      try (NDManager s = m.newSubManager()) {
        assertThat(model.forward(loraProbe(s, model), s).toFloatArray()).isNotEqualTo(plain);
      }
    }
  }

  private static io.gptedit.models.flux.FluxInput loraProbe(NDManager m, FluxTransformer model) {
    FluxConfig c = model.config();
    return new io.gptedit.models.flux.FluxInput(
        SeededNoise.gaussian(m, 5, new Shape(1, 4, c.inChannels())),
        SeededNoise.gaussian(m, 6, new Shape(1, 3, c.jointAttentionDim())),
        SeededNoise.gaussian(m, 7, new Shape(1, c.pooledProjectionDim())),
        new float[] {0.5f},
        new float[] {3.5f},
        LatentPacking.imageIds(0, 2, 2),
        io.gptedit.models.flux.FluxInput.zeroTextIds(3));
  }

  /** Stage-2 selection plus a connector, 4 AdamW steps with accumulation 2, with or without checkpointing. */
  private static Map<String, float[]> stage2Run(boolean checkpointing) {
    try (FluxTransformer model =
            FluxTransformer.random(
                new FluxConfig(16, 16, 2, 2, 2, 16, 32, 24, true, new int[] {4, 6, 6}, 10000, 4), 3);
        NDManager m = NDManager.newBaseManager()) {
      model.setActivationCheckpointing(checkpointing);
      NDArray connector = SeededNoise.gaussian(m, 17, new Shape(32, 32)).mul(0.1f);
      Map<String, NDArray> all = new LinkedHashMap<>(model.parameters().asMap());
      all.put("connector.weight", connector);
      try (FineTuner t = fluxTrainer(all, ParameterSelection.paperStage2("connector."), null, 4)) {
        t.train(ctx -> fluxLoss(model, connector, ctx));
      }
      return snapshot(all);
    }
  }

  @Test
  void checkpointedStage2TrainingMatchesPlainTrainingWithin1e6() {
    Map<String, float[]> plain = stage2Run(false);
    Map<String, float[]> ckpt = stage2Run(true);
    assertThat(ckpt.keySet()).containsExactlyElementsOf(plain.keySet());
    plain.forEach(
        (name, a) -> {
          float[] b = ckpt.get(name);
          for (int i = 0; i < a.length; i++) {
            assertThat((double) b[i]).as("%s[%s]", name, i).isCloseTo(a[i], org.assertj.core.data.Offset.offset(1e-6));
          }
        });
    // The run trained: the connector moved away from its start.
    assertThat(plain.get("connector.weight")).isNotEqualTo(stage2RunStart());
  }

  private static float[] stage2RunStart() {
    try (NDManager m = NDManager.newBaseManager()) {
      return SeededNoise.gaussian(m, 17, new Shape(32, 32)).mul(0.1f).toFloatArray();
    }
  }

  private static final FluxConfig TWO_BY_TWO =
      new FluxConfig(16, 16, 2, 2, 2, 16, 32, 24, true, new int[] {4, 6, 6}, 10000, 4);

  /**
   * A stage-2 run (connector + image branch) on a transformer loaded from {@code base}, with trainable-only
   * checkpoints every 2 steps; returns every parameter after the run (resumed first when {@code resume}).
   */
  private static Map<String, float[]> trainableOnlyRun(Path base, Path run, long stopAt, boolean resume) {
    try (io.gptedit.models.safetensors.SafetensorsFile f = io.gptedit.models.safetensors.SafetensorsFile.open(base);
        FluxTransformer model = FluxTransformer.load(TWO_BY_TWO, List.of(f), "");
        NDManager m = NDManager.newBaseManager()) {
      NDArray connector = SeededNoise.gaussian(m, 17, new Shape(32, 32)).mul(0.1f);
      Map<String, NDArray> all = new LinkedHashMap<>(model.parameters().asMap());
      all.put("connector.weight", connector);
      try (FineTuner t =
          FineTuner.builder()
              .setParameters(all)
              .optSelection(ParameterSelection.paperStage2("connector."))
              .setOptimizer(new AdamWOptimizer(0.9, 0.99, 1e-8, 0.01).create())
              .setSchedule(new LrSchedule.Cosine(1e-2, 1e-3, 1, 4))
              .setSteps(4)
              .optStopAfter(stopAt)
              .optEma(0.9)
              .optSeed(1234)
              .optSamplesPerMicroBatch(BATCH)
              .optRunDir(run)
              .optCheckpointEvery(2)
              .optFrozenBase(List.of(base))
              .build()) {
        if (resume) {
          assertThat(t.resume()).isEqualTo(2);
        }
        t.train(ctx -> fluxLoss(model, connector, ctx));
      }
      return snapshot(all);
    }
  }

  @Test
  void trainableOnlyCheckpointOfStage2RunHoldsOnlyTrainableTensorsAndResumesBitExactly() throws Exception {
    Path base = tmp.resolve("base.safetensors");
    try (FluxTransformer model = FluxTransformer.random(TWO_BY_TWO, 3)) {
      model.parameters().save(base, Map.of());
    }
    Map<String, float[]> straight = trainableOnlyRun(base, tmp.resolve("trainable-only-straight"), 4, false);
    Path run = tmp.resolve("trainable-only-resumed");
    trainableOnlyRun(base, run, 2, false);
    Path ckpt = Checkpoints.latest(run).orElseThrow();
    try (io.gptedit.models.safetensors.SafetensorsFile w =
        io.gptedit.models.safetensors.SafetensorsFile.open(ckpt.resolve("weights.safetensors"))) {
      List<String> names = new ArrayList<>(w.tensors().keySet());
      assertThat(names).contains("connector.weight", "transformer_blocks.1.attn.to_q.weight");
      assertThat(names).noneMatch(n -> n.startsWith("x_embedder") || n.contains("ff.net") || n.contains("proj_mlp"));
      assertThat(names).allMatch(n -> n.startsWith(FineTuner.EMA_PREFIX) || n.equals("connector.weight")
          || ParameterSelection.paperStage2("connector.").predicate().test(n));
    }
    assertThat(java.nio.file.Files.readString(ckpt.resolve("state.json")))
        .contains("frozen_base").contains("sha256:");
    Map<String, float[]> resumed = trainableOnlyRun(base, run, 4, true);
    assertThat(resumed.keySet()).isEqualTo(straight.keySet());
    for (String name : straight.keySet()) {
      assertThat(resumed.get(name)).as(name).containsExactly(straight.get(name));
    }
    assertThat(straight.get("connector.weight")).isNotEqualTo(resumedStart());
  }

  @Test
  void trainableOnlyCheckpointRefusesAChangedFrozenBaseNamingTheFile() throws Exception {
    Path base = tmp.resolve("changing-base.safetensors");
    try (FluxTransformer model = FluxTransformer.random(TWO_BY_TWO, 3)) {
      model.parameters().save(base, Map.of());
    }
    Path run = tmp.resolve("changed-base-run");
    trainableOnlyRun(base, run, 2, false);
    // The same shapes, other values: a different base the trained parameters do not belong to.
    try (FluxTransformer other = FluxTransformer.random(TWO_BY_TWO, 4)) {
      other.parameters().save(base, Map.of());
    }
    assertThatThrownBy(() -> trainableOnlyRun(base, run, 4, true))
        .isInstanceOf(FineTuner.FrozenBaseChangedException.class)
        .isInstanceOf(io.gptedit.core.GpteditException.class)
        .hasMessageContaining(base.toAbsolutePath().normalize().toString())
        .hasMessageContaining("changed");
  }

  private static float[] resumedStart() {
    try (NDManager m = NDManager.newBaseManager()) {
      return SeededNoise.gaussian(m, 17, new Shape(32, 32)).mul(0.1f).toFloatArray();
    }
  }

  @Test
  void trainingStepsLeaveNoArraysBehindInTheParametersManager() {
    try (FluxTransformer model = FluxTransformer.random(FluxConfig.tiny(), 3)) {
      ai.djl.ndarray.BaseNDManager owner = (ai.djl.ndarray.BaseNDManager) model.parameters().manager();
      List<Integer> counts = new ArrayList<>();
      try (FineTuner t =
          FineTuner.builder()
              .setParameters(model.parameters().asMap())
              .setOptimizer(AdamWOptimizer.defaults().create())
              .setSchedule(new LrSchedule.Constant(1e-3, 0))
              .setSteps(5)
              .optClipNorm(1e-3)
              .optEma(0.9)
              .optListener(m -> counts.add(owner.getManagedArrays().size()))
              .build()) {
        t.train(ctx -> fluxLoss(model, null, ctx));
      }
      assertThat(counts).hasSize(5);
      assertThat(counts).containsOnly(counts.get(0));
    }
  }

  @Test
  void gradientsAreZeroAfterEveryStepSoTheyNeverLeakIntoTheNext() {
    try (FluxTransformer model = FluxTransformer.random(FluxConfig.tiny(), 3);
        FineTuner t = fluxTrainer(model.parameters().asMap(), ParameterSelection.all(), null, 1)) {
      t.train(ctx -> fluxLoss(model, null, ctx));
      for (Map.Entry<String, NDArray> e : model.parameters().asMap().entrySet()) {
        try (NDArray g = e.getValue().getGradient();
            NDArray abs = g.abs();
            NDArray max = abs.max()) {
          assertThat(max.getFloat()).as(e.getKey()).isZero();
        }
      }
    }
  }

  @Test
  void aNonFiniteStepIsSkippedWithoutTouchingTheWeightsAndTrainingGoesOn() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.ones(new Shape(2));
      try (FineTuner t =
          FineTuner.builder()
              .setParameters(Map.of("w", w))
              .setOptimizer(AdamWOptimizer.defaults().create())
              .setSchedule(new LrSchedule.Constant(0.1, 0))
              .setSteps(3)
              .build()) {
        List<float[]> after = new ArrayList<>();
        List<StepMetrics> metrics =
            t.train(
                ctx -> {
                  after.add(w.toFloatArray());
                  NDArray loss = w.square().sum();
                  return ctx.step() == 1 ? loss.mul(Float.NaN) : loss;
                });
        assertThat(metrics).extracting(StepMetrics::skipped).containsExactly(false, true, false);
        assertThat(after.get(2)).containsExactly(after.get(1)); // the skipped step changed nothing
        assertThat(after.get(1)[0]).isLessThan(1f);
        assertThat(w.toFloatArray()[0]).isLessThan(after.get(2)[0]);
      }
    }
  }

  @Test
  void fiveNonFiniteStepsInARowStopTrainingWithTheStepNamed() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.zeros(new Shape(2));
      try (FineTuner t =
          FineTuner.builder()
              .setParameters(Map.of("w", w))
              .setOptimizer(AdamWOptimizer.defaults().create())
              .setSchedule(new LrSchedule.Constant(0.1, 0))
              .setSteps(10)
              .build()) {
        assertThatThrownBy(() -> t.train(ctx -> w.sum().mul(Float.NaN)))
            .isInstanceOf(FineTuner.DivergedException.class)
            .hasMessageContaining("at step 4")
            .hasMessageContaining("5 non-finite steps in a row");
        assertThat(w.toFloatArray()).containsExactly(0f, 0f);
      }
    }
  }

  private static float[] snapshotOfFresh(String name) {
    try (FluxTransformer fresh = FluxTransformer.random(FluxConfig.tiny(), 3)) {
      return fresh.parameters().get(name).toFloatArray();
    }
  }

  private static FineTuner fluxTrainer(
      Map<String, NDArray> params, ParameterSelection selection, Path run, long stopAt) {
    FineTuner.Builder b =
        FineTuner.builder()
            .setParameters(params)
            .optSelection(selection)
            .setOptimizer(new AdamWOptimizer(0.9, 0.99, 1e-8, 0.01).create())
            .setSchedule(new LrSchedule.Cosine(1e-2, 1e-3, 1, 4))
            .setSteps(4)
            .optStopAfter(stopAt)
            .optAccumulation(2)
            .optClipNorm(0.5)
            .optEma(0.9)
            .optSeed(1234)
            .optSamplesPerMicroBatch(BATCH)
            .optConfig("{\"test\":true}");
    if (run != null) {
      b.optRunDir(run).optCheckpointEvery(2);
    }
    return b.build();
  }

  /** Flow-matching loss of a tiny Flux denoising fixed 4x4 latents, with noise and times from the step's random. */
  private static NDArray fluxLoss(FluxTransformer model, NDArray connector, FineTuner.StepContext ctx) {
    NDManager m = ctx.manager();
    NDArray x0 = LatentPacking.pack(SeededNoise.gaussian(m, 7, new Shape(BATCH, 4, 4, 4)));
    NDArray noise = SeededNoise.gaussian(m, ctx.random().nextLong(), x0.getShape());
    float[] sigma = new float[BATCH];
    for (int i = 0; i < BATCH; i++) {
      sigma[i] = (float) ctx.random().nextDouble();
    }
    NDArray xt = FlowMatchingLoss.noisy(x0, noise, m.create(sigma));
    NDArray text = SeededNoise.gaussian(m, 11, new Shape(BATCH, TEXT, 32));
    if (connector != null) {
      text = text.matMul(connector);
    }
    NDArray pooled = SeededNoise.gaussian(m, 13, new Shape(BATCH, 24));
    float[] guidance = {1f, 1f};
    NDArray v =
        model.forward(
            new FluxInput(
                xt, text, pooled, sigma, guidance, LatentPacking.imageIds(0, 2, 2), FluxInput.zeroTextIds(TEXT)),
            m);
    return FlowMatchingLoss.loss(v, FlowMatchingLoss.target(x0, noise), null);
  }

  private static Map<String, float[]> snapshot(Map<String, NDArray> arrays) {
    Map<String, float[]> out = new LinkedHashMap<>();
    arrays.forEach((k, v) -> out.put(k, v.toFloatArray()));
    return out;
  }
}
