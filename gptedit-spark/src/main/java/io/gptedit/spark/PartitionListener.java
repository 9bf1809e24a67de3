package io.gptedit.spark;

import java.io.Serializable;

/**
 * Observes a task's progress on the executor, after every finished unit. An exception thrown here fails the task
 * like any other task failure, and Spark retries it (up to {@code spark.task.maxFailures}); the tests use that to
 * kill a task in the middle of its partition.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface PartitionListener extends Serializable {
  /**
   * Called after a unit of the partition finished.
   *
   * @param partition the partition number
   * @param attempt the task's attempt number (0 for the first)
   * @param finished units finished so far in this attempt
   */
  void afterOutcome(int partition, int attempt, long finished);
}
