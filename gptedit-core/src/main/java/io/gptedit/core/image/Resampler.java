package io.gptedit.core.image;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

/**
 * Separable convolution resampling.
 *
 * <p>{@link #bicubic} uses the Keys cubic kernel with {@code a = -0.5} and, when shrinking, widens the kernel by
 * the shrink factor so that every source pixel contributes (area-aware antialiasing). This is the behaviour of
 * Pillow's {@code Image.resize(..., BICUBIC)}, which is what the UltraEdit 1024 -> 512 step of the paper used, and
 * the arithmetic is Pillow's too: the same kernel windows, weights normalised in double precision and then rounded
 * to 22-bit fixed point, integer accumulation with a half for rounding, the horizontal pass first with its result
 * clipped to 8 bits before the vertical pass, and a pass skipped when its side does not change. The tests check the
 * output against images Pillow produced.
 *
 * <p>Speed: both passes are sums of whole lines of integers at the same index, a loop shape the JIT compiles to
 * SIMD; the horizontal pass runs on the transposed image for that (docs/benchmarks.md compares it with Pillow on
 * the curation pipeline's crop-back).
 *
 * @since 0.1
 */
public final class Resampler {
  /** The Keys kernel parameter used by Pillow and OpenCV's bicubic. */
  private static final double CUBIC_A = -0.5;

  /** The bicubic kernel's support radius at scale 1. */
  private static final double CUBIC_SUPPORT = 2.0;

  /** Pillow's fixed-point precision for 8-bit images: 32 - 8 - 2 bits. */
  static final int PRECISION_BITS = 22;

  private Resampler() {}

  /**
   * Resizes with the bicubic kernel.
   *
   * @param image the source
   * @param width the target width, at least 1
   * @param height the target height, at least 1
   * @return the resized image (the source itself when the size is unchanged)
   */
  public static RgbImage bicubic(RgbImage image, int width, int height) {
    requireNonNull(image, "image");
    checkArgument(
        width >= 1 && height >= 1 && width <= RgbImage.MAX_SIDE && height <= RgbImage.MAX_SIDE,
        "target size must be within 1..%s, got %sx%s",
        RgbImage.MAX_SIDE,
        width,
        height);
    int sw = image.width();
    int sh = image.height();
    if (width == sw && height == sh) {
      return image;
    }
    byte[] src = image.samples();
    int first = 0;
    int rows = sh;
    Taps vy = height != sh ? Taps.compute(sh, height) : null;
    if (vy != null) { // the horizontal pass needs only the rows the vertical pass reads, as in Pillow
      first = vy.start[0];
      rows = vy.start[height - 1] + vy.count[height - 1] - first;
      vy = vy.shifted(-first);
    }
    byte[] mid = width == sw ? src : horizontal(src, sw, first, rows, Taps.compute(sw, width), width);
    int midFirst = width == sw ? first : 0;
    byte[] out = vy == null ? mid : vertical(mid, width * 3, midFirst, vy, height);
    return RgbImage.wrapOwned(width, height, out);
  }

  /** Rows transposed together in the horizontal pass. */
  private static final int STRIP = 64;

  /**
   * The horizontal pass over rows {@code first .. first + rows}: strips of rows are transposed (line {@code x} holds
   * column x's samples), so that each output column is a sum of whole lines, then transposed back.
   */
  private static byte[] horizontal(byte[] src, int sw, int first, int rows, Taps hx, int width) {
    int inLen = sw * 3;
    int outLen = width * 3;
    byte[] out = new byte[rows * outLen];
    int[][] t = new int[sw][STRIP * 3];
    int[] acc = new int[STRIP * 3];
    for (int r0 = 0; r0 < rows; r0 += STRIP) {
      int n = Math.min(STRIP, rows - r0);
      int len = n * 3;
      int base = (first + r0) * inLen;
      for (int x = 0; x < sw; x++) { // column by column: the strip's few cache lines per column stay in L1
        int[] col = t[x];
        for (int y = 0, s = base + x * 3, d = 0; y < n; y++, s += inLen, d += 3) {
          col[d] = src[s] & 0xFF;
          col[d + 1] = src[s + 1] & 0xFF;
          col[d + 2] = src[s + 2] & 0xFF;
        }
      }
      for (int x = 0; x < width; x++) {
        sum(acc, t, hx, x, len);
        for (int y = 0, o = r0 * outLen + x * 3; y < n; y++, o += outLen) {
          out[o] = (byte) acc[y * 3];
          out[o + 1] = (byte) acc[y * 3 + 1];
          out[o + 2] = (byte) acc[y * 3 + 2];
        }
      }
    }
    return out;
  }

