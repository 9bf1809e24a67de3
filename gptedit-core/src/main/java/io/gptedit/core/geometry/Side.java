package io.gptedit.core.geometry;

/**
 * A side of an image.
 *
 * @since 0.1
 */
public enum Side {
  /** The left edge (column 0). */
  LEFT,
  /** The top edge (row 0). */
  TOP,
  /** The right edge (the last column). */
  RIGHT,
  /** The bottom edge (the last row). */
  BOTTOM
}
