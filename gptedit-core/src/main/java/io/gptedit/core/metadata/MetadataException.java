package io.gptedit.core.metadata;

import io.gptedit.core.GpteditException;
import java.io.Serial;

/**
 * Thrown when a metadata record is malformed: a missing or ill-typed field, an out-of-range value, or an
 * inconsistency between fields. The message names the sample id (when known) and the field path.
 *
 * @since 0.1
 */
public final class MetadataException extends GpteditException {
  @Serial private static final long serialVersionUID = 1L;

  private final String sampleId;
  private final String field;

  /**
   * Creates the exception.
   *
   * @param sampleId the record's id, or {@code null} when it could not be read
   * @param field the JSON path of the offending field, such as {@code original_size.width}
   * @param problem what is wrong with it
   */
  public MetadataException(String sampleId, String field, String problem) {
    super(message(sampleId, field, problem));
    this.sampleId = sampleId;
    this.field = field;
  }

  /**
   * Creates the exception with a cause.
   *
   * @param sampleId the record's id, or {@code null}
   * @param field the JSON path of the offending field
   * @param problem what is wrong with it
   * @param cause the underlying failure
   */
  public MetadataException(String sampleId, String field, String problem, Throwable cause) {
    super(message(sampleId, field, problem), cause);
    this.sampleId = sampleId;
    this.field = field;
  }

  private static String message(String sampleId, String field, String problem) {
    return "metadata" + (sampleId == null ? "" : " of sample '" + sampleId + "'") + ": field '" + field + "': "
        + problem;
  }

  /**
   * Returns the id of the record, when it could be read.
   *
   * @return the sample id, or {@code null}
   */
  public String sampleId() {
    return sampleId;
  }

  /**
   * Returns the JSON path of the offending field.
   *
   * @return the path, such as {@code padding.left}
   */
  public String field() {
    return field;
  }
}
