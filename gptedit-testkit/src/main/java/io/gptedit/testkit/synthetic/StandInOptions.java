package io.gptedit.testkit.synthetic;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Settings of the in-process stand-in services.
 *
 * @param defectRate the share of padded edit requests answered with a generator defect the quality checks must
 *     catch (content shrunk away from a padded side, or padding painted over), chosen by hashing the request
 * @param latency an artificial delay per call, to model a remote service in benchmarks and kill tests
 * @param model the model name the services report
 * @since 0.1
 */
public record StandInOptions(double defectRate, Duration latency, String model) {
  /** The model name reported by default. */
  public static final String DEFAULT_MODEL = "synthetic-1";

  /**
   * Validates the options.
   *
   * @throws IllegalArgumentException if the defect rate is outside [0, 1] or the latency is negative
   */
  public StandInOptions {
    if (!(defectRate >= 0 && defectRate <= 1)) {
      throw new IllegalArgumentException("defectRate must be in [0, 1], got " + defectRate);
    }
    requireNonNull(latency, "latency");
    if (latency.isNegative()) {
      throw new IllegalArgumentException("latency must be >= 0, got " + latency);
    }
    requireNonNull(model, "model");
  }

  /**
   * Returns exact services: no defects, no latency.
   *
   * @return the options
   */
  public static StandInOptions exact() {
    return new StandInOptions(0, Duration.ZERO, DEFAULT_MODEL);
  }

  /**
   * Returns a copy with another defect rate.
   *
   * @param rate the share of defective answers
   * @return the options
   */
  public StandInOptions withDefectRate(double rate) {
    return new StandInOptions(rate, latency, model);
  }

  /**
   * Returns a copy with another latency.
   *
   * @param d the delay per call
   * @return the options
   */
  public StandInOptions withLatency(Duration d) {
    return new StandInOptions(defectRate, d, model);
  }

  void pause() {
    if (latency.isZero()) {
      return;
    }
    try {
      Thread.sleep(latency.toMillis(), latency.toNanosPart() % 1_000_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new io.gptedit.core.remote.RemoteException(
          io.gptedit.core.remote.RemoteException.Kind.TIMEOUT, 0, "interrupted while waiting", e);
    }
  }
}
