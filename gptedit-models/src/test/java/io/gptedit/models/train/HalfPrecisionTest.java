package io.gptedit.models.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.gptedit.models.flow.SeededNoise;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fp16 side of the trainer: gradient accumulation into float32, per tensor and per flat bucket. */
class HalfPrecisionTest {
  private static final List<String> NAMES = List.of("a", "b", "c");

  private enum Layout { NONE, ONE, SEVERAL }

  /** Bit patterns, so that equal NaNs compare equal. */
  private static int[] bits(float[] v) {
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Float.floatToIntBits(v[i]);
    }
    return out;
  }

  /**
   * Runs two micro-batches' backward passes through the float16 copies and accumulates after each; returns, per
   * parameter, the float32 sums the accumulators hold and checks each copy's gradient is zero afterwards.
   */
  private static Map<String, float[]> accumulate(Layout layoutKind, float scale) {
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> master = new LinkedHashMap<>();
      master.put("a", SeededNoise.gaussian(m, 1, new Shape(4, 8)));
      master.put("b", SeededNoise.gaussian(m, 2, new Shape(8, 3)));
      master.put("c", SeededNoise.gaussian(m, 3, new Shape(3)));
      ParameterBuckets layout =
          switch (layoutKind) {
            case NONE -> null;
            case ONE -> ParameterBuckets.of(master, ParameterBuckets.DEFAULT_CAPACITY);
            case SEVERAL -> ParameterBuckets.of(master, 24);
          };
      HalfPrecision hp = new HalfPrecision(master, master, new LossScaler(LossScaler.Config.defaults()), m, layout);
      for (int micro = 0; micro < 2; micro++) {
        try (NDManager step = m.newSubManager();
            GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          Map<String, NDArray> v = hp.views();
          NDArray x = SeededNoise.gaussian(step, 10 + micro, new Shape(5, 4)).toType(DataType.FLOAT16, false);
          NDArray y = x.matMul(v.get("a")).matMul(v.get("b")).add(v.get("c"));
          NDArray loss = y.mul(y).sum().mul(step.create(scale).toType(DataType.FLOAT16, false));
          gc.backward(loss);
          hp.accumulateGradients(step);
        }
        for (String n : NAMES) {
          try (NDArray g = hp.views().get(n).getGradient()) {
            assertThat(g.toType(DataType.FLOAT32, false).toFloatArray()).as(n + " gradient after accumulating")
                .containsOnly(0f);
          }
        }
      }
      Map<String, float[]> out = new LinkedHashMap<>();
      for (String n : NAMES) {
        out.put(n, hp.accumulated().get(n).toFloatArray());
      }
      return out;
    }
  }

  @Test
  void accumulatingPerFlatBucketGivesTheSameFloat32SumsAsPerTensorAndZeroesEveryCopysGradient() {
    Map<String, float[]> perTensor = accumulate(Layout.NONE, 1f);
    for (Layout k : List.of(Layout.ONE, Layout.SEVERAL)) {
      Map<String, float[]> bucketed = accumulate(k, 1f);
      for (String n : NAMES) {
        assertThat(bits(bucketed.get(n))).as(k + " " + n).containsExactly(bits(perTensor.get(n)));
        assertThat(bucketed.get(n)).as(k + " " + n).doesNotContain(0f);
      }
    }
  }

  @Test
  void anOverflowedFloat16GradientIsAccumulatedAsInfinityAndStillZeroedForTheNextMicroBatch() {
    // 65504 is float16's largest value: a loss scaled by 2^14 overflows some gradients; zero_ must clear infinities
    // (a multiplication by zero would leave NaN in the copy's gradient for the next micro-batch).
    Map<String, float[]> bucketed = accumulate(Layout.ONE, 16384f);
    Map<String, float[]> perTensor = accumulate(Layout.NONE, 16384f);
    boolean anyInfinite = false;
    for (String n : NAMES) {
      for (float v : bucketed.get(n)) {
        anyInfinite |= Float.isInfinite(v) || Float.isNaN(v);
      }
      assertThat(bits(bucketed.get(n))).as(n).containsExactly(bits(perTensor.get(n)));
    }
    assertThat(anyInfinite).as("the scaled loss overflowed float16 somewhere").isTrue();
  }
}
