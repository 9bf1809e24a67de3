package io.gptedit.data.sources;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;

/**
 * A sample a source could not deliver (a missing or unreadable image, a malformed record); the source skips it
 * and goes on. Serializable: an engine that decodes on remote workers (gptedit-spark) carries it back.
 *
 * @param source where the sample was described (a metadata file, an annotation file, a parquet file and row)
 * @param sampleId the sample's id, or {@code "?"} when it could not be read
 * @param problem what is wrong, naming the file or field
 * @since 0.1
 */
public record SourceProblem(String source, String sampleId, String problem) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Validates. */
  public SourceProblem {
    requireNonNull(source, "source");
    requireNonNull(sampleId, "sampleId");
    requireNonNull(problem, "problem");
  }

  @Override
  public String toString() {
    return source + ": sample '" + sampleId + "': " + problem;
  }
}
