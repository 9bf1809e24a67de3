package io.gptedit.models.conditioning;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gptedit.core.image.RgbImage;

/**
 * Conversions between 8-bit RGB images and (1, 3, H, W) tensors in [-1, 1].
 *
 * @since 0.1
 */
public final class ImageTensors {
  private ImageTensors() {}

  /**
   * Converts an image to a tensor: {@code v / 127.5 - 1}, channels first.
   *
   * @param image the image
   * @param manager the manager of the result
   * @return (1, 3, H, W)
   */
  public static NDArray toTensor(RgbImage image, NDManager manager) {
    int w = image.width();
    int h = image.height();
    byte[] rgb = image.copyRgb();
    float[] out = new float[3 * w * h];
    for (int i = 0; i < w * h; i++) {
      for (int c = 0; c < 3; c++) {
        out[c * w * h + i] = (rgb[i * 3 + c] & 0xff) / 127.5f - 1f;
      }
    }
    return manager.create(out, new Shape(1, 3, h, w));
  }

  /**
   * Converts a tensor back to an image: clamps to [-1, 1] and rounds {@code (v + 1) * 127.5}.
   *
   * @param tensor (1, 3, H, W)
   * @return the image
   */
  public static RgbImage toImage(NDArray tensor) {
    Shape s = tensor.getShape();
    int h = (int) s.get(2);
    int w = (int) s.get(3);
    float[] v = tensor.toFloatArray();
    byte[] rgb = new byte[3 * w * h];
    for (int i = 0; i < w * h; i++) {
      for (int c = 0; c < 3; c++) {
        float x = Math.max(-1f, Math.min(1f, v[c * w * h + i]));
        rgb[i * 3 + c] = (byte) Math.round((x + 1f) * 127.5f);
      }
    }
    return RgbImage.of(w, h, rgb);
  }
}
