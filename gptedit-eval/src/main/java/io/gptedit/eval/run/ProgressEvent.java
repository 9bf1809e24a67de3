package io.gptedit.eval.run;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

/**
 * One sample finished a phase.
 *
 * @param phase editing or judging
 * @param key the sample key
 * @param status what happened to it
 * @param done samples finished in this phase so far, including this one
 * @param total samples in this phase
 * @since 0.1
 */
public record ProgressEvent(Phase phase, String key, Status status, int done, int total) {
  /** The phases of a benchmark run. */
  public enum Phase {
    /** The editor produces outputs. */
    EDIT,
    /** The judge scores outputs. */
    JUDGE
  }

  /** What happened to a sample. */
  public enum Status {
    /** Produced (an output written, or a score obtained). */
    DONE,
    /** Already there from an earlier run. */
    SKIPPED,
    /** Failed; counted in the results. */
    FAILED
  }

  /** Validates the event. */
  public ProgressEvent {
    requireNonNull(phase, "phase");
    requireNonNull(key, "key");
    requireNonNull(status, "status");
    checkArgument(done >= 1 && done <= total, "done %s of %s", done, total);
  }
}
