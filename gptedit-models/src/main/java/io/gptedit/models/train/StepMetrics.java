package io.gptedit.models.train;

/**
 * What one optimizer step measured; one line of a run's {@code metrics.jsonl}.
 *
 * @param step the number of optimizer steps taken, this one included (1 for the first step)
 * @param loss the loss, averaged over the step's micro-batches
 * @param lr the learning rate the step used
 * @param gradNorm the global gradient norm before clipping (after unscaling, with fp16)
 * @param samplesPerSecond training samples per wall-clock second for this step
 * @param skipped true if the update was skipped because the loss or the gradients were not finite
 * @param lossScale the loss scale the step's backward pass used with {@link Precision#FP16}; NaN in fp32
 * @since 0.1
 */
public record StepMetrics(
    long step,
    double loss,
    double lr,
    double gradNorm,
    double samplesPerSecond,
    boolean skipped,
    double lossScale) {

  /**
   * Creates the metrics of an fp32 step (no loss scale).
   *
   * @param step the number of optimizer steps taken, this one included
   * @param loss the loss, averaged over the step's micro-batches
   * @param lr the learning rate the step used
   * @param gradNorm the global gradient norm before clipping
   * @param samplesPerSecond training samples per wall-clock second
   * @param skipped true if the update was skipped
   */
  public StepMetrics(
      long step, double loss, double lr, double gradNorm, double samplesPerSecond, boolean skipped) {
    this(step, loss, lr, gradNorm, samplesPerSecond, skipped, Double.NaN);
  }

  /**
   * Returns whether the step recorded a loss scale.
   *
   * @return true for fp16 steps
   */
  public boolean hasLossScale() {
    return !Double.isNaN(lossScale);
  }
}
