package io.gptedit.core.geometry;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Pixels added on each side of an image.
 *
 * @param left columns on the left
 * @param top rows on top
 * @param right columns on the right
 * @param bottom rows at the bottom
 * @since 0.1
 */
public record Padding(int left, int top, int right, int bottom) {
  /** No padding. */
  public static final Padding NONE = new Padding(0, 0, 0, 0);

  /**
   * Validates the padding.
   *
   * @throws IllegalArgumentException if a side is negative
   */
  public Padding {
    checkArgument(
        left >= 0 && top >= 0 && right >= 0 && bottom >= 0,
        "padding must be non-negative, got left=%s top=%s right=%s bottom=%s",
        left,
        top,
        right,
        bottom);
  }

  /**
   * Returns the padding on one side.
   *
   * @param side the side
   * @return the number of pixels
   */
  public int get(Side side) {
    return switch (side) {
      case LEFT -> left;
      case TOP -> top;
      case RIGHT -> right;
      case BOTTOM -> bottom;
    };
  }

  /**
   * Returns whether no side is padded.
   *
   * @return {@code true} when all four sides are 0
   */
  public boolean isNone() {
    return (left | top | right | bottom) == 0;
  }
}
