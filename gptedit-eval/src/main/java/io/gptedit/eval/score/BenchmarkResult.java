package io.gptedit.eval.score;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.gptedit.eval.Benchmark;
import java.util.List;
import java.util.Map;

/**
 * A benchmark's aggregated figures for one subset.
 *
 * @param benchmark the benchmark
 * @param subset what was scored, such as {@code en/fullset}, {@code en/intersection} or {@code C8}
 * @param metricNames the metric names in report order (for example SC, PQ, O)
 * @param categories per-category figures in the benchmark's official order
 * @param overall the overall figures, computed from the categories by the official formula; empty if nothing was
 *     scored
 * @param missingCategories expected categories with no scored sample; when not empty the overall is over the
 *     remaining categories and is not comparable with published figures
 * @param failures every sample that failed, counted and excluded from the means
 * @since 0.1
 */
public record BenchmarkResult(
    Benchmark benchmark,
    String subset,
    List<String> metricNames,
    List<CategoryResult> categories,
    Map<String, Double> overall,
    List<String> missingCategories,
    List<SampleFailure> failures) {
  /** Validates the result. */
  public BenchmarkResult {
    requireNonNull(benchmark, "benchmark");
    requireNonNull(subset, "subset");
    metricNames = ImmutableList.copyOf(requireNonNull(metricNames, "metricNames"));
    categories = ImmutableList.copyOf(requireNonNull(categories, "categories"));
    overall = ImmutableMap.copyOf(requireNonNull(overall, "overall"));
    missingCategories = ImmutableList.copyOf(requireNonNull(missingCategories, "missingCategories"));
    failures = ImmutableList.copyOf(requireNonNull(failures, "failures"));
    checkArgument(!metricNames.isEmpty(), "a result needs metric names");
  }

  /**
   * Returns how many samples were scored.
   *
   * @return the number of samples in the means
   */
  public int scored() {
    return categories.stream().mapToInt(CategoryResult::scored).sum();
  }

  /**
   * Returns how many samples failed.
   *
   * @return the number of failures
   */
  public int failed() {
    return failures.size();
  }

  /**
   * Returns one overall metric.
   *
   * @param name the metric name
   * @return the value
   * @throws IllegalArgumentException if there is no such overall metric
   */
  public double overall(String name) {
    Double v = overall.get(name);
    checkArgument(v != null, "no overall metric %s in %s", name, overall.keySet());
    return v;
  }

  /**
   * Returns one category's figures.
   *
   * @param name the category
   * @return its result
   * @throws IllegalArgumentException if there is no such category
   */
  public CategoryResult category(String name) {
    return categories.stream()
        .filter(c -> c.category().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no category " + name + " in " + subset));
  }
}
