package io.gptedit.models.flow;

/**
 * The sampling time schedules by name, for configs and checkpoints; each returns {@code steps + 1} times from 1
 * (pure noise) down to 0 (data). See {@link FlowSchedules} for the formulas.
 *
 * @since 0.1
 */
public enum TimeSchedule {
  /** {@code linspace(1, 0, steps + 1)}, unshifted: what tiny models trained with unshifted flow times use. */
  LINEAR,
  /** BFL's reference schedule, shifted with mu from the image token count ({@link FlowSchedules#bfl}). */
  BFL,
  /** diffusers' Flux sigmas ({@link FlowSchedules#diffusers}). */
  DIFFUSERS,
  /** SD3's static shift of 3 ({@link FlowSchedules#sd3}). */
  SD3;

  /**
   * Returns the schedule's times.
   *
   * @param steps the number of sampling steps, at least 1
   * @param imageTokens the number of noisy image tokens (for the token-dependent shift)
   * @return {@code steps + 1} times from 1 down to 0
   */
  public double[] times(int steps, int imageTokens) {
    return switch (this) {
      case LINEAR -> FlowSchedules.linear(steps);
      case BFL -> FlowSchedules.bfl(steps, imageTokens);
      case DIFFUSERS -> FlowSchedules.diffusers(steps, imageTokens);
      case SD3 -> FlowSchedules.sd3(steps, FlowSchedules.SD3_SHIFT);
    };
  }
}
