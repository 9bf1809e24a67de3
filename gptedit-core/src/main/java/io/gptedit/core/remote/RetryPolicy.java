package io.gptedit.core.remote;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How often and how patiently a call is retried after a retryable failure.
 *
 * <p>Before retry {@code k} (1 for the first retry) the client waits {@code min(maxDelay, baseDelay * 2^(k-1))},
 * shortened by a random fraction of at most {@code jitter} (so the wait lies in
 * {@code [d * (1 - jitter), d]}). When the reply carried {@code Retry-After} (or {@code retry-after-ms}), that
 * wait is used instead, without jitter, capped at {@code maxDelay}.
 *
 * @param maxAttempts attempts in total, including the first; 1 disables retries
 * @param baseDelay the wait before the first retry
 * @param maxDelay the longest single wait
 * @param jitter the largest fraction taken off a backoff wait, 0 to 1
 * @since 0.1
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay, double jitter) {
  /** Five attempts, 500 ms doubling to at most 30 s, with up to 50 % jitter. */
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(30), 0.5);

  /** One attempt, no retries. */
  public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO, 0);

  /** Validates the policy. */
  public RetryPolicy {
    checkArgument(maxAttempts >= 1, "maxAttempts must be >= 1, got %s", maxAttempts);
    requireNonNull(baseDelay, "baseDelay");
    requireNonNull(maxDelay, "maxDelay");
    checkArgument(!baseDelay.isNegative(), "baseDelay must be >= 0, got %s", baseDelay);
    checkArgument(
        maxDelay.compareTo(baseDelay) >= 0, "maxDelay %s must be >= baseDelay %s", maxDelay, baseDelay);
    checkArgument(jitter >= 0 && jitter <= 1, "jitter must be in [0, 1], got %s", jitter);
  }

  /**
   * Returns the backoff wait before a retry, before jitter.
   *
   * @param retry the retry number, 1 for the first retry
   * @return {@code min(maxDelay, baseDelay * 2^(retry-1))}
   */
  public Duration backoff(int retry) {
    checkArgument(retry >= 1, "retry must be >= 1, got %s", retry);
    long base = baseDelay.toNanos();
    long max = maxDelay.toNanos();
    int shift = Math.min(retry - 1, 62);
    long d = base > (max >> shift) ? max : Math.min(max, base << shift);
    return Duration.ofNanos(d);
  }
}
