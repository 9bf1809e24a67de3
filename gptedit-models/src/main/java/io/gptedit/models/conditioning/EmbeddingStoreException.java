package io.gptedit.models.conditioning;

import io.gptedit.core.GpteditException;
import java.io.Serial;

/**
 * An {@link EmbeddingStore} entry that cannot be read or written, or belongs to another key; the message names the
 * file.
 *
 * @since 0.1
 */
public final class EmbeddingStoreException extends GpteditException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong, naming the file
   */
  public EmbeddingStoreException(String message) {
    super(message);
  }
}
