package io.gptedit.eval.run;

import io.gptedit.core.progress.ProgressLine;
import java.io.PrintStream;

/**
 * Receives progress, one event per sample and phase; called from worker threads, so it must be thread-safe.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface ProgressListener {
  /** A listener that ignores every event. */
  ProgressListener NONE = e -> {};

  /**
   * Called when a sample finishes a phase.
   *
   * @param event what happened
   */
  void onProgress(ProgressEvent event);

  /**
   * Returns a listener that shows each phase on its own {@link ProgressLine} ({@code "<name> edit "} and {@code
   * "<name> judge"}: done/total, rate and ETA, at most once a second).
   *
   * @param name the run's name, such as the benchmark's id
   * @param out where to print, usually {@code System.err}
   * @return the listener
   */
  static ProgressListener lines(String name, PrintStream out) {
    ProgressLine edit = new ProgressLine(name + " edit ", out, 1.0);
    ProgressLine judge = new ProgressLine(name + " judge", out, 1.0);
    return e -> (e.phase() == ProgressEvent.Phase.EDIT ? edit : judge).update(e.done(), e.total(), "");
  }
}
