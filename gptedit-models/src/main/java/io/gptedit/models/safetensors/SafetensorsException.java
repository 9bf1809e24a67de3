package io.gptedit.models.safetensors;

import io.gptedit.core.GpteditException;
import java.io.Serial;

/**
 * A safetensors file (or a tensor in it) is malformed, truncated or not what the caller asked for.
 *
 * @since 0.1
 */
public final class SafetensorsException extends GpteditException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was wrong, naming the file and, where known, the tensor
   */
  public SafetensorsException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what was wrong, naming the file and, where known, the tensor
   * @param cause the underlying failure
   */
  public SafetensorsException(String message, Throwable cause) {
    super(message, cause);
  }
}
