package io.gptedit.core.editor;

import io.gptedit.core.GpteditException;
import java.io.Serial;

/**
 * Thrown by an {@link ImageEditor} that could not produce an edit (model failure, refusal, bad input).
 *
 * @since 0.1
 */
public class EditException extends GpteditException {
  @Serial private static final long serialVersionUID = 1L;

  /** Whether retrying the same request may succeed (a timeout, a rate limit), as opposed to a refusal. */
  private final boolean retryable;

  /**
   * Creates an edit failure.
   *
   * @param message what failed
   * @param retryable whether the same request may succeed if retried
   */
  public EditException(String message, boolean retryable) {
    super(message);
    this.retryable = retryable;
  }

  /**
   * Creates an edit failure with a cause.
   *
   * @param message what failed
   * @param retryable whether the same request may succeed if retried
   * @param cause the underlying failure
   */
  public EditException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  /**
   * Returns whether retrying the same request may succeed.
   *
   * @return {@code true} for transient failures such as timeouts and rate limits
   */
  public boolean retryable() {
    return retryable;
  }
}
