package io.gptedit.models.flux;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.engine.Engine;
import io.gptedit.models.flow.EulerSampler;
import io.gptedit.models.flow.FlowSchedules;
import io.gptedit.models.flow.SeededNoise;
import org.junit.jupiter.api.Test;

class FluxSamplingScopeTest {
  private static float[] run(FluxTransformer model, NDManager m, long seed, int steps) {
    FluxConfig c = model.config();
    NDArray text = SeededNoise.gaussian(m, 100, new Shape(1, 3, c.jointAttentionDim()));
    NDArray pooled = SeededNoise.gaussian(m, 101, new Shape(1, c.pooledProjectionDim()));
    NDArray noise = SeededNoise.gaussian(m, seed, new Shape(1, 4, c.inChannels()));
    int[][] ids = LatentPacking.imageIds(0, 2, 2);
    NDArray out =
        EulerSampler.sample(
            noise,
            FlowSchedules.bfl(steps, 4),
            (x, t, scope) ->
                model.forward(
                    new FluxInput(x, text, pooled, new float[] {t}, new float[] {3.5f}, ids,
                        FluxInput.zeroTextIds(3)),
                    scope),
            (s, n) -> {});
    return out.toFloatArray();
  }

  @Test
  void samplingLoopLeaksNothingIntoCappedParameterOrCallerManagers() {
    try (FluxTransformer model = FluxTransformer.random(FluxConfig.tiny(), 9);
        NDManager m = NDManager.newBaseManager()) {
      model.parameters().freeze(); // any array attached to the parameters' manager now throws
      run(model, m, 1, 2);
      int before = m.getManagedArrays().size();
      run(model, m, 1, 6);
      // Each run leaves exactly its 3 inputs and the result in the caller's manager, whatever the step count.
      assertThat(m.getManagedArrays().size() - before).isEqualTo(4);
    }
  }

  @Test
  void samplingWithFixedSeedIsBitReproducible() {
    try (FluxTransformer model = FluxTransformer.random(FluxConfig.tiny(), 9);
        NDManager m = NDManager.newBaseManager()) {
      float[] a = run(model, m, 5, 3);
      float[] b = run(model, m, 5, 3);
      assertThat(b).containsExactly(a);
      assertThat(run(model, m, 6, 3)).isNotEqualTo(a);
    }
  }

  @Test
  void parametersCanBeTrainedWithGradients() {
    try (FluxTransformer model = FluxTransformer.random(FluxConfig.tiny(), 9);
        NDManager m = NDManager.newBaseManager()) {
      model.parameters().setTrainable(model.imageBranchParameterNames()::contains);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray v = model.forward(FluxLoadingTest.input(m, model.config(), 1), m);
        gc.backward(v.square().mean());
      }
      NDArray g = model.parameters().get("transformer_blocks.0.attn.to_q.weight").getGradient();
      assertThat(g.abs().sum().getFloat()).isGreaterThan(0f);
    }
  }
}
