package io.gptedit.models.conditioning;

import ai.djl.ndarray.NDManager;
import io.gptedit.core.image.RgbImage;

/**
 * Turns an edit instruction (and, for MLLM fusions, the input image) into the denoiser's text conditioning.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface Conditioner {
  /**
   * Encodes one edit request.
   *
   * @param image the image being edited (MLLM fusions read it; T5-only ignores it)
   * @param instruction the edit instruction
   * @param manager the manager of the result
   * @return the conditioning with batch 1
   */
  TextConditioning encode(RgbImage image, String instruction, NDManager manager);
}
