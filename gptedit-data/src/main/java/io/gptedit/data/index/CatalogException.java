package io.gptedit.data.index;

import io.gptedit.core.GpteditException;
import java.io.Serial;

/** The dataset catalog could not be built or queried; the message names the folder or the query.
 *
 * @since 0.1
 */
public final class CatalogException extends GpteditException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed
   * @param cause the database error
   */
  public CatalogException(String message, Throwable cause) {
    super(message, cause);
  }
}
