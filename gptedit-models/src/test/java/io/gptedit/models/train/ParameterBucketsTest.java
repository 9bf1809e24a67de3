package io.gptedit.models.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The flat-bucket AdamW against the per-tensor form it replaced (the same ops written out per tensor in this test):
 * bit-identical weights and moments over several steps, with buckets forced small enough that the layout has
 * several buckets and a tensor larger than a bucket; gradients handed in are not changed; the state is named per
 * parameter and resumes. (A 0-dim parameter is the one difference: the per-tensor form updated it in float64,
 * because a 0-dim float32 operand promotes with the float64 scalar operands; the flat form computes in float32,
 * as PyTorch's AdamW does.)
 */
class ParameterBucketsTest {
  private static final Shape[] SHAPES = {
    new Shape(3, 5), new Shape(7), new Shape(1), new Shape(4, 2, 3), new Shape(40), new Shape(2, 2), new Shape(1, 9)
  };
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

  private Map<String, NDArray> tensors(long seed, float scale) {
    SplittableRandom r = new SplittableRandom(seed);
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (int i = 0; i < SHAPES.length; i++) {
      float[] v = new float[(int) SHAPES[i].size()];
      for (int j = 0; j < v.length; j++) {
        v[j] = (float) (r.nextGaussian() * scale);
      }
      out.put("block" + i + ".weight", manager.create(v, SHAPES[i]));
    }
    return out;
  }

  private static Map<String, NDArray> copies(Map<String, NDArray> m) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, v.getManager().create(v.toFloatArray(), v.getShape())));
    return out;
  }

  private Map<String, NDArray> zerosLike(Map<String, NDArray> m) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, manager.zeros(v.getShape())));
    return out;
  }

  @Test
  void bucketedAdamWIsBitIdenticalToThePerTensorUpdateAcrossSeveralBucketsAndSteps() {
    AdamWOptimizer h = new AdamWOptimizer(0.9, 0.99, 1e-8, 0.01);
    Map<String, NDArray> params = tensors(1, 1f);
    Map<String, NDArray> ref = copies(params);
    Map<String, NDArray> refM = zerosLike(ref);
    Map<String, NDArray> refV = zerosLike(ref);
    // 20 values per bucket: [15], [7 + 1], [24 on its own], [40 on its own], [4 + 9]
    ParameterBuckets layout = ParameterBuckets.of(params, 20);
    assertThat(layout.buckets()).hasSize(5);
    assertThat(layout.buckets().get(3).size()).isEqualTo(40);
    try (ParameterOptimizer opt = h.create()) {
      for (int step = 1; step <= 6; step++) {
        double lr = 1e-2 * step;
        Map<String, NDArray> grads = tensors(100 + step, 0.5f);
        try (NDManager scope = manager.newSubManager()) {
          List<NDArray> gathered = layout.gather(grads, scope);
          ((BucketedOptimizer) opt).step(params, layout, gathered, lr);
        }
        PerTensorAdamW.step(h, ref, grads, refM, refV, step, lr);
        for (String n : params.keySet()) {
          assertThat(params.get(n).toFloatArray()).as("%s after step %s", n, step)
              .containsExactly(ref.get(n).toFloatArray());
        }
      }
      Map<String, NDArray> state = opt.stateTensors();
      assertThat(state).hasSize(2 * SHAPES.length);
      for (String n : params.keySet()) {
        assertThat(state.get(n + "/exp_avg").getShape()).isEqualTo(params.get(n).getShape());
        assertThat(state.get(n + "/exp_avg").toFloatArray()).containsExactly(refM.get(n).toFloatArray());
        assertThat(state.get(n + "/exp_avg_sq").toFloatArray()).containsExactly(refV.get(n).toFloatArray());
      }
    }
  }

  @Test
  void theMapFormLeavesTheCallersGradientsUnchangedAndUpdatesA0DimParameterInFloat32() {
    Map<String, NDArray> params = tensors(2, 1f);
    Map<String, NDArray> grads = tensors(3, 1f);
    params.put("scale", manager.create(0.5f));
    grads.put("scale", manager.create(0.25f));
    Map<String, NDArray> before = copies(grads);
    try (ParameterOptimizer opt = AdamWOptimizer.defaults().create()) {
      opt.step(params, grads, 1e-3);
      opt.step(params, grads, 1e-3);
    }
    for (String n : grads.keySet()) {
      assertThat(grads.get(n).toFloatArray()).as(n).containsExactly(before.get(n).toFloatArray());
    }
    // two steps of a constant gradient move it by about 2 lr, decayed twice by (1 - lr wd)
    assertThat(params.get("scale").getShape()).isEqualTo(new Shape());
    assertThat(params.get("scale").getFloat()).isCloseTo(
        (float) (0.5 * (1 - 1e-5) * (1 - 1e-5) - 2e-3), org.assertj.core.api.Assertions.within(2e-6f));
  }

  @Test
  void aParameterThatLosesItsGradientKeepsItsMomentsAndEveryStepMatchesThePerTensorFormAlsoAfterReloads() {
    AdamWOptimizer h = AdamWOptimizer.defaults();
    Map<String, NDArray> a = tensors(4, 1f);
    Map<String, NDArray> b = copies(a);
    Map<String, NDArray> ref = copies(a);
    Map<String, NDArray> refM = zerosLike(ref);
    Map<String, NDArray> refV = zerosLike(ref);
    Map<String, NDArray> g2 = tensors(6, 1f);
    g2.remove("block3.weight"); // the layout changes at step 2 and back at step 3
    List<Map<String, NDArray>> grads = List.of(tensors(5, 1f), g2, tensors(7, 1f));
    try (ParameterOptimizer x = h.create();
        ParameterOptimizer y = h.create()) {
      Map<String, NDArray> saved = Map.of();
      double steps = 0;
      for (int i = 0; i < grads.size(); i++) {
        Map<String, NDArray> g = grads.get(i);
        x.step(a, g, 1e-2);
        // y: the same steps, its state saved and loaded again before each one
        if (!saved.isEmpty()) {
          y.loadState(saved, Map.of("step", steps));
        }
        y.step(b, g, 1e-2);
        saved = copies(y.stateTensors());
        steps = y.stateScalars().get("step");
        PerTensorAdamW.step(h, ref, g, refM, refV, i + 1, 1e-2);
        assertThat(x.stateTensors()).hasSize(2 * SHAPES.length);
        for (String n : a.keySet()) {
          assertThat(a.get(n).toFloatArray()).as("%s, step %s", n, i + 1).containsExactly(ref.get(n).toFloatArray());
          assertThat(b.get(n).toFloatArray()).as("%s, step %s", n, i + 1).containsExactly(ref.get(n).toFloatArray());
          assertThat(x.stateTensors().get(n + "/exp_avg").toFloatArray()).containsExactly(refM.get(n).toFloatArray());
        }
      }
    }
  }
}
