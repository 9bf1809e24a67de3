package io.gptedit.core.remote;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A clock whose sleeps return at once, advance the time and are recorded. */
final class FakeClock implements ClientClock {
  static final Instant START = Instant.parse("2026-11-26T12:00:00Z");

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

  synchronized void advance(Duration d) {
    nanos += d.toNanos();
  }

  synchronized List<Duration> sleeps() {
    return List.copyOf(sleeps);
  }
}
