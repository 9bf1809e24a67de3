package io.gptedit.data.synthetic;

import java.util.Locale;

/**
 * The kinds of shape a synthetic scene holds; each is tested analytically, so masks are exact.
 *
 * @since 0.1
 */
public enum ShapeKind {
  /** A disc of radius r. */
  CIRCLE,
  /** An axis-aligned square of half-side r. */
  SQUARE,
  /** An upward isosceles triangle inscribed in the square of half-side r. */
  TRIANGLE,
  /** A square rotated by 45 degrees: {@code |dx| + |dy| <= r}. */
  DIAMOND,
  /** A plus sign of half-length r and arm half-width r / 3. */
  CROSS;

  /**
   * Returns the word instructions use for this kind.
   *
   * @return the lower-case name
   */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Returns whether the offset (du, dv) from the shape's centre lies inside a shape of half-extent r.
   *
   * @param du horizontal offset in scene units
   * @param dv vertical offset in scene units (down is positive)
   * @param r the half-extent
   * @return whether the point is inside
   */
  boolean contains(double du, double dv, double r) {
    double au = Math.abs(du);
    double av = Math.abs(dv);
    return switch (this) {
      case CIRCLE -> du * du + dv * dv <= r * r;
      case SQUARE -> au <= r && av <= r;
      case TRIANGLE -> dv >= -r && dv <= r && au <= (dv + r) / 2;
      case DIAMOND -> au + av <= r;
      case CROSS -> (au <= r / 3 && av <= r) || (av <= r / 3 && au <= r);
    };
  }
}
