package io.gptedit.eval.judge;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.gptedit.eval.Benchmark;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * How a judge calls its chat model.
 *
 * @param model the judge model, such as {@code gpt-4.1}
 * @param temperature the sampling temperature, or empty for the service default
 * @param maxTokens the completion limit, or empty for none
 * @param samplesPerImage judge runs per image (Complex-Edit's n; 1 for the others)
 * @param maxAttempts attempts per call that may end without a usable reply before the sample is recorded as a
 *     failure
 * @param cacheDir where judge replies are cached, or empty for no cache
 * @since 0.1
 */
public record JudgeConfig(
    String model,
    OptionalDouble temperature,
    OptionalInt maxTokens,
    int samplesPerImage,
    int maxAttempts,
    Optional<Path> cacheDir) {
  /** Validates the configuration. */
  public JudgeConfig {
    requireNonNull(model, "model");
    checkArgument(!model.isBlank(), "judge model must not be blank");
    requireNonNull(temperature, "temperature");
    requireNonNull(maxTokens, "maxTokens");
    checkArgument(samplesPerImage >= 1, "samplesPerImage must be >= 1, got %s", samplesPerImage);
    checkArgument(maxAttempts >= 1, "maxAttempts must be >= 1, got %s", maxAttempts);
    requireNonNull(cacheDir, "cacheDir");
  }

  /**
   * Returns the official protocol's settings: GEdit gpt-4.1 with 1400 max tokens; ImgEdit and OmniContext
   * gpt-4.1; Complex-Edit gpt-4o-2024-11-20 at temperature 1.0 with 20 runs per image. Three attempts, no cache.
   *
   * @param benchmark the benchmark
   * @return the defaults
   */
  public static JudgeConfig defaults(Benchmark benchmark) {
    return switch (benchmark) {
      // GEdit-Bench's VIEScore client
      case GEDIT -> new JudgeConfig("gpt-4.1", OptionalDouble.empty(), OptionalInt.of(1400), 1, 3, Optional.empty());
      // the ImgEdit leaderboard and the paper's copy of the scorer use gpt-4.1
      case IMGEDIT, OMNICONTEXT -> new JudgeConfig("gpt-4.1", OptionalDouble.empty(), OptionalInt.empty(), 1, 3, Optional.empty());
      // Complex-Edit's evaluator: structured output, temperature 1.0, 20 samples per image
      case COMPLEX_EDIT -> new JudgeConfig(
          "gpt-4o-2024-11-20", OptionalDouble.of(1.0), OptionalInt.empty(), 20, 3, Optional.empty());
      // no judge: local metrics; a config is still needed by the report's header
      case LOCAL -> new JudgeConfig("local-metrics", OptionalDouble.empty(), OptionalInt.empty(), 1, 1, Optional.empty());
    };
  }

  /**
   * Returns a copy with another model.
   *
   * @param model the judge model
   * @return the new configuration
   */
  public JudgeConfig withModel(String model) {
    return new JudgeConfig(model, temperature, maxTokens, samplesPerImage, maxAttempts, cacheDir);
  }

  /**
   * Returns a copy with another number of runs per image.
   *
   * @param n runs per image, at least 1
   * @return the new configuration
   */
  public JudgeConfig withSamplesPerImage(int n) {
    return new JudgeConfig(model, temperature, maxTokens, n, maxAttempts, cacheDir);
  }

  /**
   * Returns a copy with another temperature.
   *
   * @param t the temperature
   * @return the new configuration
   */
  public JudgeConfig withTemperature(double t) {
    return new JudgeConfig(model, OptionalDouble.of(t), maxTokens, samplesPerImage, maxAttempts, cacheDir);
  }

  /**
   * Returns a copy with another attempt limit.
   *
   * @param attempts attempts per call, at least 1
   * @return the new configuration
   */
  public JudgeConfig withMaxAttempts(int attempts) {
    return new JudgeConfig(model, temperature, maxTokens, samplesPerImage, attempts, cacheDir);
  }

  /**
   * Returns a copy that caches replies in a folder.
   *
   * @param dir the cache folder
   * @return the new configuration
   */
  public JudgeConfig withCache(Path dir) {
    return new JudgeConfig(model, temperature, maxTokens, samplesPerImage, maxAttempts, Optional.of(dir));
  }
}
