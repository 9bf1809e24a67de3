package io.gptedit.examples;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A periodic progress line for long work: done / total, rate and ETA, printed at most once per interval (and on
 * the last item) to a stream, usually standard error. Thread-safe.
 *
 * <p>The ETA is stable: it is the remaining count over a smoothed rate (an exponential moving average, weight
 * {@value #ALPHA}, of the rates measured over successive windows of at least {@value #WINDOW_SECONDS} s), timed from
 * the first finished item, so start-up work (loading models, opening files, a slow first item) neither inflates it
 * nor makes it jump; until a window has been measured the ETA is {@code ?}.
 */
final class ProgressLine {
  /** Weight of the newest window's rate in the moving average. */
  static final double ALPHA = 0.3;
  /** Shortest window a rate is measured over, in seconds. */
  static final double WINDOW_SECONDS = 0.5;

  /** A monotonic clock in nanoseconds (System::nanoTime; tests pass their own). */
  interface Clock {
    long nanos();
  }

  private final String label;
  private final PrintStream out;
  private final long intervalNanos;
  private final Clock clock;
  private final long start;
  private long lastPrint;
  private long windowStart = -1;
  private long windowDone;
  private double smoothedRate = Double.NaN;

  ProgressLine(String label, PrintStream out, double intervalSeconds) {
    this(label, out, intervalSeconds, System::nanoTime);
  }

  ProgressLine(String label, PrintStream out, double intervalSeconds, Clock clock) {
    this.label = label;
    this.out = out;
    this.intervalNanos = (long) (intervalSeconds * 1e9);
    this.clock = clock;
    this.start = clock.nanos();
    this.lastPrint = start;
  }

  /** Reports that {@code done} of {@code total} items are finished; {@code extra} is appended (may be empty). */
  synchronized void update(long done, long total, String extra) {
    long now = clock.nanos();
    measure(done, now);
    if (done < total && now - lastPrint < intervalNanos) {
      return;
    }
    lastPrint = now;
    double secs = Math.max(1e-9, (now - start) / 1e9);
    double rate = done / secs;
    double eta = done >= total ? 0 : Double.isNaN(smoothedRate) || smoothedRate <= 0 ? Double.NaN
        : (total - done) / smoothedRate;
    out.printf(
        Locale.ROOT,
        "%s %d/%d (%.0f%%) %.2f/s, elapsed %s, ETA %s%s%n",
        label,
        done,
        total,
        total == 0 ? 100.0 : 100.0 * done / total,
        rate,
        clock(secs),
        Double.isNaN(eta) ? "?" : clock(eta),
        extra.isEmpty() ? "" : "  " + extra);
  }

  /** Folds the window since the last measurement into the smoothed rate once it is long enough. */
  private void measure(long done, long now) {
    if (windowStart < 0) {
      if (done > 0) {
        windowStart = now;
        windowDone = done;
      }
      return;
    }
    double window = (now - windowStart) / 1e9;
    if (window >= WINDOW_SECONDS && done > windowDone) {
      double recent = (done - windowDone) / window;
      smoothedRate = Double.isNaN(smoothedRate) ? recent : ALPHA * recent + (1 - ALPHA) * smoothedRate;
      windowStart = now;
      windowDone = done;
    }
  }

  /** Prints {@code label text} when the interval has passed or the work is complete (for pre-formatted lines). */
  synchronized void show(long done, long total, String text) {
    long now = clock.nanos();
    if (done < total && now - lastPrint < intervalNanos) {
      return;
    }
    lastPrint = now;
    out.println(label + " " + text);
  }

  static String clock(double seconds) {
    long s = Math.round(seconds);
    return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
