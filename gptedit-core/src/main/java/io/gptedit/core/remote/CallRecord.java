package io.gptedit.core.remote;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * What one client call did: its endpoint, how many HTTP attempts it made, how it ended, what it consumed and how
 * long it took (retry waits included).
 *
 * @param endpoint the endpoint called
 * @param attempts HTTP requests sent, at least 1 (0 only when interrupted before the first was sent)
 * @param failure the kind of the exception the call threw, or empty when it returned a result
 * @param usage what the successful reply reported ({@link Usage#NONE} on failure)
 * @param costUsd the estimated cost of {@code usage} under the client's {@link PriceTable}
 * @param elapsed time from the call's start to its end, on the client's clock
 * @since 0.1
 */
public record CallRecord(
    Endpoint endpoint,
    int attempts,
    Optional<RemoteException.Kind> failure,
    Usage usage,
    double costUsd,
    Duration elapsed) {
  /** Validates the record. */
  public CallRecord {
    requireNonNull(endpoint, "endpoint");
    checkArgument(attempts >= 0, "attempts must be >= 0, got %s", attempts);
    requireNonNull(failure, "failure");
    requireNonNull(usage, "usage");
    requireNonNull(elapsed, "elapsed");
  }

  /**
   * Returns whether the call returned a result.
   *
   * @return {@code failure().isEmpty()}
   */
  public boolean succeeded() {
    return failure.isEmpty();
  }

  /** Receives a {@link CallRecord} at the end of every call, on the calling thread. */
  @FunctionalInterface
  public interface Listener {
    /**
     * Handles the record of a finished call. Runs on the thread that made the call, just before the call returns
     * or throws, so a caller can attribute it (for example through a thread-local) to the sample it is
     * processing. Must not throw.
     *
     * @param record the record
     */
    void onCall(CallRecord record);
  }
}
