package io.gptedit.models.train;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prodigy (Mishchenko and Defazio, 2023, arXiv:2306.06101), the paper's stage-1 optimizer: Adam whose step size
 * {@code d} is estimated from the distance travelled from the initial weights, so the learning rate stays at 1.
 *
 * <p>One step with gradients {@code g}, initial weights {@code p0}, the current estimate {@code d} (starting at
 * {@code d0}) and {@code dlr = d * lr * bc} ({@code bc} is Adam's bias correction when enabled, else 1):
 *
 * <pre>
 *   r  &lt;- beta3 r + (d / d0) dlr &lt;g, p0 - p&gt;                  (summed over all parameters)
 *   m  &lt;- beta1 m + (1 - beta1) d g        v &lt;- beta2 v + (1 - beta2) d^2 g^2
 *   s  &lt;- beta3 s + (d / d0) dlr g          (dlr replaced by d under safeguard warm-up)
 *   d_hat = dCoef r / sum|s|;  if d == d0: d = max(d, d_hat);  dMax = max(dMax, d_hat);  d = min(dMax, d growth)
 *   p  &lt;- p - wd dlr p   (decoupled decay)          p &lt;- p - dlr m / (sqrt(v) + d eps)
 * </pre>
 *
 * where {@code beta3} defaults to {@code sqrt(beta2)}. The denominator of the last line uses the updated {@code d};
 * {@code dlr} is the one computed before the update. A step whose {@code sum|s|} is 0 (all gradients zero) changes
 * nothing.
 *
 * @param beta1 the first-moment decay
 * @param beta2 the second-moment decay
 * @param beta3 the decay of the step-size statistics ({@code NaN} means {@code sqrt(beta2)})
 * @param eps the denominator term, scaled by {@code d}
 * @param weightDecay the weight decay
 * @param decouple whether weight decay is AdamW-style (decoupled) rather than added to the gradient
 * @param biasCorrection whether to apply Adam's bias correction to {@code dlr}
 * @param safeguardWarmup whether to leave the learning rate out of {@code s} (helps under LR warm-up)
 * @param d0 the initial step-size estimate
 * @param dCoef the multiplier of the estimate (the recommended knob instead of lr)
 * @param growthRate the largest factor by which {@code d} may grow per step ({@code Infinity} for none)
 * @since 0.1
 */
public record ProdigyOptimizer(
    double beta1,
    double beta2,
    double beta3,
    double eps,
    double weightDecay,
    boolean decouple,
    boolean biasCorrection,
    boolean safeguardWarmup,
    double d0,
    double dCoef,
    double growthRate) {

  /**
   * Validates the hyper-parameters.
   *
   * @throws IllegalArgumentException if one is out of range
   */
  public ProdigyOptimizer {
    checkArgument(beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1), got %s", beta1);
    checkArgument(beta2 >= 0 && beta2 < 1, "beta2 must be in [0, 1), got %s", beta2);
    checkArgument(Double.isNaN(beta3) || (beta3 >= 0 && beta3 < 1), "beta3 must be in [0, 1) or NaN, got %s", beta3);
    checkArgument(eps > 0, "eps must be > 0, got %s", eps);
    checkArgument(weightDecay >= 0, "weightDecay must be >= 0, got %s", weightDecay);
    checkArgument(d0 > 0, "d0 must be > 0, got %s", d0);
    checkArgument(dCoef > 0, "dCoef must be > 0, got %s", dCoef);
    checkArgument(growthRate >= 1, "growthRate must be >= 1, got %s", growthRate);
  }

  /**
   * Returns the published defaults: betas (0.9, 0.999), beta3 = sqrt(beta2), eps 1e-8, no weight decay, decoupled,
   * no bias correction, no safeguard, d0 1e-6, dCoef 1, unbounded growth. Use it with lr 1.
   *
   * @return the defaults
   */
  public static ProdigyOptimizer defaults() {
    return new ProdigyOptimizer(0.9, 0.999, Double.NaN, 1e-8, 0, true, false, false, 1e-6, 1.0, Double.POSITIVE_INFINITY);
  }

  /**
   * Creates an optimizer with these hyper-parameters and empty state.
   *
   * @return a new optimizer; close it to free its state
   */
  public ParameterOptimizer create() {
    return new Impl(this);
  }

  private static final class Impl implements ParameterOptimizer {
    private final ProdigyOptimizer h;
    private final double beta3;
    private final OptimizerState state = new OptimizerState();
    private long k;
    private double d;
    private double dMax;
    private double numerator;

    /** The hyper-parameters, for provenance records. */
    @Override
    public String toString() {
      return h.toString();
    }

    Impl(ProdigyOptimizer h) {
      this.h = h;
      this.beta3 = Double.isNaN(h.beta3) ? Math.sqrt(h.beta2) : h.beta3;
      this.d = h.d0;
      this.dMax = h.d0;
    }

    @Override
    public void step(Map<String, NDArray> params, Map<String, NDArray> grads, double lr) {
      checkArgument(lr >= 0, "lr must be >= 0, got %s", lr);
      double bc =
          h.biasCorrection ? Math.sqrt(1 - Math.pow(h.beta2, k + 1)) / (1 - Math.pow(h.beta1, k + 1)) : 1.0;
      double dlr = d * lr * bc;
      double numeratorDecayed = numerator * beta3;
      double deltaNumerator = 0;
      double denom = 0;
      Map<String, NDArray> active = new LinkedHashMap<>();
      for (Map.Entry<String, NDArray> e : params.entrySet()) {
        NDArray g = grads.get(e.getKey());
        if (g == null) {
          continue;
        }
        NDArray p = e.getValue();
        OptimizerState.checkShapes(e.getKey(), p, g);
        active.put(e.getKey(), p);
        NDArray p0 = state.slot(e.getKey(), "p0", p, true);
        NDArray s = state.slot(e.getKey(), "s", p, false);
        NDArray m = state.slot(e.getKey(), "exp_avg", p, false);
        NDArray v = state.slot(e.getKey(), "exp_avg_sq", p, false);
        try (NDArray grad = h.weightDecay != 0 && !h.decouple ? g.add(p.mul(h.weightDecay)) : g.duplicate()) {
          if (lr > 0) {
            try (NDArray diff = p0.sub(p);
                NDArray dot = grad.mul(diff).sum()) {
              deltaNumerator += (d / h.d0) * dlr * dot.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
            }
            try (NDArray a = grad.mul(d * (1 - h.beta1));
                NDArray b = grad.square().muli(d * d * (1 - h.beta2));
                NDArray c = grad.mul((d / h.d0) * (h.safeguardWarmup ? d : dlr))) {
              m.muli(h.beta1).addi(a);
              v.muli(h.beta2).addi(b);
              s.muli(beta3).addi(c);
            }
            try (NDArray abs = s.abs();
                NDArray sum = abs.sum()) {
              denom += sum.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
            }
          }
        }
      }
      if (denom == 0) {
        return;
      }
      double newNumerator = numeratorDecayed + deltaNumerator;
      if (lr > 0) {
        double dHat = h.dCoef * newNumerator / denom;
        if (d == h.d0) {
          d = Math.max(d, dHat);
        }
        dMax = Math.max(dMax, dHat);
        d = Math.min(dMax, d * h.growthRate);
      }
      numerator = newNumerator;
      try (OptimizerState.StepScalars sc = new OptimizerState.StepScalars(active.values().iterator().next())) {
        for (Map.Entry<String, NDArray> e : active.entrySet()) {
          NDArray p = e.getValue();
          NDArray m = state.slot(e.getKey(), "exp_avg", p, false);
          NDArray v = state.slot(e.getKey(), "exp_avg_sq", p, false);
          if (h.weightDecay != 0 && h.decouple) {
            p.muli(sc.of(1 - h.weightDecay * dlr));
          }
          OptimizerState.adamUpdate(p, m, v, 1, d * h.eps, dlr, sc);
        }
      }
      k++;
    }

    /** Returns the current step-size estimate. */
    double d() {
      return d;
    }

    @Override
    public long steps() {
      return k;
    }

    @Override
    public Map<String, NDArray> stateTensors() {
      return state.all();
    }

    @Override
    public Map<String, Double> stateScalars() {
      Map<String, Double> m = new LinkedHashMap<>();
      m.put("step", (double) k);
      m.put("d", d);
      m.put("d_max", dMax);
      m.put("d_numerator", numerator);
      return m;
    }

    @Override
    public void loadState(Map<String, NDArray> tensors, Map<String, Double> scalars) {
      state.load(tensors);
      k = (long) OptimizerState.scalar(scalars, "step");
      d = OptimizerState.scalar(scalars, "d");
      dMax = OptimizerState.scalar(scalars, "d_max");
      numerator = OptimizerState.scalar(scalars, "d_numerator");
    }

    @Override
    public void close() {
      state.close();
    }
  }
}
