package io.gptedit.models.train;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * A learning rate as a function of the 0-based optimizer step.
 *
 * <p>Warm-up is linear from {@code peak / warmup} at step 0 to {@code peak} at step {@code warmup - 1}. After it,
 * {@link Constant} stays at the peak and {@link Cosine} follows half a cosine from the peak down to {@code floor}
 * at step {@code total - 1} (and stays there).
 *
 * @since 0.1
 */
public sealed interface LrSchedule permits LrSchedule.Constant, LrSchedule.Cosine {

  /**
   * Returns the learning rate at a step.
   *
   * @param step the 0-based step
   * @return the learning rate
   */
  double at(long step);

  /**
   * Warm-up then constant.
   *
   * @param peak the learning rate after warm-up
   * @param warmup the warm-up length in steps (0 for none)
   */
  record Constant(double peak, long warmup) implements LrSchedule {
    /** Validates the schedule. */
    public Constant {
      checkArgument(peak >= 0 && Double.isFinite(peak), "peak must be finite and >= 0, got %s", peak);
      checkArgument(warmup >= 0, "warmup must be >= 0, got %s", warmup);
    }

    @Override
    public double at(long step) {
      checkArgument(step >= 0, "step must be >= 0, got %s", step);
      return step < warmup ? peak * (step + 1) / warmup : peak;
    }
  }

  /**
   * Warm-up then cosine decay.
   *
   * @param peak the learning rate after warm-up
   * @param floor the final learning rate
   * @param warmup the warm-up length in steps
   * @param total the total number of steps (more than {@code warmup})
   */
  record Cosine(double peak, double floor, long warmup, long total) implements LrSchedule {
    /** Validates the schedule. */
    public Cosine {
      checkArgument(peak >= 0 && Double.isFinite(peak), "peak must be finite and >= 0, got %s", peak);
      checkArgument(floor >= 0 && floor <= peak, "floor must be in [0, peak], got %s", floor);
      checkArgument(warmup >= 0, "warmup must be >= 0, got %s", warmup);
      checkArgument(total > warmup, "total (%s) must exceed warmup (%s)", total, warmup);
    }

    @Override
    public double at(long step) {
      checkArgument(step >= 0, "step must be >= 0, got %s", step);
      if (step < warmup) {
        return peak * (step + 1) / warmup;
      }
      long span = Math.max(1, total - 1 - warmup);
      double progress = Math.min(1.0, (double) (step - warmup) / span);
      return floor + 0.5 * (peak - floor) * (1 + Math.cos(Math.PI * progress));
    }
  }
}
