package io.gptedit.models.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gptedit.models.flow.SeededNoise;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Float16 training with dynamic loss scaling, on the CPU engine (PyTorch 2.7 CPU has float16 kernels). */
class Fp16TrainingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BATCH = 16;

  @TempDir Path tmp;
  private NDManager manager;

  @BeforeAll
  static void offline() {
    System.setProperty("ai.djl.offline", "true");
  }

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  /** A two-layer GELU MLP (4 -> 32 -> 3) with float32 master weights. */
  private Map<String, NDArray> mlp(long seed) {
    Map<String, NDArray> p = new LinkedHashMap<>();
    p.put("w1", SeededNoise.gaussian(manager, seed, new Shape(4, 32)).mul(0.5f));
    p.put("w2", SeededNoise.gaussian(manager, seed + 1, new Shape(32, 3)).mul(0.2f));
    return p;
  }

  /** Regression onto a fixed random nonlinear teacher; the forward runs in the context's precision. */
  private static NDArray mlpLoss(FineTuner.StepContext ctx) {
    NDManager m = ctx.manager();
    NDArray x = SeededNoise.gaussian(m, ctx.random().nextLong(), new Shape(BATCH, 4));
    NDArray teacher = SeededNoise.gaussian(m, 77, new Shape(4, 3));
    NDArray target = x.matMul(teacher).tanh();
    NDArray h = Activation.gelu(ctx.toComputeType(x).matMul(ctx.parameter("w1")));
    NDArray pred = h.matMul(ctx.parameter("w2"));
    return ctx.toFloat32(pred).sub(target).square().mean();
  }

  private FineTuner.Builder builder(Map<String, NDArray> params, Precision precision, long steps) {
    FineTuner.Builder b =
        FineTuner.builder()
            .setParameters(params)
            .setOptimizer(AdamWOptimizer.defaults().create())
            .setSchedule(new LrSchedule.Constant(0.02, 0))
            .setSteps(steps)
            .optSeed(5)
            .optSamplesPerMicroBatch(BATCH)
            .optPrecision(precision);
    return b;
  }

  @Test
  void aTinyMlpTrainedInFp16OnTheCpuLearnsAndItsMasterWeightsStayFloat32() throws Exception {
    Map<String, NDArray> params = mlp(1);
    Path run = tmp.resolve("fp16");
    List<StepMetrics> metrics;
    try (FineTuner t =
        builder(params, Precision.FP16, 60)
            .optLossScaling(LossScaler.Config.defaults().withGrowthInterval(10))
            .optRunDir(run)
            .build()) {
      metrics = t.train(Fp16TrainingTest::mlpLoss);
      assertThat(t.precision()).isEqualTo(Precision.FP16);
    }
    double first = mean(metrics.subList(0, 5));
    double last = mean(metrics.subList(55, 60));
    assertThat(last).isLessThan(first / 4);
    for (NDArray p : params.values()) {
      assertThat(p.getDataType()).isEqualTo(DataType.FLOAT32);
      assertThat(p.hasGradient()).isFalse();
    }
    assertThat(metrics).allMatch(StepMetrics::hasLossScale);
    assertThat(metrics.stream().filter(m -> !m.skipped()).count()).isGreaterThan(50);
    assertFollowsTheScalerRules(metrics, 65536, 10);
    List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
    assertThat(lines).hasSize(60).allMatch(l -> l.contains("\"loss_scale\":"));
    JsonNode state = JSON.readTree(run.resolve("checkpoints/step-000000060/state.json").toFile());
    assertThat(state.path("loss_scaler").path("scale").asDouble()).isPositive();
    assertThat(state.path("provenance").path("precision").asText()).isEqualTo("fp16");
  }

  @Test
  void fp16ReachesAboutTheSameLossAsFp32OnTheSameSeed() {
    double[] last = new double[2];
    for (Precision p : Precision.values()) {
      try (FineTuner t = builder(mlp(1), p, 60).build()) {
        List<StepMetrics> metrics = t.train(Fp16TrainingTest::mlpLoss);
        last[p.ordinal()] = mean(metrics.subList(50, 60));
      }
    }
    assertThat(last[1]).isBetween(last[0] * 0.5, last[0] * 2);
  }

  @Test
  void anOverflowFromAHugeInitialScaleIsSkippedAndTheScaleBacksOffUntilStepsProceed() {
    Map<String, NDArray> params = mlp(2);
    Map<String, float[]> before = snapshot(params);
    double huge = Math.scalb(1.0, 60);
    List<StepMetrics> metrics;
    try (FineTuner t =
        builder(params, Precision.FP16, 80)
            .optLossScaling(LossScaler.Config.defaults().withInitialScale(huge))
            .build()) {
      metrics = t.train(Fp16TrainingTest::mlpLoss);
    }
    int firstGood = 0;
    while (metrics.get(firstGood).skipped()) {
      firstGood++;
    }
    // Far more than MAX_CONSECUTIVE_SKIPS overflow skips in a row, and no DivergedException.
    assertThat(firstGood).isGreaterThan(FineTuner.MAX_CONSECUTIVE_SKIPS);
    for (int i = 0; i < firstGood; i++) {
      assertThat(metrics.get(i).lossScale()).isEqualTo(Math.scalb(huge, -i));
      assertThat(metrics.get(i).loss()).isFinite();
    }
    // The scale that worked is one float16 can carry the gradients with (they reached 65504 at most).
    assertThat(metrics.get(firstGood).lossScale()).isLessThanOrEqualTo(65536.0 * 64);
    assertThat(metrics.subList(firstGood, 80)).noneMatch(StepMetrics::skipped);
    assertFollowsTheScalerRules(metrics, huge, 2000);
    assertThat(mean(metrics.subList(75, 80))).isLessThan(mean(metrics.subList(firstGood, firstGood + 5)));
    assertThat(snapshot(params).get("w1")).isNotEqualTo(before.get("w1"));
  }

  @Test
  void skippedOverflowStepsLeaveTheMasterWeightsUntouched() {
    Map<String, NDArray> params = mlp(3);
    Map<String, float[]> before = snapshot(params);
    try (FineTuner t =
        builder(params, Precision.FP16, 3)
            .optLossScaling(LossScaler.Config.defaults().withInitialScale(Math.scalb(1.0, 100)))
            .build()) {
      List<StepMetrics> metrics = t.train(Fp16TrainingTest::mlpLoss);
      assertThat(metrics).allMatch(StepMetrics::skipped);
      assertThat(t.lossScale()).contains(Math.scalb(1.0, 97));
    }
    Map<String, float[]> after = snapshot(params);
    for (String k : before.keySet()) {
      assertThat(after.get(k)).as(k).containsExactly(before.get(k));
    }
  }

  @Test
  void fp16TrainingResumedFromACheckpointContinuesBitExactlyIncludingTheLossScale() {
    LossScaler.Config scaling = LossScaler.Config.defaults().withInitialScale(Math.scalb(1.0, 24)).withGrowthInterval(3);
    Map<String, float[]> straight;
    List<StepMetrics> straightMetrics;
    Map<String, NDArray> params = mlp(4);
    try (FineTuner t =
        builder(params, Precision.FP16, 16).optLossScaling(scaling).optEma(0.9).optAccumulation(2)
            .optRunDir(tmp.resolve("straight")).build()) {
      straightMetrics = t.train(Fp16TrainingTest::mlpLoss);
      straight = snapshot(params);
    }
    assertThat(straightMetrics.subList(0, 8)).anyMatch(StepMetrics::skipped);
    Path run = tmp.resolve("resumed");
    try (FineTuner t =
        builder(mlp(4), Precision.FP16, 16).optStopAfter(8).optLossScaling(scaling).optEma(0.9).optAccumulation(2)
            .optRunDir(run).build()) {
      t.train(Fp16TrainingTest::mlpLoss);
    }
    Map<String, NDArray> fresh = mlp(40); // other initial weights: the checkpoint must overwrite them
    try (FineTuner t =
        builder(fresh, Precision.FP16, 16).optLossScaling(scaling).optEma(0.9).optAccumulation(2).optRunDir(run).build()) {
      assertThat(t.resume()).isEqualTo(8);
      assertThat(t.lossScale()).contains(straightMetrics.get(8).lossScale());
      List<StepMetrics> rest = t.train(Fp16TrainingTest::mlpLoss);
      for (int i = 0; i < 8; i++) {
        StepMetrics a = straightMetrics.get(8 + i);
        StepMetrics b = rest.get(i);
        assertThat(b.loss()).as("loss at step %s", b.step()).isEqualTo(a.loss());
        assertThat(b.lossScale()).as("scale at step %s", b.step()).isEqualTo(a.lossScale());
        assertThat(b.skipped()).isEqualTo(a.skipped());
      }
    }
    Map<String, float[]> resumed = snapshot(fresh);
    for (String k : straight.keySet()) {
      assertThat(resumed.get(k)).as(k).containsExactly(straight.get(k));
    }
  }

  @Test
  void theStepContextHandsOutFloat16CopiesThatTrackTheMastersAndNamesAnUnknownParameter() {
    Map<String, NDArray> params = mlp(5);
    try (FineTuner t = builder(params, Precision.FP16, 2).build()) {
      t.train(
          ctx -> {
            NDArray w1 = ctx.parameter("w1");
            assertThat(w1.getDataType()).isEqualTo(DataType.FLOAT16);
            assertThat(w1.hasGradient()).isTrue();
            try (NDArray expected = params.get("w1").toType(DataType.FLOAT16, false)) {
              assertThat(w1.toType(DataType.FLOAT32, false).toFloatArray())
                  .as("the copy equals the master rounded to float16, at step %s", ctx.step())
                  .containsExactly(expected.toType(DataType.FLOAT32, false).toFloatArray());
            }
            assertThatThrownBy(() -> ctx.parameter("w3"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'w3'");
            return mlpLoss(ctx);
          });
    }
  }

  @Test
  void fp16StepsLeaveNoArraysBehindInTheMasterWeightsManager() {
    Map<String, NDArray> params = mlp(7);
    ai.djl.ndarray.BaseNDManager owner = (ai.djl.ndarray.BaseNDManager) manager;
    List<Integer> counts = new java.util.ArrayList<>();
    try (FineTuner t =
        builder(params, Precision.FP16, 6)
            .optAccumulation(2)
            .optClipNorm(1e-3)
            .optEma(0.9)
            .optListener(m -> counts.add(owner.getManagedArrays().size()))
            .build()) {
      t.train(Fp16TrainingTest::mlpLoss);
    }
    assertThat(counts).hasSize(6).containsOnly(counts.get(0));
  }

  @Test
  void fp16RefusesNonFloat32MasterWeightsAndLossScalingWithoutFp16() {
    NDArray half = manager.ones(new Shape(2), DataType.FLOAT16);
    assertThatThrownBy(() -> builder(Map.of("h", half), Precision.FP16, 1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'h'")
        .hasMessageContaining("float16");
    assertThatThrownBy(
            () -> builder(mlp(6), Precision.FP32, 1).optLossScaling(LossScaler.Config.defaults()).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("FP16");
  }

  /** Checks the metrics' scale sequence against the GradScaler rules, step by step. */
  private static void assertFollowsTheScalerRules(List<StepMetrics> metrics, double initial, int interval) {
    assertThat(metrics.get(0).lossScale()).isEqualTo(initial);
    int good = 0;
    for (int i = 0; i + 1 < metrics.size(); i++) {
      StepMetrics m = metrics.get(i);
      double expected;
      if (m.skipped()) {
        expected = m.lossScale() * 0.5;
        good = 0;
      } else if (++good == interval) {
        expected = m.lossScale() * 2;
        good = 0;
      } else {
        expected = m.lossScale();
      }
      assertThat(metrics.get(i + 1).lossScale()).as("scale after step %s", m.step()).isEqualTo(expected);
    }
  }

  private static double mean(List<StepMetrics> ms) {
    return ms.stream().filter(m -> !m.skipped()).mapToDouble(StepMetrics::loss).average().orElseThrow();
  }

  private static Map<String, float[]> snapshot(Map<String, NDArray> arrays) {
    Map<String, float[]> out = new LinkedHashMap<>();
    arrays.forEach((k, v) -> out.put(k, v.toFloatArray()));
    return out;
  }
}
