package io.gptedit.eval;

import io.gptedit.core.GpteditException;
import java.io.Serial;

/**
 * Bad benchmark files or an evaluation that cannot proceed; the message names the file, row or sample.
 *
 * @since 0.1
 */
public class EvalException extends GpteditException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was wrong, naming the file, row or sample
   */
  public EvalException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what was wrong, naming the file, row or sample
   * @param cause the underlying failure
   */
  public EvalException(String message, Throwable cause) {
    super(message, cause);
  }
}
