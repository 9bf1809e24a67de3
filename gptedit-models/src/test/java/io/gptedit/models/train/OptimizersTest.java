package io.gptedit.models.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * AdamWOptimizer and ProdigyOptimizer against updates computed by hand (plain double arithmetic written out in this test, step by
 * step, from the published update rules) on a small quadratic problem.
 */
class OptimizersTest {
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

  /** Gradient of f(p) = 0.5 * sum(c_i (p_i - t_i)^2): c_i (p_i - t_i). */
  private static double[] grad(double[] p) {
    double[] c = {1.0, 3.0, 0.5, 2.0};
    double[] t = {0.25, -1.0, 2.0, 0.0};
    double[] g = new double[p.length];
    for (int i = 0; i < p.length; i++) {
      g[i] = c[i] * (p[i] - t[i]);
    }
    return g;
  }

  private NDArray array(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return manager.create(f, new Shape(2, 2));
  }

  private static double[] values(NDArray a) {
    float[] f = a.toFloatArray();
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  @Test
  void adamWFirstStepMovesEachWeightByLrTimesTheSignOfItsGradient() {
    double[] p0 = {1, 1, 1, 1};
    NDArray p = array(p0);
    try (ParameterOptimizer opt = new AdamWOptimizer(0.9, 0.999, 1e-8, 0.0).create()) {
      opt.step(Map.of("w", p), Map.of("w", array(grad(p0))), 0.1);
    }
    // m_hat = g, v_hat = g^2: the update is lr * g / (|g| + eps) = lr * sign(g).
    assertThat(values(p)).containsExactly(new double[] {0.9, 0.9, 1.1, 0.9}, within(1e-6));
  }

  @Test
  void adamWMatchesHandComputedUpdatesWithWeightDecayOverSixSteps() {
    double b1 = 0.9;
    double b2 = 0.99;
    double eps = 1e-8;
    double wd = 0.1;
    double[] lrs = {0.05, 0.04, 0.03, 0.03, 0.02, 0.01};
    double[] ref = {0.5, -0.5, 1.5, 3.0};
    double[] m = new double[4];
    double[] v = new double[4];
    NDArray p = array(ref);
    try (ParameterOptimizer opt = new AdamWOptimizer(b1, b2, eps, wd).create()) {
      for (int t = 1; t <= lrs.length; t++) {
        double lr = lrs[t - 1];
        double[] g = grad(ref);
        opt.step(Map.of("w", p), Map.of("w", array(g)), lr);
        for (int i = 0; i < 4; i++) {
          ref[i] *= 1 - lr * wd;
          m[i] = b1 * m[i] + (1 - b1) * g[i];
          v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
          double mHat = m[i] / (1 - Math.pow(b1, t));
          double denom = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(b2, t)) + eps;
          ref[i] -= lr * mHat / denom;
        }
        assertThat(values(p)).as("after step %s", t).containsExactly(ref, within(2e-6));
      }
      assertThat(opt.steps()).isEqualTo(6);
    }
  }

  /**
   * ProdigyOptimizer by hand: the published rule for a single parameter tensor, in doubles, with every stored tensor
   * (weights, moments, s) rounded to float after each update as the FLOAT32 arrays are. Without that rounding the
   * comparison would fail for the wrong reason: {@code p0 - p} after a 1e-6 step has only a few float bits.
   */
  private static final class ProdigyByHand {
    final double b1 = 0.9;
    final double b2 = 0.999;
    final double b3 = Math.sqrt(0.999);
    final double eps = 1e-8;
    final double d0 = 1e-6;
    final double growthRate = Double.POSITIVE_INFINITY;
    double d = d0;
    double dMax = d0;
    double r;
    final double[] p;
    final double[] p0;
    final double[] m = new double[4];
    final double[] v = new double[4];
    final double[] s = new double[4];

    ProdigyByHand(double[] start) {
      p = new double[start.length];
      for (int i = 0; i < start.length; i++) {
        p[i] = (float) start[i];
      }
      p0 = p.clone();
    }

    void step(double lr) {
      double[] g = grad(p);
      for (int i = 0; i < g.length; i++) {
        g[i] = (float) g[i];
      }
      double dlr = d * lr;
      double dot = 0;
      for (int i = 0; i < 4; i++) {
        dot += g[i] * (p0[i] - p[i]);
      }
      r = b3 * r + (d / d0) * dlr * dot;
      double sumAbs = 0;
      for (int i = 0; i < 4; i++) {
        m[i] = (float) (b1 * m[i] + (1 - b1) * d * g[i]);
        v[i] = (float) (b2 * v[i] + (1 - b2) * d * d * g[i] * g[i]);
        s[i] = (float) (b3 * s[i] + (d / d0) * dlr * g[i]);
        sumAbs += Math.abs(s[i]);
      }
      double dHat = r / sumAbs;
      if (d == d0) {
        d = Math.max(d, dHat);
      }
      dMax = Math.max(dMax, dHat);
      d = Math.min(dMax, d * growthRate);
      for (int i = 0; i < 4; i++) {
        p[i] = (float) (p[i] - dlr * m[i] / (Math.sqrt(v[i]) + d * eps));
      }
    }
  }

