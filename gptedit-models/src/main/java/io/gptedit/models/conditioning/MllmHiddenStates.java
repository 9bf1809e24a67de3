package io.gptedit.models.conditioning;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.gptedit.core.image.RgbImage;

/**
 * The hidden states of an external multimodal LLM (Qwen2.5-VL in the paper) for an image and an instruction;
 * the MLLM itself runs outside this module (an ONNX graph or precomputed files).
 *
 * @since 0.1
 */
@FunctionalInterface
public interface MllmHiddenStates {
  /**
   * Returns the MLLM's last hidden states.
   *
   * @param image the input image
   * @param instruction the instruction
   * @param manager the manager of the result
   * @return (1, L, d_m) hidden states
   */
  NDArray hiddenStates(RgbImage image, String instruction, NDManager manager);

  /**
   * Returns the identity of the MLLM's weights and preprocessing, for caches that outlive the process
   * ({@link EmbeddingStore}): implementations over real weights name their folder, storage and preprocessing.
   *
   * @return the identity (by default the implementing class's name)
   */
  default String id() {
    return getClass().getName();
  }
}
