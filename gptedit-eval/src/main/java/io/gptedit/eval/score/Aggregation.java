package io.gptedit.eval.score;

import static java.util.Objects.requireNonNull;

import io.gptedit.eval.Benchmark;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * The official aggregation formulas of each benchmark.
 *
 * <p>Every mean is over scored samples only; failures are filtered with the same subset rule as the samples and
 * counted per category. An overall figure is the unweighted mean of the category figures (GEdit, ImgEdit,
 * OmniContext) or of the samples (Complex-Edit), exactly as the official scripts compute it.
 *
 * @since 0.1
 */
public final class Aggregation {
  /** GEdit metric names. */
  public static final List<String> GEDIT_METRICS = List.of("SC", "PQ", "O");

  /** ImgEdit metric name. */
  public static final List<String> IMGEDIT_METRICS = List.of("Score");

  /** Complex-Edit metric names. */
  public static final List<String> COMPLEX_EDIT_METRICS = List.of("IF", "IP", "PQ", "Overall");

  /** OmniContext metric names. */
  public static final List<String> OMNICONTEXT_METRICS = List.of("PF", "SC", "Overall");

  /** The GEdit subset tag for rows whose {@code Intersection_exist} is true. */
  public static final String INTERSECTION_TAG = "intersection";

  private Aggregation() {}

  /**
   * Aggregates GEdit-Bench: per sample SC = min, PQ = min, O = sqrt(SC * PQ); per task type the mean of each;
   * the overall is the unweighted mean of the task-type means.
   *
   * @param samples scored samples of any language
   * @param failures failed samples (tagged with their language and {@value #INTERSECTION_TAG})
   * @param language {@code en} or {@code cn}; only samples of this language count
   * @param intersectionOnly whether to keep only intersection samples
   * @return the result, subset {@code <language>/fullset} or {@code <language>/intersection}
   * @throws IllegalArgumentException if a sample has a task type GEdit does not define
   */
  public static BenchmarkResult gedit(
      List<GEditSampleScore> samples, List<SampleFailure> failures, String language, boolean intersectionOnly) {
    requireNonNull(language, "language");
    Predicate<GEditSampleScore> keep =
        s -> s.language().equals(language) && (!intersectionOnly || s.intersection());
    Predicate<SampleFailure> keepFailure =
        f -> f.tags().contains(language) && (!intersectionOnly || f.tags().contains(INTERSECTION_TAG));
    Map<String, ToDoubleFunction<GEditSampleScore>> metrics = new LinkedHashMap<>();
    metrics.put("SC", GEditSampleScore::sc);
    metrics.put("PQ", GEditSampleScore::pq);
    metrics.put("O", GEditSampleScore::overall);
    return byCategory(
        Benchmark.GEDIT,
        language + (intersectionOnly ? "/intersection" : "/fullset"),
        samples.stream().filter(keep).toList(),
        GEditSampleScore::taskType,
        metrics,
        failures.stream().filter(keepFailure).toList(),
        false);
  }

  /**
   * Aggregates ImgEdit Basic: per sample round(mean of sub-scores, 2); per family round(mean, 2); overall the
   * unweighted mean of the nine family scores.
   *
   * @param samples scored samples
   * @param failures failed samples
   * @return the result, subset {@code basic}
   * @throws IllegalArgumentException if a sample has a family ImgEdit does not define
   */
  public static BenchmarkResult imgEdit(List<ImgEditSampleScore> samples, List<SampleFailure> failures) {
    Map<String, ToDoubleFunction<ImgEditSampleScore>> metrics = new LinkedHashMap<>();
    metrics.put("Score", ImgEditSampleScore::score);
    return byCategory(
        Benchmark.IMGEDIT, "basic", samples, ImgEditSampleScore::family, metrics, failures, true);
  }

  /**
   * Aggregates Complex-Edit: per sample IF, IP, PQ are the means over the judge runs and Overall = (IF + IP +
   * PQ) / 3; each final figure is the mean over samples.
   *
   * @param samples scored samples of one level and split
   * @param failures failed samples
   * @param subset the level and split label, such as {@code C8/real}
   * @return the result with one category named after the subset
   */
  public static BenchmarkResult complexEdit(
      List<ComplexEditSampleScore> samples, List<SampleFailure> failures, String subset) {
    requireNonNull(subset, "subset");
    Map<String, Double> values = new LinkedHashMap<>();
    if (!samples.isEmpty()) {
      values.put("IF", Stats.mean(samples.stream().map(ComplexEditSampleScore::ifScore).toList()));
      values.put("IP", Stats.mean(samples.stream().map(ComplexEditSampleScore::ipScore).toList()));
      values.put("PQ", Stats.mean(samples.stream().map(ComplexEditSampleScore::pqScore).toList()));
      values.put("Overall", Stats.mean(samples.stream().map(ComplexEditSampleScore::overall).toList()));
    }
    CategoryResult only = new CategoryResult(subset, samples.size(), failures.size(), values);
    return new BenchmarkResult(
        Benchmark.COMPLEX_EDIT,
        subset,
        COMPLEX_EDIT_METRICS,
        List.of(only),
        values,
        samples.isEmpty() ? List.of(subset) : List.of(),
        failures);
  }

