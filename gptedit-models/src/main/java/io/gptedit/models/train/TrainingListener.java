package io.gptedit.models.train;

import java.nio.file.Path;

/** Observes a {@link Trainer}'s progress, for progress bars and logs; called on the training thread. */
public interface TrainingListener {
  /** A listener that ignores everything. */
  TrainingListener NONE = m -> {};

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
