package io.gptedit.models.onnx;

/**
 * Where ONNX Runtime runs the graphs.
 *
 * @since 0.1
 */
public enum OnnxDevice {
  /** The CPU execution provider (always available). */
  CPU,
  /** The CUDA execution provider (needs the {@code onnxruntime_gpu} build and CUDA libraries). */
  CUDA
}
