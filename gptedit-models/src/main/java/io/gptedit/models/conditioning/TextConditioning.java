package io.gptedit.models.conditioning;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;

/**
 * The text side of a denoiser's input.
 *
 * @param tokens text tokens (B, L, joint attention dim)
 * @param pooled pooled text vector (B, pooled dim)
 * @since 0.1
 */
public record TextConditioning(NDArray tokens, NDArray pooled) {
  /** Checks the pieces are present and batch sizes agree. */
  public TextConditioning {
    requireNonNull(tokens, "tokens");
    requireNonNull(pooled, "pooled");
    if (tokens.getShape().get(0) != pooled.getShape().get(0)) {
      throw new IllegalArgumentException("tokens and pooled batch sizes differ");
    }
  }
}
