package io.gptedit.models.train;

import io.gptedit.core.GpteditException;

/**
 * Thrown before a fine-tuning starts when its editor cannot train in the requested {@link Precision}, naming the
 * part that cannot (such as a METAQUERY text fusion, whose queries run through a frozen float32 MLLM, in fp16).
 *
 * @since 0.1
 */
public final class PrecisionNotSupportedException extends GpteditException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what cannot train in which precision, and what to do instead
   */
  public PrecisionNotSupportedException(String message) {
    super(message);
  }
}
