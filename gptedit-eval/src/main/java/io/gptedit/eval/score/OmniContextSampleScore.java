package io.gptedit.eval.score;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

/**
 * One OmniContext sample's judgement.
 *
 * @param key the sample key
 * @param taskType {@code single_character} or {@code single_object}
 * @param promptFollowing PF, 0 to 10
 * @param subjectConsistency SC, 0 to 10
 * @since 0.1
 */
public record OmniContextSampleScore(
    String key, String taskType, double promptFollowing, double subjectConsistency) {
  /** Validates the scores. */
  public OmniContextSampleScore {
    requireNonNull(key, "key");
    requireNonNull(taskType, "taskType");
    checkArgument(Double.isFinite(promptFollowing) && promptFollowing >= 0, "sample %s: bad PF %s", key, promptFollowing);
    checkArgument(
        Double.isFinite(subjectConsistency) && subjectConsistency >= 0, "sample %s: bad SC %s", key, subjectConsistency);
  }

  /**
   * Returns the sample's overall score, {@code sqrt(PF * SC)}.
   *
   * @return the overall score
   */
  public double overall() {
    return Math.sqrt(promptFollowing * subjectConsistency);
  }
}
