package io.gptedit.models.train;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), as PyTorch's {@code torch.optim.AdamW} computes it:
 *
 * <pre>
 *   p &lt;- p (1 - lr wd)
 *   m &lt;- b1 m + (1 - b1) g            v &lt;- b2 v + (1 - b2) g^2
 *   p &lt;- p - (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * </pre>
 *
 * The paper's stage 2 uses lr 1e-6, betas (0.9, 0.99) and weight decay 0.
 *
 * @param beta1 the first-moment decay, in [0, 1)
 * @param beta2 the second-moment decay, in [0, 1)
 * @param eps added to the denominator, positive
 * @param weightDecay the decoupled weight decay, non-negative
 * @since 0.1
 */
public record AdamWOptimizer(double beta1, double beta2, double eps, double weightDecay) {

  /**
   * Validates the hyper-parameters.
   *
   * @throws IllegalArgumentException if one is out of range
   */
  public AdamWOptimizer {
    checkArgument(beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1), got %s", beta1);
    checkArgument(beta2 >= 0 && beta2 < 1, "beta2 must be in [0, 1), got %s", beta2);
    checkArgument(eps > 0, "eps must be > 0, got %s", eps);
    checkArgument(weightDecay >= 0, "weightDecay must be >= 0, got %s", weightDecay);
  }

  /**
   * Returns PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, weight decay 0.01.
   *
   * @return the defaults
   */
  public static AdamWOptimizer defaults() {
    return new AdamWOptimizer(0.9, 0.999, 1e-8, 0.01);
  }

  /**
   * Returns the paper's stage-2 settings: betas (0.9, 0.99), eps 1e-8, weight decay 0.
   *
   * @return the stage-2 hyper-parameters
   */
  public static AdamWOptimizer paperStage2() {
    return new AdamWOptimizer(0.9, 0.99, 1e-8, 0.0);
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
    private final AdamWOptimizer h;
    private final OptimizerState state = new OptimizerState();
    private long t;

    /** The hyper-parameters, for provenance records. */
    @Override
    public String toString() {
      return h.toString();
    }

    Impl(AdamWOptimizer h) {
      this.h = h;
    }

    @Override
    public void step(Map<String, NDArray> params, Map<String, NDArray> grads, double lr) {
      t++;
      double bc1 = 1 - Math.pow(h.beta1, t);
      double bc2Sqrt = Math.sqrt(1 - Math.pow(h.beta2, t));
      if (params.isEmpty()) {
        return;
      }
      try (OptimizerState.StepScalars sc = new OptimizerState.StepScalars(params.values().iterator().next())) {
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
          NDArray g = grads.get(e.getKey());
          if (g == null) {
            continue;
          }
          NDArray p = e.getValue();
          OptimizerState.checkShapes(e.getKey(), p, g);
          NDArray m = state.slot(e.getKey(), "exp_avg", p, false);
          NDArray v = state.slot(e.getKey(), "exp_avg_sq", p, false);
          if (h.weightDecay != 0) {
            p.muli(sc.of(1 - lr * h.weightDecay));
          }
          try (NDArray gScaled = g.mul(sc.of(1 - h.beta1));
              NDArray gSq = g.square()) {
            m.muli(sc.of(h.beta1)).addi(gScaled);
            v.muli(sc.of(h.beta2)).addi(gSq.muli(sc.of(1 - h.beta2)));
          }
          OptimizerState.adamUpdate(p, m, v, 1 / bc2Sqrt, h.eps, lr / bc1, sc);
        }
      }
    }

    @Override
    public long steps() {
      return t;
    }

    @Override
    public Map<String, NDArray> stateTensors() {
      return state.all();
    }

    @Override
    public Map<String, Double> stateScalars() {
      return Map.of("step", (double) t);
    }

    @Override
    public void loadState(Map<String, NDArray> tensors, Map<String, Double> scalars) {
      state.load(tensors);
      t = (long) OptimizerState.scalar(scalars, "step");
    }

    @Override
    public void close() {
      state.close();
    }
  }
}
