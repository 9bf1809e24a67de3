package io.gptedit.models.onnx;

import io.gptedit.core.GpteditException;
import java.io.Serial;

/**
 * Thrown when an ONNX graph does not match its config or cannot be loaded or run: the message names the graph file and the tensor.
 *
 * @since 0.1
 */
public class OnnxGraphException extends GpteditException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was wrong
   */
  public OnnxGraphException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what was wrong
   * @param cause the underlying failure
   */
  public OnnxGraphException(String message, Throwable cause) {
    super(message, cause);
  }
}
