package io.gptedit.eval.run;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import io.gptedit.eval.report.Report;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a {@link BenchmarkRunner} run produced.
 *
 * @param report the aggregated report
 * @param editing the editing run's summary, if an editor was run
 * @param files the files written: the Markdown, CSV and JSON reports, then any official intermediate files (GEdit's
 *     per-task-type score CSVs)
 * @since 0.1
 */
public record Evaluation(Report report, Optional<RunSummary> editing, List<Path> files) {
  /** Validates the outcome. */
  public Evaluation {
    requireNonNull(report, "report");
    requireNonNull(editing, "editing");
    files = ImmutableList.copyOf(requireNonNull(files, "files"));
  }
}
