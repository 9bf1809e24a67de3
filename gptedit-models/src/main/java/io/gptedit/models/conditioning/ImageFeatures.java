package io.gptedit.models.conditioning;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.gptedit.core.image.RgbImage;

/**
 * Vision-encoder features of an image (SigLIP in UniWorld), computed outside this module.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface ImageFeatures {
  /**
   * Returns the patch features of an image.
   *
   * @param image the image
   * @param manager the manager of the result
   * @return (1, N, d_v) features
   */
  NDArray features(RgbImage image, NDManager manager);
}
