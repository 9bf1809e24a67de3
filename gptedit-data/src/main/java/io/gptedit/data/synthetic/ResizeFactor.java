package io.gptedit.data.synthetic;

import java.util.List;

/**
 * The resize edits: each has an exact factor and the phrases instructions use for it.
 *
 * @since 0.1
 */
public enum ResizeFactor {
  /** Half the size. */
  HALF(0.5, List.of("half as big", "half the size", "smaller by half")),
  /** One and a half times the size. */
  ONE_AND_A_HALF(1.5, List.of("50 percent bigger", "one and a half times as big", "half again as large"));

  /** The smallest half-extent scale a shape may have after a resize. */
  static final double MIN_SCALE = 0.15;

  /** The largest half-extent scale: 0.9 of the half cell keeps neighbouring shapes apart. */
  static final double MAX_SCALE = 0.9;

  private final double factor;
  private final List<String> phrases;

  ResizeFactor(double factor, List<String> phrases) {
    this.factor = factor;
    this.phrases = phrases;
  }

  /**
   * Returns the factor applied to the shape's half-extent.
   *
   * @return 0.5 or 1.5
   */
  public double factor() {
    return factor;
  }

  /**
   * Returns the phrases that name this resize.
   *
   * @return at least one phrase
   */
  public List<String> phrases() {
    return phrases;
  }

  /**
   * Returns whether a shape of the given scale may be resized by this factor.
   *
   * @param scale the current scale
   * @return whether the result stays within the allowed range
   */
  boolean allows(double scale) {
    double s = scale * factor;
    return s >= MIN_SCALE - 1e-9 && s <= MAX_SCALE + 1e-9;
  }
}
