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
    return maskBalanced(prediction, target, mask, editShare, null, 0);
  }

  /**
   * The mask-balanced error with the kept pixels split once more, by the input's structure: per sample, the edited
   * pixels' mean squared error weighs {@code editShare}, the kept pixels on the input's structure (its colour edges,
   * {@code EditMask.edges}) weigh {@code (1 - editShare) * structureShare} and the other kept pixels the rest; the
   * samples' values are averaged. Without it, small untouched objects are a few percent of a sample's kept pixels
   * and erasing them costs almost nothing. An empty group passes its weight to the other kept group (an empty edit
   * keeps its weight out, as in the two-way form); {@code structureShare = 0} is the two-way form.
   *
   * @param prediction predicted velocity
   * @param target target velocity
   * @param mask the edit mask, 1 inside, 0 outside, same shape
   * @param editShare the edited pixels' weight, in [0, 1]
   * @param structure 1 on the input's structure, 0 elsewhere, same shape; may be null when {@code structureShare} is 0
   * @param structureShare the structure's part of the kept weight, in [0, 1]
   * @return the scalar loss
   * @throws IllegalArgumentException if shapes differ, a share is out of range or a mask value is not 0 or 1
   */
  public static NDArray maskBalanced(
      NDArray prediction, NDArray target, NDArray mask, double editShare, NDArray structure, double structureShare) {
    checkArgument(
        prediction.getShape().equals(target.getShape()) && prediction.getShape().equals(mask.getShape()),
        "prediction %s, target %s and mask %s differ",
        prediction.getShape(),
        target.getShape(),
        mask.getShape());
    checkArgument(editShare >= 0 && editShare <= 1, "editShare must be in [0, 1], got %s", editShare);
    checkArgument(structureShare >= 0 && structureShare <= 1, "structureShare must be in [0, 1], got %s",
        structureShare);
    checkArgument(structureShare == 0 || structure != null, "structureShare %s needs a structure mask", structureShare);
    checkArgument(structure == null || structure.getShape().equals(mask.getShape()),
        "structure %s and mask %s differ", structure == null ? null : structure.getShape(), mask.getShape());
    int batch = Math.toIntExact(prediction.getShape().get(0));
    float[] m = mask.toFloatArray();
    float[] st = structureShare == 0 ? null : structure.toFloatArray();
    int per = m.length / batch;
    // The per-pixel weights are made in Java and owned by the prediction's manager, so they live until the caller
    // closes the step's scope, after the backward pass (autograd keeps the weights of a product for it).
    float[] w = new float[m.length];
    for (int b = 0; b < batch; b++) {
      int inside = 0;
      int onStructure = 0;
      // Plain checks, not checkArgument(cond, msg, m[i]): that boxes a Float per value on every step.
      for (int i = b * per; i < (b + 1) * per; i++) {
        if (m[i] != 0f && m[i] != 1f) {
          throw new IllegalArgumentException("mask values must be 0 or 1, got " + m[i]);
        }
        inside += (int) m[i];
        if (st != null && m[i] == 0f) {
          if (st[i] != 0f && st[i] != 1f) {
            throw new IllegalArgumentException("structure values must be 0 or 1, got " + st[i]);
          }
          onStructure += (int) st[i];
        }
      }
      int flat = per - inside - onStructure;
      double keptShare = 1 - editShare;
      double structShare = onStructure == 0 ? 0 : flat == 0 ? keptShare : keptShare * structureShare;
      double flatShare = keptShare - structShare;
      float wIn = inside == 0 ? 0f : (float) (editShare / inside / batch);
      float wStruct = onStructure == 0 ? 0f : (float) (structShare / onStructure / batch);
      float wFlat = flat == 0 ? 0f : (float) (flatShare / flat / batch);
      for (int i = b * per; i < (b + 1) * per; i++) {
        w[i] = m[i] == 1f ? wIn : st != null && st[i] == 1f ? wStruct : wFlat;
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
