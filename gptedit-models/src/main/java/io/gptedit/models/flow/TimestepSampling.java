package io.gptedit.models.flow;

import java.util.SplittableRandom;

/**
 * Training-time densities over the flow time sigma in (0, 1), and the matching loss weights.
 *
 * <p>Training interpolates {@code x_t = (1 - sigma) x0 + sigma * noise} and regresses {@code v = noise - x0}.
 *
 * @since 0.1
 */
public final class TimestepSampling {
  /** SD3's default scale of the "mode" density. */
  public static final double MODE_SCALE = 1.29;

  /** How sigma is drawn. */
  public enum Density {
    /** {@code sigmoid(N(mean, std))}. */
    LOGIT_NORMAL,
    /** Uniform in [0, 1). */
    UNIFORM,
    /** SD3's mode sampling: {@code 1 - u - scale (cos^2(pi u / 2) - 1 + u)} with uniform u. */
    MODE
  }

  /** Per-sample loss weights. */
  public enum Weighting {
    /** All ones (the paper's released training). */
    NONE,
    /** {@code sigma^-2}. */
    SIGMA_SQRT,
    /** {@code 2 / (pi (1 - 2 sigma + 2 sigma^2))}. */
    COSMAP;

    /**
     * Computes the weight of one sample.
     *
     * @param sigma the sample's flow time
     * @return its loss weight
     */
    public double weight(double sigma) {
      return switch (this) {
        case NONE -> 1;
        case SIGMA_SQRT -> 1 / (sigma * sigma);
        case COSMAP -> 2 / (Math.PI * (1 - 2 * sigma + 2 * sigma * sigma));
      };
    }
  }

  private TimestepSampling() {}

  /**
   * Draws flow times.
   *
   * @param density the density
   * @param mean the logit-normal mean (0 in the paper)
   * @param std the logit-normal standard deviation (1 in the paper)
   * @param random the random source
   * @param count how many
   * @return sigmas in [0, 1]
   */
  public static double[] sample(Density density, double mean, double std, SplittableRandom random, int count) {
    double[] s = new double[count];
    for (int i = 0; i < count; i++) {
      s[i] =
          switch (density) {
            case LOGIT_NORMAL -> 1 / (1 + Math.exp(-(mean + std * random.nextGaussian())));
            case UNIFORM -> random.nextDouble();
            case MODE -> {
              double u = random.nextDouble();
              double c = Math.cos(Math.PI * u / 2);
              yield 1 - u - MODE_SCALE * (c * c - 1 + u);
            }
          };
    }
    return s;
  }

  /**
   * Shifts training sigmas as the paper's released code does: {@code shift = exp(mu)} from the image token count.
   *
   * @param sigma a drawn sigma
   * @param imageTokens the image token count
   * @return the shifted sigma
   */
  public static double shiftForResolution(double sigma, int imageTokens) {
    return FlowSchedules.timeShift(FlowSchedules.mu(imageTokens), sigma);
  }
}
