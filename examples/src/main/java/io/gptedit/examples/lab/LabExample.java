package io.gptedit.examples.lab;

import io.gptedit.core.image.RgbImage;
import io.gptedit.core.image.EditMask;
import java.util.Objects;

/**
 * One triplet as the lab uses it: the images, the instruction, the exact edit mask, and the cached model inputs.
 *
 * @param id the sample id
 * @param input the input image
 * @param target the target image
 * @param instruction the instruction text
 * @param mask the pixels that differ between input and target
 * @param inputPixels the input as CHW floats in [-1, 1]
 * @param targetPixels the target as CHW floats in [-1, 1]
 * @param text the frozen encoder's token features
 * @param pooled the frozen encoder's pooled features
 * @param maskPixels the edit mask as CHW floats (1 inside, 0 outside), repeated over the three channels
 */
record LabExample(
    String id,
    RgbImage input,
    RgbImage target,
    String instruction,
    EditMask mask,
    float[] inputPixels,
    float[] targetPixels,
    float[] text,
    float[] pooled,
    float[] maskPixels) {

  LabExample {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(mask, "mask");
  }

  static LabExample of(String id, RgbImage input, RgbImage target, String instruction, TinyTextEncoder encoder) {
    return of(id, input, target, instruction, EditMask.between(input, target), encoder);
  }

  /**
   * An example whose edit mask is given rather than computed from input and target (the misaligned-data variant:
   * the mask of the exact, unshifted edit, while the target is shifted).
   */
  static LabExample of(
      String id, RgbImage input, RgbImage target, String instruction, EditMask mask, TinyTextEncoder encoder) {
    if (input.width() != target.width() || input.height() != target.height()
        || mask.width() != input.width() || mask.height() != input.height()) {
      throw new IllegalArgumentException(
          "sample " + id + ": input is " + input.width() + "x" + input.height() + ", target "
              + target.width() + "x" + target.height() + ", mask " + mask.width() + "x" + mask.height());
    }
    float[][] enc = encoder.encode(instruction);
    int n = input.width() * input.height();
    float[] m = new float[3 * n];
    for (int y = 0; y < input.height(); y++) {
      for (int x = 0; x < input.width(); x++) {
        if (mask.contains(x, y)) {
          int p = y * input.width() + x;
          m[p] = 1;
          m[n + p] = 1;
          m[2 * n + p] = 1;
        }
      }
    }
    return new LabExample(id, input, target, instruction, mask, chw(input), chw(target), enc[0], enc[1], m);
  }

  /** RGB bytes to CHW floats in [-1, 1]. */
  static float[] chw(RgbImage img) {
    byte[] px = img.copyRgb();
    int n = img.width() * img.height();
    float[] f = new float[3 * n];
    for (int p = 0; p < n; p++) {
      for (int c = 0; c < 3; c++) {
        f[c * n + p] = (px[p * 3 + c] & 0xFF) / 127.5f - 1f;
      }
    }
    return f;
  }

  /** CHW floats in [-1, 1] (clipped) to an image. */
  static RgbImage image(float[] f, int offset, int width, int height) {
    int n = width * height;
    byte[] px = new byte[3 * n];
    for (int p = 0; p < n; p++) {
      for (int c = 0; c < 3; c++) {
        float v = Math.max(-1f, Math.min(1f, f[offset + c * n + p]));
        px[p * 3 + c] = (byte) Math.round((v + 1f) * 127.5f);
      }
    }
    return RgbImage.of(width, height, px);
  }
}
