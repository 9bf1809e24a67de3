package io.gptedit.models.train;

import java.nio.file.Path;

/**
 * Observes a {@link FineTuner}'s progress, for progress bars and logs; called on the training thread.
 *
 * @since 0.1
 */
public interface FineTuneListener {
  /** A listener that ignores everything. */
  FineTuneListener NONE = m -> {};

  /**
   * Reports a finished optimizer step.
   *
   * @param metrics what the step measured
   */
  void onStep(StepMetrics metrics);

  /**
   * Reports a checkpoint written.
   *
   * @param step the steps taken when it was written
   * @param dir the checkpoint folder
   */
  default void onCheckpoint(long step, Path dir) {}
}
