package io.gptedit.models.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.gptedit.models.flow.SeededNoise;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The fp16 side of the trainer: gradient accumulation into float32, per tensor and per flat bucket, and the float16
 * copies refreshed from their masters.
 */
class HalfPrecisionTest {
  private static final List<String> NAMES = List.of("a", "b", "c");

  private enum Layout { NONE, ONE, SEVERAL }

  /** The trained tensors' layout of a kind: none, one bucket, or buckets of 24 values (several for a, b, c). */
  private static ParameterBuckets layout(Layout kind, Map<String, NDArray> trainable) {
    return switch (kind) {
      case NONE -> null;
      case ONE -> ParameterBuckets.of(trainable, ParameterBuckets.DEFAULT_CAPACITY);
      case SEVERAL -> ParameterBuckets.of(trainable, 24);
    };
  }

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
   * parameter, the float32 sums the accumulators hold and checks each copy's gradient is zero afterwards. Also checks
   * them against each gradient cast to float32 by the test and added there, bit for bit.
   */
  private static Map<String, float[]> accumulate(Layout layoutKind, float scale) {
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> master = new LinkedHashMap<>();
      master.put("a", SeededNoise.gaussian(m, 1, new Shape(4, 8)));
      master.put("b", SeededNoise.gaussian(m, 2, new Shape(8, 3)));
      master.put("c", SeededNoise.gaussian(m, 3, new Shape(3)));
      ParameterBuckets layout = layout(layoutKind, master);
      HalfPrecision hp = new HalfPrecision(master, master, new LossScaler(LossScaler.Config.defaults()), m, layout);
      Map<String, NDArray> castThenAdded = new LinkedHashMap<>();
      for (String n : NAMES) {
        castThenAdded.put(n, m.zeros(master.get(n).getShape()));
      }
      for (int micro = 0; micro < 2; micro++) {
        try (NDManager step = m.newSubManager();
            GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          Map<String, NDArray> v = hp.views();
          NDArray x = SeededNoise.gaussian(step, 10 + micro, new Shape(5, 4)).toType(DataType.FLOAT16, false);
          NDArray y = x.matMul(v.get("a")).matMul(v.get("b")).add(v.get("c"));
          NDArray loss = y.mul(y).sum().mul(step.create(scale).toType(DataType.FLOAT16, false));
          gc.backward(loss);
          for (String n : NAMES) {
            try (NDArray g = v.get(n).getGradient()) {
              castThenAdded.get(n).addi(g.toType(DataType.FLOAT32, false));
            }
          }
          hp.accumulateGradients();
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
        assertThat(bits(out.get(n))).as(layoutKind + " " + n + " against cast, then added")
            .containsExactly(bits(castThenAdded.get(n).toFloatArray()));
      }
      if (layout != null) { // the accumulators are the flat buckets' views: the optimizer reads the buckets
        for (int i = 0; i < layout.buckets().size(); i++) {
          ParameterBuckets.Bucket b = layout.buckets().get(i);
          float[] flat = hp.flat().get(i).toFloatArray();
          assertThat((long) flat.length).isEqualTo(b.size());
          for (ParameterBuckets.Slot s : b.slots()) {
            int from = Math.toIntExact(s.offset());
            assertThat(bits(Arrays.copyOfRange(flat, from, from + Math.toIntExact(s.size()))))
                .as(layoutKind + " bucket " + i + " " + s.name()).containsExactly(bits(out.get(s.name())));
          }
        }
      }
      return out;
    }
  }

  @Test
  void accumulatingGivesTheFloat32SumsOfCastGradientsInTheFlatBucketsAndZeroesEveryCopysGradient() {
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

  /** Float16 bit patterns of an array (cast to float32 first: every float16 value is exact in float32). */
  private static int[] halfBits(NDArray a) {
    return bits(a.toType(DataType.FLOAT32, false).toFloatArray());
  }

  @Test
  void refreshingWritesEveryFloat16CopyAsACastOfItsMasterWouldBitForBitAndOnlyTheNamedOnes() {
    for (Layout kind : Layout.values()) {
      try (NDManager m = NDManager.newBaseManager()) {
        Map<String, NDArray> master = new LinkedHashMap<>();
        master.put("a", SeededNoise.gaussian(m, 1, new Shape(4, 8)));
        master.put("frozen32", SeededNoise.gaussian(m, 4, new Shape(5)));
        master.put("b", SeededNoise.gaussian(m, 2, new Shape(8, 3)));
        master.put("frozen16", SeededNoise.gaussian(m, 5, new Shape(2, 2)).toType(DataType.FLOAT16, false));
        master.put("c", SeededNoise.gaussian(m, 3, new Shape(3)));
        Map<String, NDArray> trainable = new LinkedHashMap<>();
        for (String n : NAMES) {
          trainable.put(n, master.get(n));
        }
        ParameterBuckets layout = layout(kind, trainable);
        HalfPrecision hp = new HalfPrecision(master, trainable, new LossScaler(LossScaler.Config.defaults()), m, layout);
        assertThat(hp.views().keySet()).as(kind + " copies in the masters' order").containsExactlyElementsOf(
            master.keySet());
        assertThat(hp.views().get("frozen16")).as(kind + " a float16 frozen parameter is read as it is")
            .isSameAs(master.get("frozen16"));
        for (String n : NAMES) {
          assertThat(hp.views().get(n).hasGradient()).as(kind + " " + n + " is trained").isTrue();
        }
        assertThat(hp.views().get("frozen32").hasGradient()).as(kind + " frozen32 is not").isFalse();
        // Values float16 rounds in every way: halfway cases, subnormals, overflow to infinity.
        for (int round = 0; round < 3; round++) {
          for (String n : List.of("a", "frozen32", "b", "c")) {
            NDArray noise = SeededNoise.gaussian(m, 100 + round, master.get(n).getShape());
            master.get(n).muli(noise.mul(round == 0 ? 1e3f : round == 1 ? 1e-6f : 7e4f));
          }
          // the trained names only (what a step refreshes), then the frozen float32 one alone
          hp.refresh(round == 1 ? List.of("c", "a", "b") : trainable.keySet());
          hp.refresh(List.of("frozen32"));
          for (String n : List.of("a", "frozen32", "b", "c")) {
            assertThat(halfBits(hp.views().get(n))).as(kind + " round " + round + " " + n)
                .containsExactly(halfBits(master.get(n).toType(DataType.FLOAT16, false)));
          }
        }
        // A refresh of some names writes those copies and leaves the others as they were.
        int[] before = halfBits(hp.views().get("b"));
        master.get("a").addi(m.create(1f));
        hp.refresh(List.of("a"));
        assertThat(halfBits(hp.views().get("a"))).as(kind + " part: a")
            .containsExactly(halfBits(master.get("a").toType(DataType.FLOAT16, false)));
        assertThat(halfBits(hp.views().get("b"))).as(kind + " part: b untouched").containsExactly(before);
      }
    }
  }
}
