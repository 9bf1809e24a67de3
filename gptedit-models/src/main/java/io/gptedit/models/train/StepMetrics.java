package io.gptedit.models.train;

/**
 * What one optimizer step measured; one line of a run's {@code metrics.jsonl}.
 *
 * @param step the number of optimizer steps taken, this one included (1 for the first step)
 * @param loss the loss, averaged over the step's micro-batches
 * @param lr the learning rate the step used
 * @param gradNorm the global gradient norm before clipping
 * @param samplesPerSecond training samples per wall-clock second for this step
 * @param skipped true if the update was skipped because the loss or the gradients were not finite
 */
public record StepMetrics(
    long step, double loss, double lr, double gradNorm, double samplesPerSecond, boolean skipped) {}
