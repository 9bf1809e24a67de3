package io.gptedit.core;

import java.io.Serial;

/**
 * The root of gptedit's typed, unchecked exceptions.
 *
 * <p>Every exception the SDK throws for bad input extends this class and says in its message what was wrong
 * (the file, the field, the sample id), so callers can catch one type at a pipeline boundary and record the
 * reason.
 *
 * @since 0.1
 */
public class GpteditException extends RuntimeException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message.
   *
   * @param message what went wrong, naming the offending file, field or sample
   */
  public GpteditException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and a cause.
   *
   * @param message what went wrong, naming the offending file, field or sample
   * @param cause the underlying failure
   */
  public GpteditException(String message, Throwable cause) {
    super(message, cause);
  }
}
