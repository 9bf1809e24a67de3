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
 *
 * @since 0.1
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

  /**
   * Returns the mask-balanced squared error of an editing pair: per sample, the mean error over the pixels the
   * edit changes and the mean error over the pixels it keeps, weighted {@code editShare : 1 - editShare}, then
   * averaged over the batch. A plain MSE lets the many kept pixels drown a small edit (an added object is a few
   * percent of the image) and lets a large edit (a new background) drown the few kept pixels; balancing both
   * halves per sample trains exactly the two quantities an editor is judged by: instruction following inside the
   * mask and identity preservation outside it. A sample whose mask is empty (or full) contributes only its other
   * half. Differentiable with respect to {@code prediction}; the weights come from the mask alone.
   *
   * @param prediction the model's prediction, batch first
   * @param target the target, same shape
   * @param mask 1 where the edit changes the pixel, 0 elsewhere, same shape (data, no gradient)
   * @param editShare the weight of the edited half, in [0, 1]
   * @return a scalar
   */
  public static NDArray maskBalanced(NDArray prediction, NDArray target, NDArray mask, double editShare) {
    checkArgument(
        prediction.getShape().equals(target.getShape()) && prediction.getShape().equals(mask.getShape()),
        "prediction %s, target %s and mask %s differ",
        prediction.getShape(),
        target.getShape(),
        mask.getShape());
    checkArgument(editShare >= 0 && editShare <= 1, "editShare must be in [0, 1], got %s", editShare);
    int batch = Math.toIntExact(prediction.getShape().get(0));
    float[] m = mask.toFloatArray();
    int per = m.length / batch;
    // The per-pixel weights are made in Java and owned by the prediction's manager, so they live until the caller
    // closes the step's scope, after the backward pass (autograd keeps the weights of a product for it).
    float[] w = new float[m.length];
    for (int b = 0; b < batch; b++) {
      int inside = 0;
      for (int i = b * per; i < (b + 1) * per; i++) {
        checkArgument(m[i] == 0f || m[i] == 1f, "mask values must be 0 or 1, got %s", m[i]);
        inside += (int) m[i];
      }
      int outside = per - inside;
      float wIn = inside == 0 ? 0f : (float) (editShare / inside / batch);
      float wOut = outside == 0 ? 0f : (float) ((1 - editShare) / outside / batch);
      for (int i = b * per; i < (b + 1) * per; i++) {
        w[i] = m[i] == 1f ? wIn : wOut;
      }
    }
    NDArray weights = prediction.getManager().create(w, prediction.getShape());
    return prediction.sub(target).square().mul(weights).sum();
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
