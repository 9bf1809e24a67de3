package io.gptedit.eval.score;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableMap;
import java.util.Map;

/**
 * One category's figures (a GEdit task type, an ImgEdit family, an OmniContext task type).
 *
 * @param category the category name
 * @param scored how many samples contributed to the means
 * @param failed how many samples failed and were excluded
 * @param metrics metric name to value, in report order; empty when no sample was scored
 * @since 0.1
 */
public record CategoryResult(String category, int scored, int failed, Map<String, Double> metrics) {
  /** Validates the result. */
  public CategoryResult {
    requireNonNull(category, "category");
    checkArgument(scored >= 0 && failed >= 0, "counts must be >= 0");
    metrics = ImmutableMap.copyOf(requireNonNull(metrics, "metrics"));
    checkArgument(scored == 0 || !metrics.isEmpty(), "a scored category needs metrics");
  }

  /**
   * Returns one metric.
   *
   * @param name the metric name
   * @return its value
   * @throws IllegalArgumentException if the category has no such metric (or no scored samples)
   */
  public double metric(String name) {
    Double v = metrics.get(name);
    checkArgument(v != null, "category %s has no metric %s (scored %s)", category, name, scored);
    return v;
  }
}
