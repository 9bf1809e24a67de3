package io.gptedit.core.geometry;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * An axis-aligned pixel rectangle: top-left corner (x, y) and a positive size. Covers columns
 * {@code [x, x + width)} and rows {@code [y, y + height)}.
 *
 * @param x the left column
 * @param y the top row
 * @param width the width, at least 1
 * @param height the height, at least 1
 * @since 0.1
 */
public record Box(int x, int y, int width, int height) {
  /**
   * Validates the box.
   *
   * @throws IllegalArgumentException if a coordinate is negative or a side below 1
   */
  public Box {
    checkArgument(x >= 0 && y >= 0, "box corner must be non-negative, got (%s, %s)", x, y);
    checkArgument(width >= 1 && height >= 1, "box size must be at least 1x1, got %sx%s", width, height);
  }

  /**
   * Returns the column just right of the box.
   *
   * @return {@code x + width}
   */
  public int right() {
    return x + width;
  }

  /**
   * Returns the row just below the box.
   *
   * @return {@code y + height}
   */
  public int bottom() {
    return y + height;
  }

  /**
   * Returns whether the box lies inside a canvas of the given size.
   *
   * @param canvas the canvas
   * @return {@code true} when every pixel of the box is on the canvas
   */
  public boolean fitsIn(Size canvas) {
    return right() <= canvas.width() && bottom() <= canvas.height();
  }

  /**
   * Returns the box's size.
   *
   * @return width x height
   */
  public Size size() {
    return new Size(width, height);
  }
}
