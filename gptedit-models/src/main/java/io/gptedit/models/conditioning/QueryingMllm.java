package io.gptedit.models.conditioning;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.gptedit.core.image.RgbImage;
import java.util.List;

/**
 * A frozen MLLM that can read learned query tokens appended to its input, for the MetaQuery fusion: the queries
 * train, the MLLM does not, and gradients flow through the MLLM back to the queries, so this runs on every step
 * (it cannot be cached like plain hidden states).
 *
 * @since 0.1
 */
public interface QueryingMllm extends MllmHiddenStates {
  /**
   * Runs the MLLM over each image and instruction with the queries appended, and returns the states at the query
   * positions.
   *
   * @param images the input images, one per sample
   * @param instructions the instructions, one per sample
   * @param queries the learned query embeddings (N, d_m), a trainable parameter
   * @param manager the manager of the result and of every intermediate (keep it open until after a backward pass)
   * @return (B, N, d_m)
   */
  NDArray queryStates(List<RgbImage> images, List<String> instructions, NDArray queries, NDManager manager);
}
