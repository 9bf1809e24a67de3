package io.gptedit.models.onnx;

import io.gptedit.core.GpteditException;
import java.io.Serial;

/**
 * Thrown when ONNX Runtime is not on the class path (it is an optional dependency of gptedit-models), when its
 * native library cannot be loaded, or when the requested execution provider (CUDA) is not available in the loaded
 * ONNX Runtime build or cannot be initialised.
 *
 * @since 0.1
 */
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

  /** The ONNX Runtime version gptedit is built and tested with (gptedit-bom pins it). */
  public static final String ONNX_RUNTIME_VERSION = "1.22.0";

  /**
   * Checks that ONNX Runtime is on the class path and its native library loads, before a class that needs it is
   * used.
   *
   * @param user what needs ONNX Runtime, for the message (a file or a class name)
   * @throws OnnxProviderException naming the Maven dependency to add, if ONNX Runtime is missing or does not load
   */
  public static void requireRuntime(String user) {
    ClassLoader loader = OnnxProviderException.class.getClassLoader();
    try {
      Class.forName("ai.onnxruntime.OrtEnvironment", false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new OnnxProviderException(
          user + " needs ONNX Runtime, an optional dependency of gptedit-models that is not on the class path: add"
              + " com.microsoft.onnxruntime:onnxruntime (CPU) or com.microsoft.onnxruntime:onnxruntime_gpu (CUDA),"
              + " version " + ONNX_RUNTIME_VERSION + " (gptedit-bom manages it)",
          e);
    }
    try {
      Class.forName("ai.onnxruntime.OrtEnvironment", true, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new OnnxProviderException(
          user + " needs ONNX Runtime, whose native library cannot be loaded on this platform: " + e, e);
    }
  }
}
