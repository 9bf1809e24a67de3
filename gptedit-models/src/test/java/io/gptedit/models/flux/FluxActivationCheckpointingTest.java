package io.gptedit.models.flux;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.gptedit.models.flow.SeededNoise;
import io.gptedit.models.nn.ActivationCheckpointing;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class FluxActivationCheckpointingTest {
  /** 2 double and 2 single blocks, so gradients cross block boundaries of both kinds. */
  private static final FluxConfig CONFIG =
      new FluxConfig(16, 16, 2, 2, 2, 16, 32, 24, true, new int[] {4, 6, 6}, 10000, 4);

  /** Gradients of every trainable parameter and of the text input (standing for a trainable connector). */
  private static Map<String, float[]> gradients(boolean checkpointing, Predicate<String> trainable) {
    Map<String, float[]> out = new LinkedHashMap<>();
    try (FluxTransformer model = FluxTransformer.random(CONFIG, 21);
        NDManager m = NDManager.newBaseManager()) {
      model.parameters().setTrainable(trainable);
      model.setActivationCheckpointing(checkpointing);
      FluxInput base = FluxLoadingTest.input(m, CONFIG, 5);
      NDArray text = base.encoderHidden().mul(1f); // a fresh leaf standing for the connector's output
      text.setRequiresGradient(true);
      FluxInput in =
          new FluxInput(
              base.hidden(), text, base.pooled(), base.timesteps(), base.guidance(), base.imageIds(),
              base.textIds());
      NDArray target = SeededNoise.gaussian(m, 77, new Shape(1, 4, CONFIG.outChannels()));
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray v = model.forward(in, m);
        ActivationCheckpointing.backward(gc, v.sub(target).square().mean());
      }
      model.parameters().asMap().forEach((name, p) -> {
        if (p.hasGradient()) {
          out.put(name, p.getGradient().toFloatArray());
        }
      });
      out.put("<text input>", text.getGradient().toFloatArray());
    }
    return out;
  }

  private static void assertEqualWithin(Map<String, float[]> plain, Map<String, float[]> ckpt, double tol) {
    assertThat(ckpt.keySet()).containsExactlyElementsOf(plain.keySet());
    double nonzero = 0;
    for (String name : plain.keySet()) {
      float[] a = plain.get(name);
      float[] b = ckpt.get(name);
      assertThat(b).as(name).hasSameSizeAs(a);
      for (int i = 0; i < a.length; i++) {
        assertThat((double) b[i]).as("%s[%s]", name, i).isCloseTo(a[i], org.assertj.core.data.Offset.offset(tol));
        nonzero += Math.abs(a[i]);
      }
      // Every checked gradient is real: the comparison cannot pass on all-zero arrays.
      assertThat(nonzero).as(name).isGreaterThan(0);
    }
  }

  @Test
  void checkpointedGradientsOfAllParametersEqualPlainOnesWithin1e6() {
    Map<String, float[]> plain = gradients(false, n -> true);
    Map<String, float[]> ckpt = gradients(true, n -> true);
    assertThat(plain).hasSize(FluxTransformer.spec(CONFIG).entries().size() + 1);
    assertEqualWithin(plain, ckpt, 1e-6);
  }

  @Test
  void checkpointedGradientsOfStage2SelectionEqualPlainOnesWithin1e6() {
    Predicate<String> stage2;
    try (FluxTransformer probe = FluxTransformer.random(CONFIG, 21)) {
      stage2 = probe.imageBranchParameterNames()::contains;
    }
    Map<String, float[]> plain = gradients(false, stage2);
    Map<String, float[]> ckpt = gradients(true, stage2);
    assertThat(plain.keySet()).anyMatch(n -> n.startsWith("single_transformer_blocks.1."));
    assertEqualWithin(plain, ckpt, 1e-6);
  }

  @Test
  void checkpointingLeavesInferenceOutputsBitIdentical() {
    try (FluxTransformer model = FluxTransformer.random(CONFIG, 21);
        NDManager m = NDManager.newBaseManager()) {
      FluxInput in = FluxLoadingTest.input(m, CONFIG, 5);
      float[] plain = model.forward(in, m).toFloatArray();
      model.setActivationCheckpointing(true);
      assertThat(model.forward(in, m).toFloatArray()).containsExactly(plain);
      assertThat(ActivationCheckpointing.discardPending()).isZero();
    }
  }

  @Test
  void checkpointedTrainingForwardEqualsPlainForwardAndDefersOneRecomputation() {
    try (FluxTransformer model = FluxTransformer.random(CONFIG, 21);
        NDManager m = NDManager.newBaseManager()) {
      model.parameters().setTrainable(n -> true);
      FluxInput in = FluxLoadingTest.input(m, CONFIG, 5);
      float[] plain;
      float[] ckpt;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        plain = model.forward(in, m).toFloatArray();
        model.setActivationCheckpointing(true);
        ckpt = model.forward(in, m).toFloatArray();
        gc.zeroGradients();
      }
      assertThat(ckpt).containsExactly(plain);
      assertThat(ActivationCheckpointing.discardPending()).isEqualTo(1);
    }
  }

  /**
   * Arrays a plain training forward pass of {@code doubles} + {@code singles} blocks leaves in the caller's manager
   * (sub-managers included); the backward pass then runs from what autograd saved, and every parameter gets a finite
   * gradient.
   */
  private static int arraysLeftByPlainTrainingForward(int doubles, int singles) {
    FluxConfig c = new FluxConfig(16, 16, doubles, singles, 2, 16, 32, 24, true, new int[] {4, 6, 6}, 10000, 4);
    try (FluxTransformer model = FluxTransformer.random(c, 21);
        NDManager m = NDManager.newBaseManager()) {
      model.parameters().setTrainable(n -> true);
      FluxInput in = FluxLoadingTest.input(m, c, 5);
      int before = ((BaseNDManager) m).getManagedArrays().size();
      int left;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray v = model.forward(in, m);
        left = ((BaseNDManager) m).getManagedArrays().size() - before;
        gc.backward(v.square().mean());
      }
      double sum = 0;
      for (Map.Entry<String, NDArray> e : model.parameters().asMap().entrySet()) {
        float[] g = e.getValue().getGradient().toFloatArray();
        for (float x : g) {
          assertThat(Float.isFinite(x)).as(e.getKey()).isTrue();
          sum += Math.abs(x);
        }
      }
      assertThat(sum).isGreaterThan(0);
      return left;
    }
  }

  @Test
  void plainTrainingForwardFreesEveryBlocksIntermediatesAndKeepsOnlyItsOutputs() {
    // Each block runs in a scope that closes after it, in training too: the engine keeps what autograd saved, and
    // the caller's manager keeps only the blocks' outputs (two streams per double block, one per single block).
    // When every intermediate was held to the end of the step, each extra block left about a hundred arrays.
    int shallow = arraysLeftByPlainTrainingForward(1, 1);
    int deep = arraysLeftByPlainTrainingForward(3, 3);
    assertThat(deep - shallow).isEqualTo(2 * 2 + 2 * 1);
  }
}
