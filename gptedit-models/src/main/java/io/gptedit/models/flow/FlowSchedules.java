package io.gptedit.models.flow;

/**
 * Time schedules for rectified-flow sampling; every schedule runs from 1 (pure noise) down to 0 (data).
 *
 * <p>Two conventions exist and both are offered. BFL's reference code ({@link #bfl}) shifts
 * {@code linspace(1, 0, steps + 1)}. diffusers' {@code FlowMatchEulerDiscreteScheduler} ({@link #diffusers})
 * shifts {@code linspace(1, 1/steps, steps)} and appends a final 0. SD3 uses a static shift of 3.0
 * ({@link #sd3}) and, like diffusers and Stability's sampler, schedules down to the shifted smallest training sigma
 * rather than to {@code 1/steps}.
 *
 * @since 0.1
 */
public final class FlowSchedules {
  /** BFL: mu at 256 image tokens. */
  public static final double BASE_SHIFT = 0.5;
  /** BFL: mu at 4096 image tokens. */
  public static final double MAX_SHIFT = 1.15;
  /** BFL: image tokens where mu is {@link #BASE_SHIFT}. */
  public static final int BASE_SEQ_LEN = 256;
  /** BFL: image tokens where mu is {@link #MAX_SHIFT}. */
  public static final int MAX_SEQ_LEN = 4096;
  /** SD3's static shift. */
  public static final double SD3_SHIFT = 3.0;
  /** The number of discrete training timesteps SD3's sigma table has (its smallest sigma is at t = 1/1000). */
  public static final int SD3_TRAIN_TIMESTEPS = 1000;

  private FlowSchedules() {}

  /**
   * BFL's mu: linear in the image token count through (256, 0.5) and (4096, 1.15), extrapolated outside.
   *
   * @param imageTokens the number of (noisy) image tokens
   * @return mu
   */
  public static double mu(int imageTokens) {
    double slope = (MAX_SHIFT - BASE_SHIFT) / (MAX_SEQ_LEN - BASE_SEQ_LEN);
    return BASE_SHIFT + slope * (imageTokens - BASE_SEQ_LEN);
  }

  /**
   * The time shift {@code exp(mu) / (exp(mu) + (1/t - 1))}, with 0 mapped to 0.
   *
   * @param mu the shift parameter
   * @param t a time in [0, 1]
   * @return the shifted time
   */
  public static double timeShift(double mu, double t) {
    if (t <= 0) {
      return 0;
    }
    double e = Math.exp(mu);
    return e / (e + (1 / t - 1));
  }

  /**
   * The static shift {@code shift * s / (1 + (shift - 1) s)}; equal to {@link #timeShift} with
   * {@code mu = ln(shift)}.
   *
   * @param shift the shift (3.0 for SD3)
   * @param sigma a time in [0, 1]
   * @return the shifted time
   */
  public static double staticShift(double shift, double sigma) {
    return shift * sigma / (1 + (shift - 1) * sigma);
  }

  /**
   * The unshifted schedule {@code linspace(1, 0, steps + 1)}.
   *
   * @param steps the number of steps (at least 1)
   * @return {@code steps + 1} times from 1 down to 0
   */
  public static double[] linear(int steps) {
    checkSteps(steps);
    double[] t = new double[steps + 1];
    for (int i = 0; i <= steps; i++) {
      t[i] = 1 - (double) i / steps;
    }
    return t;
  }

  /**
   * BFL's schedule: {@code linspace(1, 0, steps + 1)} shifted with mu from the image token count.
   *
   * @param steps the number of steps (at least 1)
   * @param imageTokens the number of noisy image tokens
   * @return {@code steps + 1} times from 1 down to 0
   */
  public static double[] bfl(int steps, int imageTokens) {
    checkSteps(steps);
    double mu = mu(imageTokens);
    double[] t = new double[steps + 1];
    for (int i = 0; i <= steps; i++) {
      t[i] = timeShift(mu, 1 - (double) i / steps);
    }
    return t;
  }

  /**
   * diffusers' Flux sigmas: {@code linspace(1, 1/steps, steps)} shifted with mu, then a final 0.
   *
   * @param steps the number of steps (at least 1)
   * @param imageTokens the number of noisy image tokens
   * @return {@code steps + 1} times from 1 down to 0
   */
  public static double[] diffusers(int steps, int imageTokens) {
    double mu = mu(imageTokens);
    double[] base = linspaceToOneOverSteps(steps);
    double[] t = new double[steps + 1];
    for (int i = 0; i < steps; i++) {
      t[i] = timeShift(mu, base[i]);
    }
    return t;
  }

  /**
   * SD3's schedule as diffusers' {@code FlowMatchEulerDiscreteScheduler(shift=3.0)} and Stability's SD3 sampler
   * build it: the training sigmas are {@code staticShift(shift, t / 1000)} for {@code t = 1..1000}, so the smallest
   * is {@code sigma_min = staticShift(shift, 1/1000)}; sampling takes {@code linspace(1, sigma_min, steps)}, shifts
   * it, and appends 0. At 28 steps with shift 3 the last step runs from {@code 9 * 0.001 / 1.008 = 0.0089} to 0.
   *
   * @param steps the number of steps (at least 1)
   * @param shift the static shift ({@link #SD3_SHIFT}), positive
   * @return {@code steps + 1} times from 1 down to 0
   */
  public static double[] sd3(int steps, double shift) {
    checkSteps(steps);
    if (!(shift > 0) || Double.isInfinite(shift)) {
      throw new IllegalArgumentException("shift must be positive and finite, got " + shift);
    }
    double sigmaMin = staticShift(shift, 1.0 / SD3_TRAIN_TIMESTEPS);
    double[] t = new double[steps + 1];
    for (int i = 0; i < steps; i++) {
      double base = i == steps - 1 && steps > 1 ? sigmaMin : 1 + i * (sigmaMin - 1) / Math.max(1, steps - 1);
      t[i] = staticShift(shift, base);
    }
    return t;
  }

  private static double[] linspaceToOneOverSteps(int steps) {
    checkSteps(steps);
    double[] s = new double[steps];
    for (int i = 0; i < steps; i++) {
      s[i] = steps == 1 ? 1 : 1 - i * (1 - 1.0 / steps) / (steps - 1);
    }
    return s;
  }

  private static void checkSteps(int steps) {
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1, got " + steps);
    }
  }
}
