package io.gptedit.models.train;

import static java.util.Objects.requireNonNull;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A {@link FineTuner}'s progress as plain lines: every {@code every} steps (and on the first and last step) the step,
 * loss, learning rate, samples/s, loss scale, skipped steps, steps/s, elapsed time and ETA; each checkpoint; and a
 * one-line summary on {@link #close()}. Readable in a CI log or a pipe.
 *
 * <pre>{@code
 * try (TrainingLog log = new TrainingLog(steps, System.out, 100)) {
 *   FineTuner tuner = FineTuner.builder()...optListener(log).build();
 *   tuner.train(loss);
 * }
 * // step 100/1800 (5.6%)  loss 0.04127  lr 1.00e-03  61.3 samples/s  1.92 steps/s  elapsed 0:00:52  ETA 0:14:45
 * // training done: step 1800/1800, 1800 steps in 0:15:41 (1.91 steps/s), final loss 0.01830, 0 skipped steps
 * }</pre>
 *
 * <p>Rates and the ETA count only the steps this object saw, timed from its creation, so a resumed run's ETA is right.
 * Samples/s is an exponential average (weight 0.1) of the steps' own figures. A {@link #silent} log keeps the same
 * figures for a display of one's own ({@link #status}, {@link #summary}) and prints nothing.
 *
 * @since 0.1
 */
public final class TrainingLog implements FineTuneListener, AutoCloseable {
  private final long total;
  private final PrintStream out;
  private final int every;
  private final LongSupplier nanos;
  private final long start;
  private long firstStep = -1;
  private long firstStepNanos;
  private long lastStep;
  private long seen;
  private long skipped;
  private double lastLoss = Double.NaN;
  private double lastScale = Double.NaN;
  private double samplesPerSecond = Double.NaN;
  private String status = "";
  private boolean closed;

  /**
   * Creates a log timed by {@link System#nanoTime()}.
   *
   * @param totalSteps the run's total number of optimizer steps
   * @param out where lines go
   * @param every print a line every this many steps (and on the first and last step)
   */
  public TrainingLog(long totalSteps, PrintStream out, int every) {
    this(totalSteps, requireNonNull(out, "out"), every, System::nanoTime);
  }

  /**
   * Creates a log with its own clock.
   *
   * @param totalSteps the run's total number of optimizer steps
   * @param out where lines go, or null to print nothing
   * @param every print a line every this many steps (and on the first and last step)
   * @param nanos a monotonic clock in nanoseconds
   */
  public TrainingLog(long totalSteps, PrintStream out, int every, LongSupplier nanos) {
    if (totalSteps < 1) {
      throw new IllegalArgumentException("total steps must be >= 1, got " + totalSteps);
    }
    if (every < 1) {
      throw new IllegalArgumentException("line interval must be >= 1 step, got " + every);
    }
    this.total = totalSteps;
    this.out = out;
    this.every = every;
    this.nanos = requireNonNull(nanos, "nanos");
    this.start = nanos.getAsLong();
  }

  /**
   * Creates a log that keeps the figures and prints nothing, for a progress display of one's own.
   *
   * @param totalSteps the run's total number of optimizer steps
   * @param nanos a monotonic clock in nanoseconds
   * @return the log
   */
  public static TrainingLog silent(long totalSteps, LongSupplier nanos) {
    return new TrainingLog(totalSteps, null, 1, nanos);
  }

  @Override
  public void onStep(StepMetrics m) {
    if (firstStep < 0) {
      firstStep = m.step();
      firstStepNanos = nanos.getAsLong();
    }
    lastStep = m.step();
    seen++;
    if (m.skipped()) {
      skipped++;
    } else {
      lastLoss = m.loss();
    }
    if (m.hasLossScale()) {
      lastScale = m.lossScale();
    }
    if (Double.isFinite(m.samplesPerSecond())) {
      samplesPerSecond =
          Double.isNaN(samplesPerSecond) ? m.samplesPerSecond() : 0.9 * samplesPerSecond + 0.1 * m.samplesPerSecond();
    }
    status = message(m);
    if (out != null && (m.step() == firstStep || m.step() % every == 0 || m.step() == total)) {
      out.println(line(m));
    }
  }

  @Override
  public void onCheckpoint(long step, Path dir) {
    if (out != null) {
      out.println("checkpoint at step " + step + ": " + dir);
    }
  }

  /** Prints the summary line (unless silent); a second call does nothing. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (out != null) {
      out.println(summary());
    }
  }

  /**
   * Returns the step at which this log first saw a step, or -1 before the first.
   *
   * @return the first step seen
   */
  public long firstStep() {
    return firstStep;
  }

  /**
   * Returns the latest step's loss, learning rate, samples/s, loss scale and skipped count, such as {@code loss
   * 0.04127  lr 1.00e-03  61.3 samples/s}.
   *
   * @return the status; empty before the first step
   */
  public String status() {
    return status;
  }

  /**
   * Returns the one-line summary: steps, time, steps/s, final loss, skipped steps, loss scale.
   *
   * @return the summary
   */
  public String summary() {
    double elapsed = elapsedSeconds();
    StringBuilder s = new StringBuilder();
    if (seen == 0) {
      s.append("training: no steps run");
    } else {
      s.append(lastStep >= total ? "training done: " : "training stopped: ")
          .append(String.format(Locale.ROOT, "step %d/%d, %d steps in %s", lastStep, total, seen, clock(elapsed)))
          .append(String.format(Locale.ROOT, " (%.2f steps/s)", seen / elapsed))
          .append(", final loss ")
          .append(Double.isNaN(lastLoss) ? "n/a" : String.format(Locale.ROOT, "%.5f", lastLoss));
    }
    s.append(", ").append(skipped).append(skipped == 1 ? " skipped step" : " skipped steps");
    if (!Double.isNaN(lastScale)) {
      s.append(String.format(Locale.ROOT, ", loss scale %.0f", lastScale));
    }
    return s.toString();
  }

  /**
   * A step's line. The rate counts the steps after the first, timed from the first: the log is often made when the
   * first step reports (a display factory), so timing that step from the log's creation said "3626.82 steps/s  ETA
   * 0:00:00" on every run's first line. Until a second step is seen the rate and ETA are {@code ?}.
   */
  private String line(StepMetrics m) {
    double elapsed = elapsedSeconds();
    double sinceFirst = (nanos.getAsLong() - firstStepNanos) / 1e9;
    double stepsPerSecond = seen > 1 && sinceFirst > 0 ? (seen - 1) / sinceFirst : Double.NaN;
    double eta = (total - m.step()) / stepsPerSecond;
    return String.format(Locale.ROOT, "step %d/%d (%.1f%%)  %s  %s steps/s  elapsed %s  ETA %s", m.step(), total,
        100.0 * m.step() / total, status,
        Double.isNaN(stepsPerSecond) ? "?" : String.format(Locale.ROOT, "%.2f", stepsPerSecond), clock(elapsed),
        clock(eta));
  }

  private String message(StepMetrics m) {
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "loss %s  lr %.2e  %.1f samples/s",
        m.skipped() ? "skipped" : String.format(Locale.ROOT, "%.5f", m.loss()), m.lr(), samplesPerSecond));
    if (m.hasLossScale()) {
      s.append(String.format(Locale.ROOT, "  scale %.0f", m.lossScale()));
    }
    if (skipped > 0) {
      s.append("  skipped ").append(skipped);
    }
    return s.toString();
  }

  private double elapsedSeconds() {
    return Math.max(1e-9, (nanos.getAsLong() - start) / 1e9);
  }

  /** Formats seconds as {@code H:MM:SS}, or {@code ?} when not finite. */
  static String clock(double seconds) {
    if (!Double.isFinite(seconds) || seconds < 0) {
      return "?";
    }
    long s = Math.round(seconds);
    return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  }
}
