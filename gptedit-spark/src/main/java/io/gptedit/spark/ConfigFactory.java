package io.gptedit.spark;

import io.gptedit.data.curation.CurationConfig;
import java.io.Serializable;

/**
 * Makes the curation settings on the driver and on every executor ({@link CurationConfig} holds checks and a
 * listener that are not serializable, so executors rebuild it from this factory). Its output folder is where the
 * shards and the outcome table go; it must be a path every executor can write (a shared file system).
 *
 * @since 0.1
 */
@FunctionalInterface
public interface ConfigFactory extends Serializable {
  /**
   * Builds the settings.
   *
   * @return the settings; the same ones on every call
   */
  CurationConfig create();
}
