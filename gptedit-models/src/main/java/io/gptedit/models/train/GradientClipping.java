package io.gptedit.models.train;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.Collection;

/** Gradient clipping by global norm, as PyTorch's {@code clip_grad_norm_} does it. */
final class GradientClipping {
  /** Added to the norm before dividing, as PyTorch does. */
  static final double EPS = 1e-6;

  private GradientClipping() {}

  /**
   * Returns the global L2 norm of all gradients.
   *
   * @param grads the gradients
   * @return {@code sqrt(sum of squares)} over every element
   */
  public static double globalNorm(Collection<NDArray> grads) {
    double sumSq = 0;
    for (NDArray g : grads) {
      try (NDArray sq = g.square();
          NDArray s = sq.sum();
          NDArray d = s.toType(DataType.FLOAT64, false)) {
        sumSq += d.getDouble();
      }
    }
    return Math.sqrt(sumSq);
  }

  /**
   * Scales all gradients in place by {@code min(1, maxNorm / (norm + 1e-6))}.
   *
   * @param grads the gradients; changed in place
   * @param maxNorm the largest allowed global norm, positive
   * @return the global norm before clipping (for logging)
   */
  public static double clipGlobalNorm(Collection<NDArray> grads, double maxNorm) {
    checkArgument(maxNorm > 0, "maxNorm must be > 0, got %s", maxNorm);
    double norm = globalNorm(grads);
    double coef = maxNorm / (norm + EPS);
    if (coef < 1) {
      for (NDArray g : grads) {
        g.muli(coef);
      }
    }
    return norm;
  }
}
