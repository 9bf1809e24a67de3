package io.gptedit.models.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.gptedit.models.flow.SeededNoise;
import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.flux.FluxInput;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.flux.LatentPacking;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.safetensors.SafetensorsFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fp16 mixed precision through the transformer itself: a stage-2 run on a base loaded in float16 (frozen weights
 * stored in float16, trained ones as float32 masters), the transformer reading the trainer's compute copies through
 * {@link FluxTransformer#withParameters}.
 */
class Fp16TransformerTrainingTest {
  private static final FluxConfig CONFIG =
      new FluxConfig(16, 16, 2, 2, 2, 16, 32, 24, true, new int[] {4, 6, 6}, 10000, 4);
  private static final int BATCH = 2;
  private static final int TEXT = 3;
  private static final int STEPS = 6;

  @TempDir Path dir;

  private record Run(List<Float> losses, List<DataType> outputTypes, Map<String, float[]> after) {}

  /** Trains the stage-2 selection on one fixed batch; fp16 loads the frozen base in float16. */
  private Run run(Path base, boolean fp16, Map<String, DataType> seenTypes, List<String> readAsLoaded) {
    List<Float> losses = new ArrayList<>();
    List<DataType> types = new ArrayList<>();
    try (SafetensorsFile f = SafetensorsFile.open(base);
        ModelWeights w32 = ModelWeights.load(FluxTransformer.spec(CONFIG), List.of(f), "", true, 0);
        ModelWeights w16 = fp16
            ? ModelWeights.load(FluxTransformer.spec(CONFIG), List.of(f), "", true, 0, DataType.FLOAT16)
            : null;
        FluxTransformer model = new FluxTransformer(CONFIG, w32)) {
      ParameterSelection stage2 = ParameterSelection.paperStage2("connector.");
      Map<String, NDArray> params = new LinkedHashMap<>();
      w32.asMap().forEach((n, a) -> params.put(n, fp16 && !stage2.predicate().test(n) ? w16.get(n) : a));
      FineTuner.Builder b = FineTuner.builder();
      if (fp16) {
        b.optPrecision(Precision.FP16).optLossScaling(LossScaler.Config.defaults().withInitialScale(256));
      }
      try (FineTuner t = b
          .setParameters(params)
          .optSelection(stage2)
          .setOptimizer(new AdamWOptimizer(0.9, 0.99, 1e-8, 0.0).create())
          .setSchedule(new LrSchedule.Cosine(3e-3, 3e-3, 0, STEPS))
          .setSteps(STEPS)
          .optSeed(5)
          .optSamplesPerMicroBatch(BATCH)
          .build()) {
        t.train(ctx -> {
          NDManager m = ctx.manager();
          FluxTransformer compute = model.withParameters(ctx.parameters());
          ctx.parameters().forEach((n, a) -> {
            seenTypes.put(n, a.getDataType());
            if (fp16 && a == w16.get(n)) {
              readAsLoaded.add(n);
            }
          });
          NDArray x0 = SeededNoise.gaussian(m, 7, new Shape(BATCH, 4, CONFIG.inChannels()));
          NDArray noise = SeededNoise.gaussian(m, 8, x0.getShape());
          float[] sigma = {0.3f, 0.7f};
          NDArray xt = FlowMatchingLoss.noisy(x0, noise, m.create(sigma));
          NDArray v = compute.forward(new FluxInput(
              ctx.toComputeType(xt),
              ctx.toComputeType(SeededNoise.gaussian(m, 9, new Shape(BATCH, TEXT, CONFIG.jointAttentionDim()))),
              ctx.toComputeType(SeededNoise.gaussian(m, 10, new Shape(BATCH, CONFIG.pooledProjectionDim()))),
              sigma, new float[] {1f, 1f}, LatentPacking.imageIds(0, 2, 2), FluxInput.zeroTextIds(TEXT)), m);
          types.add(v.getDataType());
          NDArray loss = FlowMatchingLoss.loss(ctx.toFloat32(v), FlowMatchingLoss.target(x0, noise), null);
          losses.add(loss.getFloat());
          return loss;
        });
      }
      Map<String, float[]> after = new LinkedHashMap<>();
      params.forEach((n, a) -> after.put(n, a.toType(DataType.FLOAT32, true).toFloatArray()));
      return new Run(losses, types, after);
    }
  }

  @Test
  void fp16StageTwoRunsTheTransformerInFloat16OnAFloat16BaseAndTracksTheFp32Losses() {
    Path base = dir.resolve("base.safetensors");
    Map<String, float[]> start = new LinkedHashMap<>();
    try (FluxTransformer t = FluxTransformer.random(CONFIG, 31)) {
      t.parameters().save(base, Map.of());
      t.parameters().asMap().forEach((n, a) -> start.put(n, a.toFloatArray()));
    }
    Run fp32 = run(base, false, new LinkedHashMap<>(), new ArrayList<>());
    Map<String, DataType> seen16 = new LinkedHashMap<>();
    List<String> readAsLoaded = new ArrayList<>();
    Run fp16 = run(base, true, seen16, readAsLoaded);

    assertThat(fp32.outputTypes()).containsOnly(DataType.FLOAT32);
    assertThat(fp16.outputTypes()).hasSize(STEPS).containsOnly(DataType.FLOAT16); // the transformer ran in fp16
    // Training works in both and fp16 follows fp32 step by step.
    assertThat(fp32.losses().get(STEPS - 1)).isLessThan(fp32.losses().get(0) * 0.95f);
    for (int i = 0; i < STEPS; i++) {
      assertThat((double) fp16.losses().get(i)).as("step %s", i)
          .isCloseTo(fp32.losses().get(i), within(0.01 * fp32.losses().get(i)));
    }
    ParameterSelection stage2 = ParameterSelection.paperStage2("connector.");
    String frozen = "transformer_blocks.0.ff.net.0.proj.weight";
    String trained = "transformer_blocks.0.attn.to_q.weight";
    assertThat(stage2.predicate().test(frozen)).isFalse();
    assertThat(stage2.predicate().test(trained)).isTrue();
    // The frozen float16 base is read as it is (no float32 master, no copy) and stays as loaded.
    assertThat(seen16.get(frozen)).isEqualTo(DataType.FLOAT16);
    assertThat(seen16.get(trained)).isEqualTo(DataType.FLOAT16);
    assertThat(readAsLoaded).contains(frozen).doesNotContain(trained);
    float[] frozen16 = fp16.after().get(frozen);
    for (int i = 0; i < frozen16.length; i++) {
      assertThat((double) frozen16[i]).isCloseTo(start.get(frozen)[i], within(1e-3 * Math.max(1, Math.abs(start.get(frozen)[i]))));
    }
    // The trained masters moved, by about as much as in fp32.
    double moved32 = 0;
    double diff = 0;
    for (int i = 0; i < start.get(trained).length; i++) {
      moved32 += Math.abs(fp32.after().get(trained)[i] - start.get(trained)[i]);
      diff += Math.abs(fp16.after().get(trained)[i] - fp32.after().get(trained)[i]);
    }
    assertThat(moved32).isGreaterThan(0);
    assertThat(diff).isLessThan(0.2 * moved32);
  }
}
