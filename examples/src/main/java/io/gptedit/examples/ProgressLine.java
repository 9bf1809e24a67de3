package io.gptedit.examples;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A periodic progress line for long work: done / total, rate and ETA, printed at most once per interval (and on
 * the last item) to a stream, usually standard error. Thread-safe.
 */
final class ProgressLine {
  private final String label;
  private final PrintStream out;
  private final long intervalNanos;
  private final long start = System.nanoTime();
  private long lastPrint;

  ProgressLine(String label, PrintStream out, double intervalSeconds) {
    this.label = label;
    this.out = out;
    this.intervalNanos = (long) (intervalSeconds * 1e9);
    this.lastPrint = start;
  }

  /** Reports that {@code done} of {@code total} items are finished; {@code extra} is appended (may be empty). */
  synchronized void update(long done, long total, String extra) {
    long now = System.nanoTime();
    if (done < total && now - lastPrint < intervalNanos) {
      return;
    }
    lastPrint = now;
    double secs = Math.max(1e-9, (now - start) / 1e9);
    double rate = done / secs;
    double eta = rate > 0 ? (total - done) / rate : Double.NaN;
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

  static String clock(double seconds) {
    long s = Math.round(seconds);
    return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
