package io.gptedit.models.onnx;

import io.gptedit.core.GpteditException;
import java.io.Serial;

/** Thrown when the requested ONNX Runtime execution provider (CUDA) is not available in the loaded ONNX Runtime build or cannot be initialised. */
public class OnnxProviderException extends GpteditException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was wrong
   */
  public OnnxProviderException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what was wrong
   * @param cause the underlying failure
   */
  public OnnxProviderException(String message, Throwable cause) {
    super(message, cause);
  }
}
