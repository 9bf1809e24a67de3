package io.gptedit.core.testing;

import io.gptedit.core.remote.ClientClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A clock whose sleeps return at once, advance the time and are recorded. */
public final class FakeClock implements ClientClock {
  /** The instant the clock starts at. */
  public static final Instant START = Instant.parse("2026-11-26T12:00:00Z");

  private long nanos;
  private final List<Duration> sleeps = new ArrayList<>();

  @Override
  public synchronized long nanoTime() {
    return nanos;
  }

  @Override
  public synchronized Instant now() {
    return START.plusNanos(nanos);
  }

  @Override
  public synchronized void sleep(Duration duration) {
    sleeps.add(duration);
    if (!duration.isNegative()) {
      nanos += duration.toNanos();
    }
  }

  /**
   * Moves the clock forward without a sleep.
   *
   * @param d how far
   */
  public synchronized void advance(Duration d) {
    nanos += d.toNanos();
  }

  /**
   * Returns every sleep asked of the clock, in order.
   *
   * @return the sleeps
   */
  public synchronized List<Duration> sleeps() {
    return List.copyOf(sleeps);
  }
}
