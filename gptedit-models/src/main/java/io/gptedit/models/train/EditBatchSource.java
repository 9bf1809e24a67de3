package io.gptedit.models.train;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.gptedit.core.geometry.Size;
import java.util.List;

/**
 * Where each training step's examples come from: a pure function of the step (and micro-batch), so a resumed run
 * draws the same batches without replaying. A dataset index's aspect buckets decide the size: every sample of one
 * micro-batch is trained at the same resolution.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface EditBatchSource {
  /**
   * One micro-batch.
   *
   * @param samples the examples
   * @param size the resolution they are trained at
   */
  record MicroBatch(List<EditSample> samples, Size size) {
    /** Validates the batch. */
    public MicroBatch {
      samples = List.copyOf(samples);
      checkArgument(!samples.isEmpty(), "empty micro-batch");
      requireNonNull(size, "size");
    }
  }

  /**
   * Returns a micro-batch.
   *
   * @param step the 0-based optimizer step
   * @param micro the 0-based micro-batch within the step
   * @return its examples and resolution
   */
  MicroBatch batch(long step, int micro);
}
