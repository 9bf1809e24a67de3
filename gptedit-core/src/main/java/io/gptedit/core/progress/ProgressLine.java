package io.gptedit.core.progress;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A periodic progress line for long work: done / total, rate and ETA, printed at most once per interval (and on
 * the last item) to a stream, usually standard error. Thread-safe.
 *
 * <p>The ETA is stable: it is the remaining count over a smoothed rate (an exponential moving average, weight
 * {@value #ALPHA}, of the rates measured over successive windows of at least {@value #WINDOW_SECONDS} s), timed from
 * the first finished item, so start-up work (loading models, opening files, a slow first item) neither inflates it
 * nor makes it jump; until a window has been measured the ETA is {@code ?}.
 *
 * <pre>{@code
 * ProgressLine line = new ProgressLine("edit", System.err, 1.0);
 * for (int i = 0; i < n; i++) {
 *   work(i);
 *   line.update(i + 1, n, "");   // "edit 12/40 (30%) 3.95/s, elapsed 0:03, ETA 0:07"
 * }
 * }</pre>
 *
 * <p>Every long-running entry point takes a listener that can feed one: {@code CurationConfig.Builder.optListener}
 * (with {@link #show}, the curation line is pre-formatted), {@code EditRunner} and {@code BenchmarkRunner}
 * ({@link #update}).
 *
 * @since 0.1
 */
public final class ProgressLine {
  /** Weight of the newest window's rate in the moving average. */
  static final double ALPHA = 0.3;
  /** Shortest window a rate is measured over, in seconds. */
  static final double WINDOW_SECONDS = 0.5;

  private final String label;
  private final PrintStream out;
  private final long intervalNanos;
  private final LongSupplier clock;
  private final long start;
  private long lastPrint;
  private long windowStart = -1;
  private long windowDone;
  private double smoothedRate = Double.NaN;

  /**
   * Creates a progress line timed by {@link System#nanoTime()}.
   *
   * @param label the first word of every line, such as {@code curate}
   * @param out where lines go, usually {@code System.err}
   * @param intervalSeconds the shortest time between two lines (the last item always prints)
   */
  public ProgressLine(String label, PrintStream out, double intervalSeconds) {
    this(label, out, intervalSeconds, System::nanoTime);
  }

  /**
   * Creates a progress line with its own monotonic clock.
   *
   * @param label the first word of every line
   * @param out where lines go
   * @param intervalSeconds the shortest time between two lines
   * @param clock a monotonic clock in nanoseconds ({@code System::nanoTime}; tests pass their own)
   */
  public ProgressLine(String label, PrintStream out, double intervalSeconds, LongSupplier clock) {
    if (!(intervalSeconds >= 0)) {
      throw new IllegalArgumentException("intervalSeconds must be >= 0, got " + intervalSeconds);
    }
    this.label = label;
    this.out = out;
    this.intervalNanos = (long) (intervalSeconds * 1e9);
    this.clock = clock;
    this.start = clock.getAsLong();
    this.lastPrint = start;
  }

  /**
   * Reports that {@code done} of {@code total} items are finished, printing a line when the interval has passed.
   *
   * @param done items finished so far
   * @param total items in all
   * @param extra appended to the line (may be empty)
   */
  public synchronized void update(long done, long total, String extra) {
    long now = clock.getAsLong();
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

  /**
   * Prints {@code label text} when the interval has passed or the work is complete (for pre-formatted lines).
   *
   * @param done items finished so far
   * @param total items in all
   * @param text the line after the label
   */
  public synchronized void show(long done, long total, String text) {
    long now = clock.getAsLong();
    if (done < total && now - lastPrint < intervalNanos) {
      return;
    }
    lastPrint = now;
    out.println(label + " " + text);
  }

  /** {@code m:ss} for a number of seconds. */
  static String clock(double seconds) {
    long s = Math.round(seconds);
    return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
