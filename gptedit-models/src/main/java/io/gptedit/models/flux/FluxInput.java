package io.gptedit.models.flux;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;

/**
 * One call's inputs to a {@link FluxTransformer}.
 *
 * @param hidden packed image tokens (B, image tokens, inChannels); for Kontext, noisy then condition tokens
 * @param encoderHidden text tokens (B, text tokens, jointAttentionDim)
 * @param pooled pooled text embedding (B, pooledProjectionDim)
 * @param timesteps flow time in [0, 1] per sample (scaled by 1000 inside, as diffusers does)
 * @param guidance guidance scale per sample for models with a guidance embedding, else null
 * @param imageIds position ids (axis0, row, column) per image token
 * @param textIds position ids per text token (all zero in Flux)
 * @since 0.1
 */
public record FluxInput(
    NDArray hidden,
    NDArray encoderHidden,
    NDArray pooled,
    float[] timesteps,
    float[] guidance,
    int[][] imageIds,
    int[][] textIds) {

  /** Checks the sizes that can be checked without the model. */
  public FluxInput {
    requireNonNull(hidden, "hidden");
    requireNonNull(encoderHidden, "encoderHidden");
    requireNonNull(pooled, "pooled");
    requireNonNull(timesteps, "timesteps");
    requireNonNull(imageIds, "imageIds");
    requireNonNull(textIds, "textIds");
    if (hidden.getShape().get(1) != imageIds.length) {
      throw new IllegalArgumentException(
          "hidden has " + hidden.getShape().get(1) + " tokens but " + imageIds.length + " image ids were given");
    }
    if (encoderHidden.getShape().get(1) != textIds.length) {
      throw new IllegalArgumentException(
          "encoderHidden has " + encoderHidden.getShape().get(1) + " tokens but " + textIds.length
              + " text ids were given");
    }
    if (hidden.getShape().get(0) != timesteps.length) {
      throw new IllegalArgumentException("batch " + hidden.getShape().get(0) + " but " + timesteps.length + " timesteps");
    }
    if (guidance != null && guidance.length != timesteps.length) {
      throw new IllegalArgumentException("one guidance value per sample is required");
    }
  }

  /**
   * Returns all-zero text position ids, as Flux uses.
   *
   * @param tokens the number of text tokens
   * @return {@code tokens} rows of (0, 0, 0)
   */
  public static int[][] zeroTextIds(int tokens) {
    return new int[tokens][3];
  }
}
