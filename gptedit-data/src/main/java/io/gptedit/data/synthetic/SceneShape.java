package io.gptedit.data.synthetic;

import static java.util.Objects.requireNonNull;

/**
 * One shape of a scene: its kind and colour (together unique within the scene, so "the red circle" names it),
 * the grid cell it is centred in, and its half-extent as a share of half the cell's smaller side.
 *
 * @param kind the shape kind
 * @param color the fill colour
 * @param cell the grid cell it is centred in
 * @param scale the half-extent as a share of half the cell's smaller side, 0.15 to 0.9
 * @since 0.1
 */
public record SceneShape(ShapeKind kind, SceneColor color, GridCell cell, double scale) {
  /**
   * Validates the shape.
   *
   * @throws IllegalArgumentException if the scale is out of range
   */
  public SceneShape {
    requireNonNull(kind, "kind");
    requireNonNull(color, "color");
    requireNonNull(cell, "cell");
    if (!(scale >= ResizeFactor.MIN_SCALE - 1e-9 && scale <= ResizeFactor.MAX_SCALE + 1e-9)) {
      throw new IllegalArgumentException("shape scale must be within 0.15..0.9, got " + scale);
    }
  }

  /**
   * Returns how instructions name this shape.
   *
   * @return such as {@code red circle}
   */
  public String noun() {
    return color.word() + " " + kind.word();
  }

  /**
   * Returns whether this shape is the one a reference names.
   *
   * @param k the kind
   * @param c the colour
   * @return whether kind and colour match
   */
  boolean is(ShapeKind k, SceneColor c) {
    return kind == k && color == c;
  }
}
