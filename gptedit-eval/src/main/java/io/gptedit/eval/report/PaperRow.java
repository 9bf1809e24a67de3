package io.gptedit.eval.report;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * One published row of a paper table.
 *
 * @param model the model name as printed
 * @param rewrittenPrompts whether the row used inference-time prompt rewriting (the paper's dagger)
 * @param values column name to value; a column the paper left blank is absent
 * @since 0.1
 */
public record PaperRow(String model, boolean rewrittenPrompts, Map<String, Double> values) {
  /** Validates the row. */
  public PaperRow {
    requireNonNull(model, "model");
    values = ImmutableMap.copyOf(requireNonNull(values, "values"));
  }

  /**
   * Returns one column's value.
   *
   * @param column the column name
   * @return the value, or empty where the paper printed none
   */
  public OptionalDouble value(String column) {
    Double v = values.get(column);
    return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
  }
}
