package io.gptedit.models.train;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import java.util.Collection;

/**
 * Dynamic loss scaling for float16 training, with the rules of PyTorch's {@code torch.cuda.amp.GradScaler}.
 *
 * <p>The loss is multiplied by {@link #scale()} before the backward pass, so that small gradients do not flush to
 * zero in float16. {@link #unscale(Collection)} divides the (float32) gradients by the scale again before they are
 * clipped and checked. Then {@link #update(boolean)}: if any gradient was infinite or NaN the optimizer step must
 * be skipped and the scale is multiplied by {@code backoffFactor}; after {@code growthInterval} consecutive finite
 * steps it is multiplied by {@code growthFactor}. With the default power-of-two factors the scale stays a power of
 * two, so scaling and unscaling are exact.
 *
 * <p>The state ({@link State}: the scale and the count of finite steps since the last change) is saved in
 * checkpoints, so a resumed run continues bit-exactly.
 *
 * @since 0.1
 */
public final class LossScaler {
  private final Config config;
  private double scale;
  private long goodSteps;

  /**
   * The scaler's settings.
   *
   * @param initialScale the first scale, positive and finite (PyTorch: 2^16)
   * @param growthFactor the factor applied after {@code growthInterval} finite steps, above 1 (PyTorch: 2)
   * @param backoffFactor the factor applied after a non-finite step, in (0, 1) (PyTorch: 0.5)
   * @param growthInterval consecutive finite steps before growing, at least 1 (PyTorch: 2000)
   */
  public record Config(double initialScale, double growthFactor, double backoffFactor, int growthInterval) {
    /** Validates the settings. */
    public Config {
      checkArgument(
          initialScale > 0 && Double.isFinite(initialScale),
          "initialScale must be positive and finite, got %s",
          initialScale);
      checkArgument(
          growthFactor > 1 && Double.isFinite(growthFactor), "growthFactor must be > 1, got %s", growthFactor);
      checkArgument(backoffFactor > 0 && backoffFactor < 1, "backoffFactor must be in (0, 1), got %s", backoffFactor);
      checkArgument(growthInterval >= 1, "growthInterval must be >= 1, got %s", growthInterval);
    }

    /**
     * Returns PyTorch's defaults: initial scale 2^16, growth 2, backoff 0.5, growth interval 2000.
     *
     * @return the defaults
     */
    public static Config defaults() {
      return new Config(65536.0, 2.0, 0.5, 2000);
    }

    /**
     * Returns these settings with another initial scale.
     *
     * @param scale the initial scale
     * @return a new config
     */
    public Config withInitialScale(double scale) {
      return new Config(scale, growthFactor, backoffFactor, growthInterval);
    }

    /**
     * Returns these settings with another growth interval.
     *
     * @param steps the interval
     * @return a new config
     */
    public Config withGrowthInterval(int steps) {
      return new Config(initialScale, growthFactor, backoffFactor, steps);
    }
  }

  /**
   * The scaler's mutable state, as saved in a checkpoint.
   *
   * @param scale the current scale, positive
   * @param goodSteps finite steps since the scale last changed, in [0, growthInterval)
   */
  public record State(double scale, long goodSteps) {
    /** Validates the state. */
    public State {
      checkArgument(scale > 0 && Double.isFinite(scale), "scale must be positive and finite, got %s", scale);
      checkArgument(goodSteps >= 0, "goodSteps must be >= 0, got %s", goodSteps);
    }
  }

  /**
   * Starts a scaler at the config's initial scale.
   *
   * @param config the settings
   */
  public LossScaler(Config config) {
    this.config = requireNonNull(config, "config");
    this.scale = config.initialScale();
  }

  /**
   * Returns the settings.
   *
   * @return the config
   */
  public Config config() {
    return config;
  }

  /**
   * Returns the factor the next loss is multiplied by.
   *
   * @return the scale
   */
  public double scale() {
    return scale;
  }

  /**
   * Divides every gradient by the current scale, in place, and reports whether all of them are finite.
   *
   * @param grads float32 gradients of the scaled loss; changed in place
   * @return true if no element is infinite or NaN
   */
  public boolean unscale(Collection<NDArray> grads) {
    double inverse = 1.0 / scale;
    boolean finite = true;
    for (NDArray g : grads) {
      g.muli(inverse);
      if (finite) {
        finite = allFinite(g);
      }
    }
    return finite;
  }

  /**
   * Moves the state machine after a step: backs off after a non-finite step (and restarts the count), grows
   * after {@code growthInterval} finite steps in a row.
   *
   * @param finite whether the step's gradients were all finite (so the optimizer stepped)
   */
  public void update(boolean finite) {
    if (!finite) {
      scale *= config.backoffFactor();
      goodSteps = 0;
      return;
    }
    goodSteps++;
    if (goodSteps >= config.growthInterval()) {
      double grown = scale * config.growthFactor();
      if (Double.isFinite(grown)) {
        scale = grown;
      }
      goodSteps = 0;
    }
  }

  /**
   * Returns the state to save.
   *
   * @return the scale and the count of finite steps
   */
  public State state() {
    return new State(scale, goodSteps);
  }

  /**
   * Restores a saved state.
   *
   * @param state the state from {@link #state()}
   */
  public void load(State state) {
    requireNonNull(state, "state");
    this.scale = state.scale();
    this.goodSteps = state.goodSteps();
  }

  /** True if no element of {@code g} is infinite or NaN. */
  static boolean allFinite(NDArray g) {
    try (NDArray inf = g.isInfinite();
        NDArray nan = g.isNaN();
        NDArray bad = inf.logicalOr(nan);
        NDArray any = bad.any()) {
      return !any.getBoolean();
    }
  }
}
