package io.gptedit.eval.report;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import io.gptedit.eval.Benchmark;
import io.gptedit.eval.score.BenchmarkResult;
import java.util.List;

/**
 * Everything a benchmark report shows: our results, how they were judged, and the paper's rows to compare with.
 *
 * @param benchmark the benchmark
 * @param model the evaluated model's name
 * @param rewritten whether the editor received rewritten instructions (a dagger on our rows)
 * @param judgeModel the judge model
 * @param promptHash the hash of the judge's prompt set
 * @param results one result per subset; the first is the one compared with the paper
 * @param paper the paper's table for the benchmark
 * @since 0.1
 */
public record Report(
    Benchmark benchmark,
    String model,
    boolean rewritten,
    String judgeModel,
    String promptHash,
    List<BenchmarkResult> results,
    PaperTable paper) {
  /** The mark the paper puts on rows that used inference-time prompt rewriting. */
  public static final String DAGGER = "†";

  /** Validates the report. */
  public Report {
    requireNonNull(benchmark, "benchmark");
    requireNonNull(model, "model");
    requireNonNull(judgeModel, "judgeModel");
    requireNonNull(promptHash, "promptHash");
    results = ImmutableList.copyOf(requireNonNull(results, "results"));
    checkArgument(!results.isEmpty(), "a report needs at least one result");
    requireNonNull(paper, "paper");
    for (BenchmarkResult r : results) {
      checkArgument(r.benchmark() == benchmark, "result for %s in a %s report", r.benchmark(), benchmark);
    }
  }

  /**
   * Returns our model's label in tables, with the dagger when instructions were rewritten.
   *
   * @return the label
   */
  public String modelLabel() {
    return rewritten ? model + " " + DAGGER : model;
  }

  /**
   * Returns the main result, the one compared with the paper.
   *
   * @return the first result
   */
  public BenchmarkResult main() {
    return results.get(0);
  }

  /**
   * Renders the report as Markdown.
   *
   * @return the Markdown text
   */
  public String markdown() {
    return ReportWriter.markdown(this);
  }
}
