package io.gptedit.examples;

import static java.util.Objects.requireNonNull;

import io.gptedit.models.train.StepMetrics;
import io.gptedit.models.train.FineTuneListener;
import io.gptedit.models.train.TrainingLog;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows a {@link io.gptedit.models.train.FineTuner}'s progress: on a terminal, a progress bar ({@code
 * me.tongfei:progressbar}) with step/total, rate and ETA, and the {@link TrainingLog}'s status (loss, learning rate,
 * samples/s) as its message; otherwise (a CI log, a pipe) the library's {@link TrainingLog} plain lines. {@link
 * #close()} ends the bar and prints the log's one-line summary.
 *
 * <pre>{@code
 * try (TrainingProgress progress = TrainingProgress.create(steps, System.out, 100)) {
 *   trainer = FineTuner.builder()...optListener(progress).build();
 *   trainer.train(loss);
 * }
 * }</pre>
 */
public final class TrainingProgress implements FineTuneListener, AutoCloseable {
  private final long total;
  private final PrintStream out;
  private final boolean terminal;
  private final int barWidth;
  private final TrainingLog log;
  private ProgressBar bar;
  private LineConsumer barLine;
  private boolean closed;

  TrainingProgress(long total, PrintStream out, boolean terminal, int every, int barWidth, LongSupplier nanos) {
    this.total = total;
    this.out = requireNonNull(out, "out");
    this.terminal = terminal;
    this.barWidth = barWidth;
    this.log = terminal ? new TrainingLog(total, null, every, nanos) : new TrainingLog(total, out, every, nanos);
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
    log.onStep(m);
    if (terminal) {
      bar().stepTo(m.step()).setExtraMessage("  " + log.status());
    }
  }

  @Override
  public void onCheckpoint(long step, Path dir) {
    log.onCheckpoint(step, dir);
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
    if (terminal) {
      out.println(log.summary());
    }
    log.close();
  }

  private ProgressBar bar() {
    if (bar == null) {
      long done = log.firstStep() - 1;
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
}
