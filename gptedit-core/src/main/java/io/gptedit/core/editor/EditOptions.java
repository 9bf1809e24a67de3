package io.gptedit.core.editor;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableMap;
import io.gptedit.core.geometry.AspectPreset;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Per-call options for an {@link ImageEditor}.
 *
 * <p>Every option is optional except the seed: an editor uses its own documented default for an absent value.
 * Options an editor does not understand are ignored by it (a remote API has no step count), which lets one set of
 * options drive editors of every kind in a benchmark.
 *
 * @param seed the random seed; the same seed, input and options give the same output on a deterministic editor
 * @param steps the number of sampling steps, if set (at least 1)
 * @param guidance the text guidance scale, if set (Flux guidance embedding, or CFG text scale)
 * @param imageGuidance the image guidance scale for InstructPix2Pix-style editors, if set
 * @param targetPreset the output aspect preset, if the caller wants one other than the input's nearest
 * @param extra editor-specific string options (for example {@code quality=high} for a remote API)
 * @since 0.1
 */
public record EditOptions(
    long seed,
    OptionalInt steps,
    OptionalDouble guidance,
    OptionalDouble imageGuidance,
    Optional<AspectPreset> targetPreset,
    Map<String, String> extra) {

  /** The seed used by {@link #defaults()}. */
  public static final long DEFAULT_SEED = 0L;

  /**
   * Validates and freezes the options.
   *
   * @throws IllegalArgumentException if steps is below 1 or a guidance scale is negative or not finite
   */
  public EditOptions {
    requireNonNull(steps, "steps");
    requireNonNull(guidance, "guidance");
    requireNonNull(imageGuidance, "imageGuidance");
    requireNonNull(targetPreset, "targetPreset");
    extra = ImmutableMap.copyOf(requireNonNull(extra, "extra"));
    if (steps.isPresent()) {
      checkArgument(steps.getAsInt() >= 1, "steps must be >= 1, got %s", steps.getAsInt());
    }
    checkScale("guidance", guidance);
    checkScale("imageGuidance", imageGuidance);
  }

  private static void checkScale(String name, OptionalDouble scale) {
    if (scale.isPresent()) {
      double v = scale.getAsDouble();
      checkArgument(Double.isFinite(v) && v >= 0, "%s must be finite and >= 0, got %s", name, v);
    }
  }

  /**
   * Returns options with seed {@value #DEFAULT_SEED} and every other option unset.
   *
   * @return the default options
   */
  public static EditOptions defaults() {
    return builder().build();
  }

  /**
   * Returns a builder starting from the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder initialised from these options.
   *
   * @return a builder holding a copy of these options
   */
  public Builder toBuilder() {
    Builder b = new Builder().optSeed(seed);
    b.steps = steps;
    b.guidance = guidance;
    b.imageGuidance = imageGuidance;
    b.targetPreset = targetPreset;
    b.extra = ImmutableMap.<String, String>builder().putAll(extra);
    return b;
  }

  /** Builds {@link EditOptions}; every setter is optional. */
  public static final class Builder {
    private long seed = DEFAULT_SEED;
    private OptionalInt steps = OptionalInt.empty();
    private OptionalDouble guidance = OptionalDouble.empty();
    private OptionalDouble imageGuidance = OptionalDouble.empty();
    private Optional<AspectPreset> targetPreset = Optional.empty();
    private ImmutableMap.Builder<String, String> extra = ImmutableMap.builder();

    private Builder() {}

    /**
     * Sets the random seed.
     *
     * @param seed the seed
     * @return this builder
     */
    public Builder optSeed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Sets the number of sampling steps.
     *
     * @param steps the step count, at least 1
     * @return this builder
     */
    public Builder optSteps(int steps) {
      this.steps = OptionalInt.of(steps);
      return this;
    }

    /**
     * Sets the text guidance scale.
     *
     * @param guidance the scale, finite and non-negative
     * @return this builder
     */
    public Builder optGuidance(double guidance) {
      this.guidance = OptionalDouble.of(guidance);
      return this;
    }

    /**
     * Sets the image guidance scale (InstructPix2Pix).
     *
     * @param imageGuidance the scale, finite and non-negative
     * @return this builder
     */
    public Builder optImageGuidance(double imageGuidance) {
      this.imageGuidance = OptionalDouble.of(imageGuidance);
      return this;
    }

    /**
     * Sets the output aspect preset.
     *
     * @param preset the preset
     * @return this builder
     */
    public Builder optTargetPreset(AspectPreset preset) {
      this.targetPreset = Optional.of(requireNonNull(preset, "preset"));
      return this;
    }

    /**
     * Adds an editor-specific option.
     *
     * @param key the option name
     * @param value the option value
     * @return this builder
     */
    public Builder optExtra(String key, String value) {
      extra.put(requireNonNull(key, "key"), requireNonNull(value, "value"));
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the validated options
     * @throws IllegalArgumentException if a value is out of range
     */
    public EditOptions build() {
      return new EditOptions(
          seed, steps, guidance, imageGuidance, targetPreset, extra.buildKeepingLast());
    }
  }
}
