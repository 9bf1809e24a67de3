package io.gptedit.models.train;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * The rectified-flow training objective used by FLUX and SD3 fine-tuning:
 *
 * <pre>
 *   x_t = (1 - sigma) x0 + sigma noise        target v = noise - x0        loss = mean_b w_b mean((v_pred - v)^2)
 * </pre>
 *
 * with one {@code sigma} per sample and optional per-sample weights {@code w_b} (see the weighting schemes of
 * {@code io.gptedit.models.flow.TimestepSampling}); unweighted is what the paper's released trainer does.
 */
public final class FlowMatchingLoss {
  private FlowMatchingLoss() {}

  /**
   * Returns the noisy input at per-sample noise levels.
   *
   * @param x0 clean latents, batch first
   * @param noise standard normal noise of the same shape
   * @param sigma noise levels, shape {@code (B)}, in [0, 1]
   * @return {@code (1 - sigma) x0 + sigma noise}
   */
  public static NDArray noisy(NDArray x0, NDArray noise, NDArray sigma) {
    checkShapes(x0, noise, sigma);
    try (NDArray s = broadcastable(sigma, x0.getShape());
        NDArray oneMinus = s.neg().add(1);
        NDArray a = x0.mul(oneMinus);
        NDArray b = noise.mul(s)) {
      return a.add(b);
    }
  }

  /**
   * Returns the velocity target.
   *
   * @param x0 clean latents
   * @param noise the noise used for {@link #noisy}
   * @return {@code noise - x0}
   */
  public static NDArray target(NDArray x0, NDArray noise) {
    checkArgument(x0.getShape().equals(noise.getShape()), "x0 %s and noise %s differ", x0.getShape(), noise.getShape());
    return noise.sub(x0);
  }

  /**
   * Returns the (weighted) mean squared error; differentiable with respect to {@code prediction}.
   *
   * @param prediction the model's velocity, batch first
   * @param target the target velocity, same shape
   * @param weights per-sample weights, shape {@code (B)}, or {@code null} for unweighted
   * @return a scalar
   */
  public static NDArray loss(NDArray prediction, NDArray target, NDArray weights) {
    checkArgument(
        prediction.getShape().equals(target.getShape()),
        "prediction %s and target %s differ",
        prediction.getShape(),
        target.getShape());
    long batch = prediction.getShape().get(0);
    NDArray perSample = prediction.sub(target).square().reshape(batch, -1).mean(new int[] {1});
    if (weights == null) {
      return perSample.mean();
    }
    checkArgument(
        weights.getShape().equals(new Shape(batch)), "weights must have shape (%s), got %s", batch, weights.getShape());
    return perSample.mul(weights).mean();
  }

  private static void checkShapes(NDArray x0, NDArray noise, NDArray sigma) {
    checkArgument(x0.getShape().equals(noise.getShape()), "x0 %s and noise %s differ", x0.getShape(), noise.getShape());
    checkArgument(
        sigma.getShape().equals(new Shape(x0.getShape().get(0))),
        "sigma must have shape (%s), got %s",
        x0.getShape().get(0),
        sigma.getShape());
  }

  private static NDArray broadcastable(NDArray sigma, Shape like) {
    long[] dims = new long[like.dimension()];
    java.util.Arrays.fill(dims, 1);
    dims[0] = like.get(0);
    return sigma.reshape(new Shape(dims));
  }
}