  /**
   * Aggregates OmniContext SINGLE: per sample Overall = sqrt(PF * SC); per task type the mean of PF, SC and
   * Overall; SINGLE is the unweighted mean of the two task types.
   *
   * @param samples scored samples
   * @param failures failed samples
   * @return the result, subset {@code SINGLE}
   * @throws IllegalArgumentException if a sample has a task type outside SINGLE
   */
  public static BenchmarkResult omniContext(List<OmniContextSampleScore> samples, List<SampleFailure> failures) {
    Map<String, ToDoubleFunction<OmniContextSampleScore>> metrics = new LinkedHashMap<>();
    metrics.put("PF", OmniContextSampleScore::promptFollowing);
    metrics.put("SC", OmniContextSampleScore::subjectConsistency);
    metrics.put("Overall", OmniContextSampleScore::overall);
    return byCategory(
        Benchmark.OMNICONTEXT, "SINGLE", samples, OmniContextSampleScore::taskType, metrics, failures, false);
  }

  /**
   * Aggregates a local-metric benchmark ({@link Benchmark#LOCAL}): per category (in name order) the mean of each
   * metric over the category's samples that have it, and overall the mean over every scored sample that has it
   * (sample-weighted, unlike the judged benchmarks' mean of categories: local metrics are exact per sample).
   *
   * @param samples the scored samples
   * @param failures the samples that could not be scored
   * @param metricNames the metrics, in report order
   * @return the result
   */
  public static BenchmarkResult local(
      List<MetricScores> samples, List<SampleFailure> failures, List<String> metricNames) {
    java.util.TreeMap<String, List<MetricScores>> grouped = new java.util.TreeMap<>();
    for (MetricScores s : samples) {
      grouped.computeIfAbsent(s.category(), k -> new ArrayList<>()).add(s);
    }
    Map<String, Integer> failed = new java.util.HashMap<>();
    for (SampleFailure f : failures) {
      failed.merge(f.category(), 1, Integer::sum);
      grouped.computeIfAbsent(f.category(), k -> new ArrayList<>());
    }
    List<CategoryResult> categories = new ArrayList<>();
    for (Map.Entry<String, List<MetricScores>> e : grouped.entrySet()) {
      categories.add(
          new CategoryResult(
              e.getKey(), e.getValue().size(), failed.getOrDefault(e.getKey(), 0), means(e.getValue(), metricNames)));
    }
    return new BenchmarkResult(
        Benchmark.LOCAL, "all", metricNames, categories, means(samples, metricNames), List.of(), failures);
  }

  private static Map<String, Double> means(List<MetricScores> samples, List<String> metricNames) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String m : metricNames) {
      List<Double> values = new ArrayList<>();
      for (MetricScores s : samples) {
        Double v = s.values().get(m);
        if (v != null) {
          values.add(v);
        }
      }
      if (!values.isEmpty()) {
        out.put(m, Stats.mean(values));
      }
    }
    return out;
  }

  /**
   * Returns the unweighted mean of one metric over the categories that have it: the overall rule of GEdit,
   * ImgEdit and OmniContext.
   *
   * @param categories category figures
   * @param metric the metric name
   * @return the mean
   * @throws IllegalArgumentException if no category has the metric
   */
  public static double meanOfCategories(List<CategoryResult> categories, String metric) {
    return Stats.mean(
        categories.stream()
            .filter(c -> c.metrics().containsKey(metric))
            .map(c -> c.metrics().get(metric))
            .toList());
  }

  private static <S> BenchmarkResult byCategory(
      Benchmark benchmark,
      String subset,
      List<S> samples,
      Function<S, String> categoryOf,
      Map<String, ToDoubleFunction<S>> metrics,
      List<SampleFailure> failures,
      boolean roundCategoryMeans) {
    List<String> order = benchmark.categories();
    Map<String, List<S>> grouped = new LinkedHashMap<>();
    for (String c : order) {
      grouped.put(c, new ArrayList<>());
    }
    for (S s : samples) {
      String c = categoryOf.apply(s);
      List<S> group = grouped.get(c);
      if (group == null) {
        throw new IllegalArgumentException(
            benchmark.displayName() + " has no category '" + c + "' (sample " + s + "); expected one of " + order);
      }
      group.add(s);
    }
    List<CategoryResult> categories = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, List<S>> e : grouped.entrySet()) {
      String c = e.getKey();
      List<S> group = e.getValue();
      int failed = (int) failures.stream().filter(f -> f.category().equals(c)).count();
      Map<String, Double> values = new LinkedHashMap<>();
      if (group.isEmpty()) {
        missing.add(c);
      } else {
        for (Map.Entry<String, ToDoubleFunction<S>> m : metrics.entrySet()) {
          double mean = Stats.mean(group.stream().map(s -> m.getValue().applyAsDouble(s)).toList());
          values.put(m.getKey(), roundCategoryMeans ? Stats.roundLikePython(mean, 2) : mean);
        }
      }
      categories.add(new CategoryResult(c, group.size(), failed, values));
    }
    Map<String, Double> overall = new LinkedHashMap<>();
    if (missing.size() < categories.size()) {
      for (String m : metrics.keySet()) {
        overall.put(m, meanOfCategories(categories, m));
      }
    }
    return new BenchmarkResult(
        benchmark, subset, List.copyOf(metrics.keySet()), categories, overall, missing, failures);
  }
}
