package io.gptedit.data.curation;

import io.gptedit.core.GpteditException;
import java.io.Serial;

/**
 * The ledger database could not be opened, read or written; the message names the file and the operation.
 *
 * @since 0.1
 */
public final class LedgerException extends GpteditException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed
   * @param cause the database error
   */
  public LedgerException(String message, Throwable cause) {
    super(message, cause);
  }
}
