package io.gptedit.core.remote;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Tokens and images a call consumed, as the service reported them.
 *
 * @param inputTokens prompt tokens (text and image input)
 * @param outputTokens completion or image output tokens
 * @param images images produced
 * @since 0.1
 */
public record Usage(long inputTokens, long outputTokens, long images) {
  /** No usage. */
  public static final Usage NONE = new Usage(0, 0, 0);

  /** Validates the counts. */
  public Usage {
    checkArgument(inputTokens >= 0 && outputTokens >= 0 && images >= 0, "usage counts must be >= 0");
  }

  /**
   * Returns the sum of two usages.
   *
   * @param other another usage
   * @return the element-wise sum
   */
  public Usage plus(Usage other) {
    return new Usage(
        inputTokens + other.inputTokens, outputTokens + other.outputTokens, images + other.images);
  }
}
