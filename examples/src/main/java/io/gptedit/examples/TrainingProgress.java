package io.gptedit.examples;

import static java.util.Objects.requireNonNull;

import io.gptedit.models.train.StepMetrics;
import io.gptedit.models.train.FineTuneListener;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows a {@link io.gptedit.models.train.FineTuner}'s progress: on a terminal, a progress bar ({@code
 * me.tongfei:progressbar}) with step/total, rate and ETA, and loss, learning rate and samples/s as its message;
 * otherwise (a CI log, a pipe) one plain line every {@code every} steps with the same facts, so logs stay
 * readable. {@link #close()} ends the bar and prints a one-line summary: steps, time, final loss, skipped steps.
 *
 * <pre>{@code
 * try (TrainingProgress progress = TrainingProgress.create(steps, System.out, 100)) {
 *   trainer = FineTuner.builder()...optListener(progress).build();
 *   trainer.train(loss);
 * }
 * }</pre>
 *
 * <p>Rates and the ETA count only the steps this object saw, timed from its creation, so a resumed run's ETA is
 * right. Samples/s is an exponential average (weight 0.1) of the steps' own figures.
 */
public final class TrainingProgress implements FineTuneListener, AutoCloseable {
  private final long total;
  private final PrintStream out;
  private final boolean terminal;
  private final int every;
  private final int barWidth;
  private final LongSupplier nanos;
  private final long start;
  private ProgressBar bar;
  private LineConsumer barLine;
  private long firstStep = -1;
  private long lastStep;
  private long seen;
  private long skipped;
  private double lastLoss = Double.NaN;
  private double lastScale = Double.NaN;
  private double samplesPerSecond = Double.NaN;
  private boolean closed;

  TrainingProgress(long total, PrintStream out, boolean terminal, int every, int barWidth, LongSupplier nanos) {
    if (total < 1) {
      throw new IllegalArgumentException("total steps must be >= 1, got " + total);
    }
    if (every < 1) {
      throw new IllegalArgumentException("plain-line interval must be >= 1 step, got " + every);
    }
    this.total = total;
    this.out = requireNonNull(out, "out");
    this.terminal = terminal;
    this.every = every;
    this.barWidth = barWidth;
    this.nanos = requireNonNull(nanos, "nanos");
    this.start = nanos.getAsLong();
  }

  /**
   * Creates a progress display: a bar when the JVM has a console ({@code System.console() != null}), plain lines
   * otherwise.
   *
   * @param totalSteps the run's total number of optimizer steps
   * @param out where to print (usually {@code System.out})
   * @param every print a plain line every this many steps (and on the first and last step)
   * @return the display; close it after training
   */
  public static TrainingProgress create(long totalSteps, PrintStream out, int every) {
    return new TrainingProgress(totalSteps, out, System.console() != null, every, -1, System::nanoTime);
  }

  @Override
  public void onStep(StepMetrics m) {
    if (firstStep < 0) {
      firstStep = m.step();
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
    if (terminal) {
      bar().stepTo(m.step()).setExtraMessage("  " + message(m));
    } else if (m.step() == firstStep || m.step() % every == 0 || m.step() == total) {
      out.println(plainLine(m));
    }
  }

  @Override
  public void onCheckpoint(long step, Path dir) {
    if (!terminal) {
      out.println("checkpoint at step " + step + ": " + dir);
    }
  }

  /** Ends the bar and prints the summary line; a second call does nothing. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (bar != null) {
      bar.close();
      barLine.finish();
    }
    out.println(summary());
  }

  /** The plain line for a step. */
  String plainLine(StepMetrics m) {
    double elapsed = elapsedSeconds();
    double stepsPerSecond = seen / elapsed;
    double eta = (total - m.step()) / stepsPerSecond;
    return String.format(
        Locale.ROOT,
        "step %d/%d (%.1f%%)  %s  %.2f steps/s  elapsed %s  ETA %s",
        m.step(),
        total,
        100.0 * m.step() / total,
        message(m),
        stepsPerSecond,
        clock(elapsed),
        clock(eta));
  }

  /** The one-line summary. */
  String summary() {
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

  private String message(StepMetrics m) {
    StringBuilder s =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "loss %s  lr %.2e  %.1f samples/s",
                m.skipped() ? "skipped" : String.format(Locale.ROOT, "%.5f", m.loss()),
                m.lr(),
                samplesPerSecond));
    if (m.hasLossScale()) {
      s.append(String.format(Locale.ROOT, "  scale %.0f", m.lossScale()));
    }
    if (skipped > 0) {
      s.append("  skipped ").append(skipped);
    }
    return s.toString();
  }

  private ProgressBar bar() {
    if (bar == null) {
      long done = firstStep - 1;
      bar =
          new ProgressBarBuilder()
              .setTaskName("train")
              .setInitialMax(total)
              .setStyle(ProgressBarStyle.UNICODE_BLOCK)
              .setUpdateIntervalMillis(250)
              .setUnit(" steps", 1)
              .showSpeed()
              .startsFrom(done, Duration.ZERO)
              .setConsumer(
                  barLine =
                      new LineConsumer(
                          barWidth > 0
                              ? new ConsoleProgressBarConsumer(out, barWidth)
                              : new ConsoleProgressBarConsumer(out)))
              .build();
    }
    return bar;
  }

  /**
   * The bar's console consumer, remembering whether the bar's line is still open: the library's final render and
   * line end run on its refresh thread and were seen (about one run in eight under load) not to happen before
   * {@code ProgressBar.close()} returned, which glued the summary onto the bar's line.
   */
  private static final class LineConsumer implements ProgressBarConsumer {
    private final ConsoleProgressBarConsumer console;
    private boolean open;

    LineConsumer(ConsoleProgressBarConsumer console) {
      this.console = console;
    }

    @Override
    public int getMaxRenderedLength() {
      return console.getMaxRenderedLength();
    }

    @Override
    public synchronized void accept(String rendered) {
      console.accept(rendered);
      open = true;
    }

    @Override
    public synchronized void close() {
      console.close();
      open = false;
    }

    /** Ends the bar's line if the library did not. */
    synchronized void finish() {
      if (open) {
        close();
      }
    }
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
