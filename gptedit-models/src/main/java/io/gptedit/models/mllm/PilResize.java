package io.gptedit.models.mllm;

import io.gptedit.core.image.RgbImage;

/**
 * Pillow's {@code Image.resize} for 8-bit RGB images with the BILINEAR and BICUBIC filters, bit for bit: the
 * separable convolution with the filter support widened by the scale when shrinking (antialiasing), coefficients
 * normalised per output pixel and rounded to 22-bit fixed point, a horizontal pass then a vertical pass, each
 * rounded and clipped to 8 bits. transformers' PIL image processors (SigLIP's, Qwen2-VL's) resize with it, so
 * matching it is what makes {@code pixel_values} equal the Python processor's.
 */
final class PilResize {
  /** The filters the vision processors use, by their {@code PILImageResampling} numbers. */
  enum Filter {
    /** PIL.Image.BILINEAR (2): the triangle filter, support 1. */
    BILINEAR(1.0),
    /** PIL.Image.BICUBIC (3): Keys' cubic with a = -0.5, support 2. */
    BICUBIC(2.0);

    final double support;

    Filter(double support) {
      this.support = support;
    }

    double weight(double x) {
      if (x < 0) {
        x = -x;
      }
      if (this == BILINEAR) {
        return x < 1 ? 1 - x : 0;
      }
      final double a = -0.5;
      if (x < 1) {
        return ((a + 2) * x - (a + 3)) * x * x + 1;
      }
      if (x < 2) {
        return (((x - 5) * x + 8) * x - 4) * a;
      }
      return 0;
    }

    /**
     * Maps a preprocessor config's {@code resample} number.
     *
     * @throws IllegalArgumentException for the filters not implemented here
     */
    static Filter fromPil(int resample) {
      return switch (resample) {
        case 2 -> BILINEAR;
        case 3 -> BICUBIC;
        default -> throw new IllegalArgumentException(
            "resample " + resample + " is not supported (2 = bilinear and 3 = bicubic are)");
      };
    }
  }

  private static final int PRECISION_BITS = 32 - 8 - 2;

  private PilResize() {}

  /** Output pixel {@code i}'s first input index, tap count and fixed-point taps (stride {@code ksize}). */
  private record Coefficients(int[] first, int[] count, int[] taps, int ksize) {}

  private static Coefficients coefficients(int inSize, int outSize, Filter filter) {
    double scale = (double) inSize / outSize;
    double filterScale = Math.max(scale, 1.0);
    double support = filter.support * filterScale;
    int ksize = (int) Math.ceil(support) * 2 + 1;
    int[] first = new int[outSize];
    int[] count = new int[outSize];
    int[] taps = new int[outSize * ksize];
    double[] k = new double[ksize];
    for (int xx = 0; xx < outSize; xx++) {
      double center = (xx + 0.5) * scale;
      double ss = 1.0 / filterScale;
      // (int) truncates toward zero, as the C cast does.
      int xmin = (int) (center - support + 0.5);
      if (xmin < 0) {
        xmin = 0;
      }
      int xmax = (int) (center + support + 0.5);
      if (xmax > inSize) {
        xmax = inSize;
      }
      xmax -= xmin;
      double ww = 0;
      for (int x = 0; x < xmax; x++) {
        double w = filter.weight((x + xmin - center + 0.5) * ss);
        k[x] = w;
        ww += w;
      }
      for (int x = 0; x < xmax; x++) {
        double v = ww != 0 ? k[x] / ww : k[x];
        taps[xx * ksize + x] = v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS))
            : (int) (0.5 + v * (1 << PRECISION_BITS));
      }
      first[xx] = xmin;
      count[xx] = xmax;
    }
    return new Coefficients(first, count, taps, ksize);
  }

  private static int clip8(int ss) {
    int v = ss >> PRECISION_BITS;
    return v < 0 ? 0 : Math.min(v, 255);
  }

  /**
   * Resizes an image as {@code PIL.Image.resize((width, height), filter)} does.
   *
   * @param image the image
   * @param width the new width
   * @param height the new height
   * @param filter the filter
   * @return interleaved RGB bytes of the resized image, row-major
   */
  static byte[] resize(RgbImage image, int width, int height, Filter filter) {
    int w = image.width();
    int h = image.height();
    byte[] src = image.copyRgb();
    if (w == width && h == height) {
      return src;
    }
    byte[] cur = src;
    int curW = w;
    if (width != w) {
      Coefficients c = coefficients(w, width, filter);
      byte[] out = new byte[width * h * 3];
      for (int y = 0; y < h; y++) {
        int row = y * w * 3;
        for (int xx = 0; xx < width; xx++) {
          int x0 = c.first[xx];
          int n = c.count[xx];
          int base = xx * c.ksize;
          for (int ch = 0; ch < 3; ch++) {
            int ss = 1 << (PRECISION_BITS - 1);
            for (int x = 0; x < n; x++) {
              ss += (cur[row + (x0 + x) * 3 + ch] & 0xFF) * c.taps[base + x];
            }
            out[(y * width + xx) * 3 + ch] = (byte) clip8(ss);
          }
        }
      }
      cur = out;
      curW = width;
    }
    if (height != h) {
      Coefficients c = coefficients(h, height, filter);
      byte[] out = new byte[curW * height * 3];
      for (int yy = 0; yy < height; yy++) {
        int y0 = c.first[yy];
        int n = c.count[yy];
        int base = yy * c.ksize;
        for (int x = 0; x < curW; x++) {
          for (int ch = 0; ch < 3; ch++) {
            int ss = 1 << (PRECISION_BITS - 1);
            for (int y = 0; y < n; y++) {
              ss += (cur[((y0 + y) * curW + x) * 3 + ch] & 0xFF) * c.taps[base + y];
            }
            out[(yy * curW + x) * 3 + ch] = (byte) clip8(ss);
          }
        }
      }
      cur = out;
    }
    return cur;
  }
}
