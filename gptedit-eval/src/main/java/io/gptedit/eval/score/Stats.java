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
   * Rounds as Python's {@code round(value, places)} does, which the official ImgEdit script calls: the exact
   * binary value is rounded half-to-even, then the decimal result is read back as the nearest double. So
   * {@code 2.675} (binary 2.67499999...) becomes {@code 2.67}, the exact tie {@code 0.125} becomes {@code 0.12} and
   * {@code 0.375} becomes {@code 0.38}.
   *
   * @param value a finite value
   * @param places decimal places, at least 0
   * @return the rounded value
   */
  public static double roundLikePython(double value, int places) {
    checkArgument(Double.isFinite(value), "cannot round %s", value);
    checkArgument(places >= 0, "places must be >= 0, got %s", places);
    return Double.parseDouble(new BigDecimal(value).setScale(places, RoundingMode.HALF_EVEN).toPlainString());
  }

  /**
   * Rounds half-up in decimal, as the paper's printed tables do: the value's shortest decimal representation ({@link Double#toString}) is rounded,
   * so {@code 2.675} becomes {@code 2.68}. Python's {@code round()} ({@link #roundLikePython}), which the official
   * ImgEdit script calls, rounds the binary value half-to-even and gives {@code 2.67}.
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