  /** The vertical pass: output row {@code y} sums the rows its taps name (from row {@code first} of {@code src}). */
  private static byte[] vertical(byte[] src, int rowLen, int first, Taps vy, int height) {
    byte[] out = new byte[height * rowLen];
    int[] acc = new int[rowLen];
    // Rows converted to int once each, kept while a tap may still read them (tap windows only move forward).
    int ring = vy.maxTaps + 1;
    int[][] lines = new int[ring][rowLen];
    int[] held = new int[ring];
    java.util.Arrays.fill(held, -1);
    for (int y = 0; y < height; y++) {
      int start = vy.start[y];
      for (int k = 0, n = vy.count[y]; k < n; k++) {
        int row = start + k;
        int slot = row % ring;
        if (held[slot] != row) {
          int[] line = lines[slot];
          for (int i = 0, s = (first + row) * rowLen; i < rowLen; i++, s++) {
            line[i] = src[s] & 0xFF;
          }
          held[slot] = row;
        }
      }
      sumRows(acc, lines, ring, vy, y, rowLen);
      for (int i = 0, o = y * rowLen; i < rowLen; i++, o++) {
        out[o] = (byte) acc[i];
      }
    }
    return out;
  }

  /** acc = clip8(half + sum over x's taps of w * t[tap]), over {@code len} samples. */
  private static void sum(int[] acc, int[][] t, Taps taps, int j, int len) {
    java.util.Arrays.fill(acc, 0, len, 1 << (PRECISION_BITS - 1));
    int start = taps.start[j];
    int wOff = j * taps.maxTaps;
    for (int k = 0, n = taps.count[j]; k < n; k++) {
      accumulate(acc, t[start + k], taps.weights[wOff + k], len);
    }
    clip(acc, len);
  }

  private static void sumRows(int[] acc, int[][] lines, int ring, Taps taps, int j, int len) {
    java.util.Arrays.fill(acc, 1 << (PRECISION_BITS - 1));
    int start = taps.start[j];
    int wOff = j * taps.maxTaps;
    for (int k = 0, n = taps.count[j]; k < n; k++) {
      accumulate(acc, lines[(start + k) % ring], taps.weights[wOff + k], len);
    }
    clip(acc, len);
  }

  private static void accumulate(int[] acc, int[] line, int w, int len) {
    for (int i = 0; i < len; i++) {
      acc[i] += w * line[i];
    }
  }

  /** Pillow's {@code clip8}: 0 at or below zero, 255 at or above 256 << 22, else the sum >> 22. */
  private static void clip(int[] acc, int len) {
    for (int i = 0; i < len; i++) {
      acc[i] = Math.min(255, Math.max(0, acc[i] >> PRECISION_BITS));
    }
  }

  static double cubic(double x) {
    double t = Math.abs(x);
    if (t < 1) {
      return ((CUBIC_A + 2) * t - (CUBIC_A + 3)) * t * t + 1;
    }
    if (t < 2) {
      return (((t - 5) * t + 8) * t - 4) * CUBIC_A;
    }
    return 0;
  }

  /** Precomputed kernel taps for one axis, as Pillow's {@code precompute_coeffs} and 22-bit normalisation. */
  private static final class Taps {
    final int[] start;
    final int[] count;
    final int[] weights;
    final int maxTaps;

    private Taps(int[] start, int[] count, int[] weights, int maxTaps) {
      this.start = start;
      this.count = count;
      this.weights = weights;
      this.maxTaps = maxTaps;
    }

    /** The same taps with every window moved by {@code delta} source pixels. */
    Taps shifted(int delta) {
      int[] moved = start.clone();
      for (int i = 0; i < moved.length; i++) {
        moved[i] += delta;
      }
      return new Taps(moved, count, weights, maxTaps);
    }

    static Taps compute(int in, int out) {
      double scale = (double) in / out;
      double filterScale = Math.max(scale, 1.0);
      double support = CUBIC_SUPPORT * filterScale;
      int maxTaps = (int) Math.ceil(support) * 2 + 1;
      int[] start = new int[out];
      int[] count = new int[out];
      int[] weights = new int[out * maxTaps];
      double[] k = new double[maxTaps];
      double ss = 1.0 / filterScale;
      for (int i = 0; i < out; i++) {
        double center = (i + 0.5) * scale;
        int lo = Math.max(0, (int) (center - support + 0.5));
        int hi = Math.min(in, (int) (center + support + 0.5));
        int n = Math.min(hi - lo, maxTaps);
        double total = 0;
        for (int j = 0; j < n; j++) {
          k[j] = cubic((j + lo - center + 0.5) * ss);
          total += k[j];
        }
        for (int j = 0; j < n; j++) {
          double w = total != 0 ? k[j] / total : k[j];
          weights[i * maxTaps + j] =
              w < 0 ? (int) (-0.5 + w * (1 << PRECISION_BITS)) : (int) (0.5 + w * (1 << PRECISION_BITS));
        }
        start[i] = lo;
        count[i] = n;
      }
      return new Taps(start, count, weights, maxTaps);
    }
  }
}
