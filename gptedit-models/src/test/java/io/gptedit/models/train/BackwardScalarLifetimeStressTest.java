package io.gptedit.models.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.flux.FluxInput;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.flux.LatentPacking;
import io.gptedit.models.flow.SeededNoise;
import io.gptedit.models.nn.ActivationCheckpointing;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * Regression stress tests for the SIGSEGV in libtorch's backward under {@code bench-train --threads 2} (issue 16).
 *
 * <p>Root cause: DJL's {@code NDArray.div(Number)} (and {@code mul}, {@code add}, ... with a Java number) makes a
 * scalar array from Java-owned memory and closes it right after the op; autograd has saved that scalar for the
 * backward pass. Once the garbage collector frees the memory and a new allocation reuses it, the backward pass
 * reads a stale operand: wrong gradients, NaN losses, or a crash inside libtorch. The harness here forces exactly
 * that between the forward and the backward pass (a GC, a pause for the cleaner, then fresh scalars holding 1000),
 * so a regression shows on every iteration instead of once in minutes.
 */
class BackwardScalarLifetimeStressTest {
  private static final int ITERATIONS = 200;

  /** Frees whatever Java-owned native memory is unreachable and refills it with scalars holding 1000. */
  private static void churn(NDManager m) {
    System.gc();
    try {
      Thread.sleep(2);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (int j = 0; j < 20; j++) {
      m.create(1000f + j);
    }
  }

  /** How many of the iterations gave d(sum(x / 4))/dx != 0.25 when the division is made by {@code divide}. */
  private static int wrongGradients(BiFunction<NDArray, NDManager, NDArray> divide) {
    int wrong = 0;
    try (NDManager base = NDManager.newBaseManager()) {
      NDArray x = base.ones(new Shape(4));
      x.setRequiresGradient(true);
      for (int it = 0; it < ITERATIONS; it++) {
        try (NDManager m = base.newSubManager();
            GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray loss = x.mul(m.ones(new Shape(4))).sum();
          NDArray divided = divide.apply(loss, m);
          churn(m);
          gc.backward(divided);
        }
        try (NDArray g = x.getGradient()) {
          for (float v : g.toFloatArray()) {
            if (v != 0.25f) {
              wrong++;
              break;
            }
          }
          g.subi(g);
        }
      }
    }
    return wrong;
  }

  @Test
  void harnessCatchesTheOldPatternOfADivisorMadeFromAJavaNumber() {
    // The pattern that crashed: loss.div(accumulation). If DJL ever keeps such scalars alive this test fails and
    // the workaround can go.
    assertThat(wrongGradients((loss, m) -> loss.div(4f))).isGreaterThan(ITERATIONS / 2);
  }

  @Test
  void fineTunersAccumulationDivisorSurvivesGarbageCollectionBeforeBackward() {
    assertThat(wrongGradients((loss, m) -> FineTuner.divided(loss, 4, m))).isZero();
  }

  @Test
  void fluxTrainingStepWithLoraAndCheckpointingSurvivesGarbageCollectionBeforeBackward() {
    FluxConfig c = new FluxConfig(16, 16, 1, 1, 2, 16, 32, 24, true, new int[] {4, 6, 6}, 10000, 4);
    try (FluxTransformer model = FluxTransformer.random(c, 3);
        NDManager base = NDManager.newBaseManager()) {
      model.parameters().addLora(List.of("transformer_blocks.0.attn.to_q", "single_transformer_blocks.0.proj_out"),
          4, 8, 5);
      model.parameters().setTrainable(n -> n.contains("lora_") || n.startsWith("proj_out"));
      List<float[]> reference = null;
      for (int it = 0; it < 20; it++) {
        boolean checkpointing = it % 2 == 1;
        model.setActivationCheckpointing(checkpointing);
        try (NDManager m = base.newSubManager();
            GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          FluxInput in =
              new FluxInput(
                  SeededNoise.gaussian(m, 1, new Shape(2, 4, 16)),
                  SeededNoise.gaussian(m, 2, new Shape(2, 3, 32)),
                  SeededNoise.gaussian(m, 3, new Shape(2, 24)),
                  new float[] {0.3f, 0.8f},
                  new float[] {1f, 1f},
                  LatentPacking.imageIds(0, 2, 2),
                  FluxInput.zeroTextIds(3));
          NDArray v = model.forward(in, m);
          NDArray loss = FineTuner.divided(v.square().mean(), 2, m);
          if (it > 0) {
            churn(m); // the first iteration is the reference, computed without interference
          }
          ActivationCheckpointing.backward(gc, loss);
        }
        List<float[]> grads = new ArrayList<>();
        model.parameters().asMap().forEach((n, p) -> {
          if (p.hasGradient()) {
            try (NDArray g = p.getGradient()) {
              grads.add(g.toFloatArray());
              g.subi(g);
            }
          }
        });
        if (reference == null) {
          reference = grads;
          assertThat(grads.size()).isEqualTo(6); // two adapters (A, B) and proj_out (weight, bias)
          continue;
        }
        for (int k = 0; k < grads.size(); k++) {
          float[] a = reference.get(k);
          float[] b = grads.get(k);
          for (int i = 0; i < a.length; i++) {
            assertThat((double) b[i])
                .as("iteration %s (checkpointing %s), gradient %s[%s]", it, checkpointing, k, i)
                .isCloseTo(a[i], org.assertj.core.data.Offset.offset(1e-6));
          }
        }
      }
    }
  }
}
