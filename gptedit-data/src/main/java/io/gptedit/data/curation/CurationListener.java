package io.gptedit.data.curation;

/**
 * Receives progress snapshots; render them as a bar or a periodic line.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface CurationListener {
  /**
   * Called after every finished unit, on the pipeline's thread; keep it cheap.
   *
   * @param progress the snapshot
   */
  void onProgress(CurationProgress progress);
}
