package io.gptedit.eval.score;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableMap;
import java.util.Map;

/**
 * One sample's local metric values.
 *
 * @param key the sample key
 * @param category the sample's category
 * @param values metric to value, in the scorer's order
 * @since 0.1
 */
public record MetricScores(String key, String category, Map<String, Double> values) {
  /** Validates the scores. */
  public MetricScores {
    requireNonNull(key, "key");
    requireNonNull(category, "category");
    values = ImmutableMap.copyOf(requireNonNull(values, "values"));
  }
}
