package io.gptedit.models.train;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
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
    if (grads.isEmpty()) {
      return 0;
    }
    // One float32 sum of squares per tensor, read back in one transfer and added in double in order: the same
    // arithmetic as reading each sum on its own, without a device round trip per tensor.
    NDManager scope = grads.iterator().next().getManager().newSubManager();
    try (scope) {
      NDList sums = new NDList(grads.size());
      for (NDArray g : grads) {
        try (NDArray sq = g.square()) {
          NDArray s = sq.sum();
          s.attach(scope);
          sums.add(s);
        }
      }
      double sumSq = 0;
      for (double d : NDArrays.stack(sums).toType(DataType.FLOAT64, false).toDoubleArray()) {
        sumSq += d;
      }
      return Math.sqrt(sumSq);
    }
  }

  /**
   * Scales all gradients in place by {@code min(1, maxNorm / (norm + 1e-6))}.
   *
   * @param grads the gradients; changed in place
   * @param maxNorm the largest allowed global norm, positive
   * @return the global norm before clipping (for logging)
   */
  public static double clipGlobalNorm(Collection<NDArray> grads, double maxNorm) {
    double norm = globalNorm(grads);
    clipToNorm(grads, norm, maxNorm);
    return norm;
  }

  /**
   * Scales all gradients in place by {@code min(1, maxNorm / (norm + 1e-6))}, given their global norm (from
   * {@link #globalNorm}), so a trainer that has already measured it does not measure it again.
   *
   * @param grads the gradients; changed in place
   * @param norm their global norm
   * @param maxNorm the largest allowed global norm, positive
   */
  static void clipToNorm(Collection<NDArray> grads, double norm, double maxNorm) {
    checkArgument(maxNorm > 0, "maxNorm must be > 0, got %s", maxNorm);
    double coef = maxNorm / (norm + EPS);
    if (coef < 1 && !grads.isEmpty()) {
      try (NDManager scope = grads.iterator().next().getManager().newSubManager()) {
        NDArray c = scope.create(coef); // float64, as g.muli(double) would make it: same arithmetic
        for (NDArray g : grads) {
          g.muli(c);
        }
      }
    }
  }
}
