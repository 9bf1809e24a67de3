package io.gptedit.eval.score;

import static com.google.common.base.Preconditions.checkArgument;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Collection;

/**
 * Means and decimal rounding shared by the aggregation formulas.
 *
 * @since 0.1
 */
public final class Stats {
  private Stats() {}

  /**
   * Returns the arithmetic mean.
   *
   * @param values at least one finite value
   * @return the mean
   * @throws IllegalArgumentException if {@code values} is empty
   */
  public static double mean(Collection<? extends Number> values) {
    checkArgument(!values.isEmpty(), "mean of no values");
    double sum = 0;
    for (Number v : values) {
      sum += v.doubleValue();
    }
    return sum / values.size();
  }

  /**
   * Rounds half-up in decimal: the value's shortest decimal representation ({@link Double#toString}) is rounded,
   * so {@code 2.675} becomes {@code 2.68}. Python's {@code round()}, which the official ImgEdit script calls,
   * rounds the binary value half-to-even and gives {@code 2.67}; the two differ only on such exact ties.
   *
   * @param value a finite value
   * @param places decimal places, at least 0
   * @return the rounded value
   */
  public static double roundHalfUp(double value, int places) {
    checkArgument(Double.isFinite(value), "cannot round %s", value);
    checkArgument(places >= 0, "places must be >= 0, got %s", places);
    return BigDecimal.valueOf(value).setScale(places, RoundingMode.HALF_UP).doubleValue();
  }
}
