package io.gptedit.data.synthetic;

import java.util.Locale;

/**
 * The sizes an added shape can have, as a share of half the smaller side of its grid cell.
 *
 * @since 0.1
 */
public enum SizeClass {
  /** 40 % of the half cell. */
  SMALL(0.40),
  /** 55 % of the half cell. */
  MEDIUM(0.55),
  /** 60 % of the half cell (so a 1.5x enlargement still fits its cell). */
  LARGE(0.60);

  private final double scale;

  SizeClass(double scale) {
    this.scale = scale;
  }

  /**
   * Returns the half-extent as a share of half the cell's smaller side.
   *
   * @return the scale
   */
  public double scale() {
    return scale;
  }

  /**
   * Returns the word instructions use.
   *
   * @return {@code small}, {@code medium} or {@code large}
   */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }
}
