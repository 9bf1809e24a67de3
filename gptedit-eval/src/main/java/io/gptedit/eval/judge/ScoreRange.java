package io.gptedit.eval.judge;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * The closed range a judge's scores must fall in; a score outside it makes the reply unparsable.
 *
 * @param min the lowest valid score
 * @param max the highest valid score
 * @since 0.1
 */
public record ScoreRange(double min, double max) {
  /** GEdit's VIEScore, OmniContext and Complex-Edit: 0 to 10. */
  public static final ScoreRange ZERO_TO_TEN = new ScoreRange(0, 10);

  /**
   * Any finite score from 0 up: GEdit's official scorer checks no upper bound, so a reply scoring 11 counts as 11.
   */
  public static final ScoreRange NON_NEGATIVE = new ScoreRange(0, Double.MAX_VALUE);

  /** ImgEdit's rubrics: 1 to 5. */
  public static final ScoreRange ONE_TO_FIVE = new ScoreRange(1, 5);

  /** Validates the range. */
  public ScoreRange {
    checkArgument(Double.isFinite(min) && Double.isFinite(max) && min <= max, "bad range [%s, %s]", min, max);
  }

  /**
   * Returns whether a value is in range.
   *
   * @param v the value
   * @return {@code true} if {@code min <= v <= max}
   */
  public boolean contains(double v) {
    return v >= min && v <= max;
  }
}
