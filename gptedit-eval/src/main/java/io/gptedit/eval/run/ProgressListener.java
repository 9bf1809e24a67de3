package io.gptedit.eval.run;

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
}
