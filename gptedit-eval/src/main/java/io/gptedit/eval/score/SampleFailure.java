package io.gptedit.eval.score;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableSet;
import java.util.Set;

/**
 * A sample that has no score: the editor failed, or the judge's replies could not be parsed after every retry.
 * Failures are excluded from means and counted in results.
 *
 * @param key the sample key
 * @param category the sample's task type or family ({@code all} where the benchmark has none)
 * @param tags subset tags used by filters: a language ({@code en}, {@code cn}) and {@code intersection} for GEdit
 * @param stage where it failed
 * @param reason a one-line explanation (the parse error or the remote error)
 * @param attempts how many judge or edit attempts were made
 * @since 0.1
 */
public record SampleFailure(
    String key, String category, Set<String> tags, Stage stage, String reason, int attempts) {
  /** Where a sample failed. */
  public enum Stage {
    /** The editor produced no image. */
    EDIT,
    /** The judge's replies could not be parsed, or the judge call failed, after the retry limit. */
    JUDGE
  }

  /** Validates the failure. */
  public SampleFailure {
    requireNonNull(key, "key");
    requireNonNull(category, "category");
    tags = ImmutableSet.copyOf(requireNonNull(tags, "tags"));
    requireNonNull(stage, "stage");
    requireNonNull(reason, "reason");
    checkArgument(attempts >= 0, "attempts must be >= 0, got %s", attempts);
  }
}
