package io.gptedit.core.geometry;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * A width and height in pixels, both at least 1.
 *
 * @param width the width
 * @param height the height
 * @since 0.1
 */
public record Size(int width, int height) {
  /**
   * Validates the size.
   *
   * @throws IllegalArgumentException if a side is below 1
   */
  public Size {
    checkArgument(width >= 1 && height >= 1, "size must be at least 1x1, got %sx%s", width, height);
  }

  /**
   * Returns a size.
   *
   * @param width the width
   * @param height the height
   * @return the size
   */
  public static Size of(int width, int height) {
    return new Size(width, height);
  }

  /**
   * Returns whether {@code other} has exactly the same aspect ratio (compared as integer cross products).
   *
   * @param other another size
   * @return {@code width * other.height == height * other.width}
   */
  public boolean sameRatioAs(Size other) {
    return (long) width * other.height == (long) height * other.width;
  }

  @Override
  public String toString() {
    return width + "x" + height;
  }
}
