package io.gptedit.core.remote;

import static com.google.common.base.Preconditions.checkArgument;

import java.time.Duration;

/**
 * A sliding-window requests-per-minute limiter: request {@code k + limit} is never granted earlier than 60 s
 * after request {@code k}, so no 60-second window holds more than {@code limit} grants.
 *
 * <p>Each caller reserves its slot under the lock and sleeps outside it, so waiting callers do not block one
 * another's bookkeeping. Grant times are non-decreasing, which keeps the ring buffer sorted.
 */
final class RateLimiter {
  private static final long WINDOW_NANOS = Duration.ofMinutes(1).toNanos();

  private final ClientClock clock;
  private final long[] grants;
  private int size;
  private int head;

  RateLimiter(int requestsPerMinute, ClientClock clock) {
    checkArgument(requestsPerMinute >= 1, "requestsPerMinute must be >= 1, got %s", requestsPerMinute);
    this.grants = new long[requestsPerMinute];
    this.clock = clock;
  }

  /**
   * Reserves the next slot and waits for it.
   *
   * @return how long the caller waited
   * @throws InterruptedException if interrupted while waiting (the slot stays spent)
   */
  Duration acquire() throws InterruptedException {
    long wait;
    synchronized (this) {
      long now = clock.nanoTime();
      long at;
      if (size < grants.length) {
        at = size == 0 ? now : Math.max(now, grants[(head + size - 1) % grants.length]);
        grants[(head + size) % grants.length] = at;
        size++;
      } else {
        at = Math.max(now, grants[head] + WINDOW_NANOS);
        grants[head] = at;
        head = (head + 1) % grants.length;
      }
      wait = at - now;
    }
    Duration d = Duration.ofNanos(wait);
    if (wait > 0) {
      clock.sleep(d);
    }
    return d;
  }
}
