package io.gptedit.data.sources;

import io.gptedit.core.GpteditException;
import java.io.Serial;

/**
 * A source as a whole cannot be read (missing root, unreadable file, columns that do not fit).
 *
 * @since 0.1
 */
public final class SourceException extends GpteditException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what is wrong, naming the file
   * @param cause the underlying failure, or {@code null}
   */
  public SourceException(String message, Throwable cause) {
    super(message, cause);
  }
}
