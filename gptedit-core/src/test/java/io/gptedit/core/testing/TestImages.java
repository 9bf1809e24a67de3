package io.gptedit.core.testing;

import io.gptedit.core.image.RgbImage;

/** Small deterministic test images and pixel comparisons shared by the modules' tests and benchmarks. */
public final class TestImages {
  private TestImages() {}

  /**
   * Returns a deterministic, busy pattern (no flat regions), the same on every run.
   *
   * @param w the width
   * @param h the height
   * @return the image
   */
  public static RgbImage pattern(int w, int h) {
    byte[] rgb = new byte[w * h * 3];
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = (byte) (i * 37 + (i / 7) * 11);
    }
    return RgbImage.of(w, h, rgb);
  }

  /**
   * Returns the largest absolute difference between corresponding samples of two images of the same size.
   *
   * @param a one image
   * @param b the other image
   * @return 0 to 255
   * @throws IllegalArgumentException if the sizes differ
   */
  public static int maxSampleDiff(RgbImage a, RgbImage b) {
    if (a.width() != b.width() || a.height() != b.height()) {
      throw new IllegalArgumentException("sizes differ: " + a + " vs " + b);
    }
    byte[] x = a.copyRgb();
    byte[] y = b.copyRgb();
    int max = 0;
    for (int i = 0; i < x.length; i++) {
      max = Math.max(max, Math.abs((x[i] & 0xff) - (y[i] & 0xff)));
    }
    return max;
  }
}
