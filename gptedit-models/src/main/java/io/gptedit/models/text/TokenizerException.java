package io.gptedit.models.text;

import io.gptedit.core.GpteditException;
import java.io.Serial;

/** A tokenizer's files are missing, malformed or unsupported, or a text cannot be tokenized.
 *
 * @since 0.1
 */
public final class TokenizerException extends GpteditException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was wrong, naming the file or field
   */
  public TokenizerException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what was wrong, naming the file or field
   * @param cause the underlying failure
   */
  public TokenizerException(String message, Throwable cause) {
    super(message, cause);
  }
}
