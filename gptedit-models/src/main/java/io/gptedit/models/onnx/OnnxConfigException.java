package io.gptedit.models.onnx;

import io.gptedit.core.GpteditException;
import java.io.Serial;

/**
 * Thrown when an ONNX editor's JSON config is malformed: a missing, mistyped or unknown field, or an invalid value. The message names the file and the field.
 *
 * @since 0.1
 */
public class OnnxConfigException extends GpteditException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was wrong
   */
  public OnnxConfigException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what was wrong
   * @param cause the underlying failure
   */
  public OnnxConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
