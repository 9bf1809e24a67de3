package io.gptedit.core.remote;

import java.time.Duration;
import java.time.Instant;

/**
 * The time source and sleeper the client paces itself with; tests substitute one that records sleeps instead of
 * waiting.
 *
 * @since 0.1
 */
public interface ClientClock {
  /**
   * Returns a monotonic reading in nanoseconds (only differences are meaningful).
   *
   * @return the reading
   */
  long nanoTime();

  /**
   * Returns the wall-clock time (used to turn an HTTP-date {@code Retry-After} into a wait).
   *
   * @return now
   */
  Instant now();

  /**
   * Waits for a duration.
   *
   * @param duration how long; zero or negative returns at once
   * @throws InterruptedException if the thread is interrupted while waiting
   */
  void sleep(Duration duration) throws InterruptedException;

  /**
   * Returns the real clock: {@link System#nanoTime()}, {@link Instant#now()} and {@link Thread#sleep(long, int)}.
   *
   * @return the system clock
   */
  static ClientClock system() {
    return SystemClock.INSTANCE;
  }
}

/** The real clock. */
enum SystemClock implements ClientClock {
  INSTANCE;

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public Instant now() {
    return Instant.now();
  }

  @Override
  public void sleep(Duration duration) throws InterruptedException {
    long nanos = duration.toNanos();
    if (nanos > 0) {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    }
  }
}