  @Test
  void prodigyMatchesTheHandComputedRuleAndGrowsItsStepSize() {
    double[] start = {0.5, -0.5, 1.5, 3.0};
    ProdigyByHand ref = new ProdigyByHand(start);
    NDArray p = array(start);
    try (ParameterOptimizer opt = ProdigyOptimizer.defaults().create()) {
      for (int t = 1; t <= 25; t++) {
        double[] current = values(p);
        opt.step(Map.of("w", p), Map.of("w", array(grad(current))), 1.0);
        ref.step(1.0);
        double dOurs = opt.stateScalars().get("d");
        assertThat(dOurs).as("d after step %s", t).isCloseTo(ref.d, within(Math.abs(ref.d) * 1e-3 + 1e-12));
        for (int i = 0; i < 4; i++) {
          assertThat(values(p)[i]).as("p[%s] after step %s", i, t).isCloseTo(ref.p[i], within(1e-4));
        }
      }
      // The estimate starts at d0 = 1e-6 and must have grown by orders of magnitude on this problem.
      assertThat(opt.stateScalars().get("d")).isGreaterThan(1e-3);
    }
  }

  @Test
  void prodigyFirstStepKeepsD0BecauseNoDistanceWasTravelled() {
    NDArray p = array(new double[] {1, 2, 3, 4});
    try (ParameterOptimizer opt = ProdigyOptimizer.defaults().create()) {
      opt.step(Map.of("w", p), Map.of("w", array(grad(new double[] {1, 2, 3, 4}))), 1.0);
      assertThat(opt.stateScalars().get("d")).isEqualTo(1e-6);
      assertThat(opt.stateScalars().get("d_numerator")).isEqualTo(0.0);
    }
  }

  @Test
  void allZeroGradientsLeaveProdigyAndTheWeightsUnchanged() {
    NDArray p = array(new double[] {1, 2, 3, 4});
    try (ParameterOptimizer opt = ProdigyOptimizer.defaults().create()) {
      opt.step(Map.of("w", p), Map.of("w", array(new double[4])), 1.0);
      assertThat(values(p)).containsExactly(1, 2, 3, 4);
      assertThat(opt.steps()).isZero();
    }
  }

  @Test
  void stateRoundTripContinuesBitExactly() {
    double[] start = {0.5, -0.5, 1.5, 3.0};
    NDArray straight = array(start);
    NDArray resumed = array(start);
    try (ParameterOptimizer a = ProdigyOptimizer.defaults().create();
        ParameterOptimizer b = ProdigyOptimizer.defaults().create()) {
      for (int t = 0; t < 4; t++) {
        a.step(Map.of("w", straight), Map.of("w", array(grad(values(straight)))), 1.0);
        b.step(Map.of("w", resumed), Map.of("w", array(grad(values(resumed)))), 1.0);
      }
      Map<String, NDArray> saved = new LinkedHashMap<>();
      b.stateTensors().forEach((k, v) -> saved.put(k, v.duplicate()));
      Map<String, Double> scalars = b.stateScalars();
      try (ParameterOptimizer c = ProdigyOptimizer.defaults().create()) {
        c.loadState(saved, scalars);
        for (int t = 0; t < 4; t++) {
          a.step(Map.of("w", straight), Map.of("w", array(grad(values(straight)))), 1.0);
          c.step(Map.of("w", resumed), Map.of("w", array(grad(values(resumed)))), 1.0);
        }
      }
      assertThat(resumed.toFloatArray()).containsExactly(straight.toFloatArray());
    }
  }

  @Test
  void gradientShapeMismatchIsNamed() {
    try (ParameterOptimizer opt = AdamWOptimizer.defaults().create()) {
      assertThatThrownBy(
              () -> opt.step(Map.of("blocks.0.w", manager.zeros(new Shape(2))), Map.of("blocks.0.w", manager.zeros(new Shape(3))), 0.1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("blocks.0.w");
    }
  }

  @Test
  void clippingScalesToTheMaxNormAndReportsTheNormBefore() {
    NDArray a = manager.create(new float[] {3, 0});
    NDArray b = manager.create(new float[] {0, 4});
    double norm = GradientClipping.clipGlobalNorm(List.of(a, b), 1.0);
    assertThat(norm).isCloseTo(5.0, within(1e-9));
    assertThat(GradientClipping.globalNorm(List.of(a, b))).isCloseTo(1.0, within(1e-5));
    assertThat(GradientClipping.clipGlobalNorm(List.of(a, b), 10.0)).isCloseTo(1.0, within(1e-5));
    assertThat(a.toFloatArray()[0]).isCloseTo(0.6f, within(1e-5f));
  }

  @Test
  void emaFollowsTheRecurrence() {
    NDArray w = manager.create(new float[] {0, 10});
    try (Ema ema = new Ema(Map.of("w", w), 0.9)) {
      w.muli(0).addi(1); // w = [1, 1]
      ema.update(Map.of("w", w));
      assertThat(ema.weights().get("w").toFloatArray()).containsExactly(new float[] {0.1f, 9.1f}, within(1e-6f));
    }
  }

  @Test
  void schedulesWarmUpLinearlyAndDecayAlongACosine() {
    LrSchedule cos = new LrSchedule.Cosine(1.0, 0.1, 4, 14);
    assertThat(cos.at(0)).isEqualTo(0.25);
    assertThat(cos.at(3)).isEqualTo(1.0);
    assertThat(cos.at(4)).isEqualTo(1.0);
    assertThat(cos.at(13)).isCloseTo(0.1, within(1e-12));
    assertThat(cos.at(100)).isCloseTo(0.1, within(1e-12));
    // Halfway through the decay: floor + (peak - floor) / 2.
    assertThat(new LrSchedule.Cosine(1.0, 0.0, 0, 11).at(5)).isCloseTo(0.5, within(1e-12));
    assertThat(new LrSchedule.Constant(2e-4, 0).at(7)).isEqualTo(2e-4);
    assertThatThrownBy(() -> new LrSchedule.Cosine(1, 0, 10, 10)).hasMessageContaining("must exceed warmup");
  }
}
