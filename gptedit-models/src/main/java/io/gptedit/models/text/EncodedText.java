package io.gptedit.models.text;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

/**
 * A frozen text encoder's output for one text, as plain arrays (so it can be cached and batched freely).
 *
 * @param tokens the token features, row-major {@code (length, dim)}
 * @param length the number of tokens
 * @param dim features per token
 * @param pooled the pooled vector (Flux's CLIP-L input), or an empty array when the encoder has none
 *
 * @since 0.1
 */
public record EncodedText(float[] tokens, int length, int dim, float[] pooled) {
  /** Validates the sizes. */
  public EncodedText {
    requireNonNull(tokens, "tokens");
    requireNonNull(pooled, "pooled");
    checkArgument(length >= 0 && dim > 0, "length must be >= 0 and dim > 0, got %s and %s", length, dim);
    checkArgument(
        tokens.length == length * dim, "%s token values do not make %s tokens of %s", tokens.length, length, dim);
  }
}
