package io.gptedit.eval.run;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import io.gptedit.eval.score.SampleFailure;
import java.util.List;

/**
 * What an editing run did.
 *
 * @param generated outputs written by this run
 * @param skipped outputs that existed from an earlier run
 * @param failures samples the editor (or the instruction rewriter) could not handle
 * @param rewritten whether the editor received rewritten instructions
 * @since 0.1
 */
public record RunSummary(int generated, int skipped, List<SampleFailure> failures, boolean rewritten) {
  /** Validates the summary. */
  public RunSummary {
    checkArgument(generated >= 0 && skipped >= 0, "counts must be >= 0");
    failures = ImmutableList.copyOf(requireNonNull(failures, "failures"));
  }
}
