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
 * <p>Speed (docs/benchmarks.md compares it with Pillow on the curation pipeline's crop-back): the horizontal pass
 * works per output pixel with one accumulator per channel, as Pillow's C loop does, on two source rows at once (their
 * samples share a 64-bit multiply, one row per 32-bit lane); its rows stay as ints and stream through a small ring
 * into the vertical pass, whose output rows are sums of whole int lines, a loop shape the JIT compiles to SIMD.
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
    byte[] out = new byte[width * height * 3];
    int inLen = sw * 3;
    int rowLen = width * 3;
    if (height == sh) { // only the horizontal pass
      Taps hx = Taps.compute(sw, width).padded(sw);
      long[] pairs = new long[inLen];
      int[] line0 = new int[rowLen];
      int[] line1 = new int[rowLen];
      for (int y = 0; y < sh; y += 2) {
        int y1 = Math.min(y + 1, sh - 1);
        horizontalPair(src, y * inLen, y1 * inLen, inLen, hx, width, pairs, line0, line1);
        narrow(line0, out, y * rowLen, rowLen);
        narrow(line1, out, y1 * rowLen, rowLen);
      }
    } else {
      vertical(src, sw, width != sw ? Taps.compute(sw, width).padded(sw) : null, width, Taps.compute(sh, height),
          height, out);
    }
    return RgbImage.wrapOwned(width, height, out);
  }

  private static final int HALF = 1 << (PRECISION_BITS - 1);

  /** {@link #HALF} in both 32-bit lanes of a long. */
  private static final long HALF2 = (long) HALF << 32 | HALF;

  /**
   * The vertical pass (after the horizontal one when the width changes): source rows go through the horizontal pass
   * once each, two at a time, into a ring of int lines kept while a tap may still read them (tap windows only move
   * forward), and each output row is a sum of whole lines.
   */
  private static void vertical(byte[] src, int sw, Taps hx, int width, Taps vy, int height, byte[] out) {
    int inLen = sw * 3;
    int rowLen = width * 3;
    int last = vy.start[height - 1] + vy.count[height - 1] - 1; // the last source row read
    int ring = vy.maxCount + 1; // one more than the widest window: the second row of a pair may be read later
    int[][] lines = new int[ring][rowLen];
    int[] held = new int[ring];
    java.util.Arrays.fill(held, -1);
    long[] pairs = hx != null ? new long[inLen] : null;
    int[] acc = new int[rowLen];
    int[] w = vy.weights;
    for (int y = 0; y < height; y++) {
      int start = vy.start[y];
      int n = vy.count[y];
      for (int k = 0; k < n; k++) {
        int row = start + k;
        int slot = row % ring;
        if (held[slot] != row) {
          held[slot] = row;
          if (hx == null) {
            widen(src, row * rowLen, lines[slot], rowLen);
          } else if (row < last) { // the next row is read too: both go through the horizontal pass together
            int next = (row + 1) % ring;
            horizontalPair(src, row * inLen, (row + 1) * inLen, inLen, hx, width, pairs, lines[slot], lines[next]);
            held[next] = row + 1;
          } else {
            horizontalPair(src, row * inLen, row * inLen, inLen, hx, width, pairs, lines[slot], lines[slot]);
          }
        }
      }
      int wo = y * vy.maxTaps;
      if (n == 4) {
        sum4(acc, lines[start % ring], lines[(start + 1) % ring], lines[(start + 2) % ring],
            lines[(start + 3) % ring], w[wo], w[wo + 1], w[wo + 2], w[wo + 3], rowLen);
      } else if (n == 5) {
        sum5(acc, lines[start % ring], lines[(start + 1) % ring], lines[(start + 2) % ring],
            lines[(start + 3) % ring], lines[(start + 4) % ring], w[wo], w[wo + 1], w[wo + 2], w[wo + 3], w[wo + 4],
            rowLen);
      } else {
        java.util.Arrays.fill(acc, HALF);
        for (int k = 0; k < n; k++) {
          accumulate(acc, lines[(start + k) % ring], w[wo + k], rowLen);
        }
        clip(acc, rowLen);
      }
      narrow(acc, out, y * rowLen, rowLen);
    }
  }

  /**
   * The horizontal pass over two source rows (at {@code base0} and {@code base1} of {@code src}) into {@code dst0}
   * and {@code dst1}, clipped. The rows share the weights, so each sample of the first row and the same sample of
   * the second are packed into the two 32-bit lanes of a long: one 64-bit multiply serves both rows, and each lane's
   * sum is exact because it fits in an int (as Pillow's int accumulator does). Per output pixel, one accumulator
   * per channel, as in Pillow's C loop.
   */
  private static void horizontalPair(byte[] src, int base0, int base1, int inLen, Taps hx, int width, long[] p,
      int[] dst0, int[] dst1) {
    for (int i = 0; i < inLen; i++) {
      p[i] = (long) (src[base1 + i] & 0xFF) << 32 | (src[base0 + i] & 0xFF);
    }
    int[] start = hx.start;
    int[] count = hx.count;
    int[] weights = hx.weights;
    int mt = hx.maxTaps;
    int n = hx.maxCount;
    if (n == 4 || n == 5) { // windows of 4 taps, or of 4 and 5 (padded so, see Taps.padded): no inner loop
      for (int x = 0, o = 0, wo = 0; x < width; x++, o += 3, wo += mt) {
        if (count[x] == 4) {
          pixel4(p, start[x] * 3, weights, wo, dst0, dst1, o);
        } else {
          pixel5(p, start[x] * 3, weights, wo, dst0, dst1, o);
        }
      }
    } else {
      for (int x = 0, o = 0, wo = 0; x < width; x++, o += 3, wo += mt) {
        long r = HALF2;
        long g = HALF2;
        long b = HALF2;
        for (int k = 0, s = start[x] * 3; k < n; k++, s += 3) {
          long wk = weights[wo + k];
          r += wk * p[s];
          g += wk * p[s + 1];
          b += wk * p[s + 2];
        }
        store(r, g, b, dst0, dst1, o);
      }
    }
    clip(dst0, dst0.length);
    if (dst1 != dst0) {
      clip(dst1, dst1.length);
    }
  }

  /** One output pixel of both rows from the 4 taps at sample {@code s} of the packed rows. */
  private static void pixel4(long[] p, int s, int[] weights, int wo, int[] dst0, int[] dst1, int o) {
    long w0 = weights[wo];
    long w1 = weights[wo + 1];
    long w2 = weights[wo + 2];
    long w3 = weights[wo + 3];
    long r = HALF2 + w0 * p[s] + w1 * p[s + 3] + w2 * p[s + 6] + w3 * p[s + 9];
    long g = HALF2 + w0 * p[s + 1] + w1 * p[s + 4] + w2 * p[s + 7] + w3 * p[s + 10];
    long b = HALF2 + w0 * p[s + 2] + w1 * p[s + 5] + w2 * p[s + 8] + w3 * p[s + 11];
    store(r, g, b, dst0, dst1, o);
  }

  /** One output pixel of both rows from the 5 taps at sample {@code s} of the packed rows. */
  private static void pixel5(long[] p, int s, int[] weights, int wo, int[] dst0, int[] dst1, int o) {
    long w0 = weights[wo];
    long w1 = weights[wo + 1];
    long w2 = weights[wo + 2];
    long w3 = weights[wo + 3];
    long w4 = weights[wo + 4];
    long r = HALF2 + w0 * p[s] + w1 * p[s + 3] + w2 * p[s + 6] + w3 * p[s + 9] + w4 * p[s + 12];
    long g = HALF2 + w0 * p[s + 1] + w1 * p[s + 4] + w2 * p[s + 7] + w3 * p[s + 10] + w4 * p[s + 13];
    long b = HALF2 + w0 * p[s + 2] + w1 * p[s + 5] + w2 * p[s + 8] + w3 * p[s + 11] + w4 * p[s + 14];
    store(r, g, b, dst0, dst1, o);
  }

  /**
   * Splits three two-lane sums into the samples of pixel {@code o / 3} of both rows, unclipped: the low lane's sum
   * is the low 32 bits; taking it away (sign-extended) leaves exactly the high lane's sum times 2^32.
   */
  private static void store(long r, long g, long b, int[] dst0, int[] dst1, int o) {
    int r0 = (int) r;
    int g0 = (int) g;
    int b0 = (int) b;
    dst0[o] = r0;
    dst0[o + 1] = g0;
    dst0[o + 2] = b0;
    dst1[o] = (int) ((r - r0) >> 32);
    dst1[o + 1] = (int) ((g - g0) >> 32);
    dst1[o + 2] = (int) ((b - b0) >> 32);
  }

  /**
   * Pillow's {@code clip8}: 0 at or below zero, 255 at or above 256 << 22, else the sum >> 22; branch-free, so that
   * the loops using it compile to SIMD.
   */
  private static int clip8(int sum) {
    int v = sum >> PRECISION_BITS;
    return (v | ((255 - v) >> 31)) & ~(v >> 31) & 0xFF;
  }

  private static void widen(byte[] src, int from, int[] dst, int len) {
    for (int i = 0; i < len; i++) {
      dst[i] = src[from + i] & 0xFF;
    }
  }

  private static void narrow(int[] src, byte[] dst, int to, int len) {
    for (int i = 0; i < len; i++) {
      dst[to + i] = (byte) src[i];
    }
  }

  private static void sum4(int[] acc, int[] l0, int[] l1, int[] l2, int[] l3, int w0, int w1, int w2, int w3,
      int len) {
    for (int i = 0; i < len; i++) {
      acc[i] = clip8(HALF + w0 * l0[i] + w1 * l1[i] + w2 * l2[i] + w3 * l3[i]);
    }
  }

  private static void sum5(int[] acc, int[] l0, int[] l1, int[] l2, int[] l3, int[] l4, int w0, int w1, int w2,
      int w3, int w4, int len) {
    for (int i = 0; i < len; i++) {
      acc[i] = clip8(HALF + w0 * l0[i] + w1 * l1[i] + w2 * l2[i] + w3 * l3[i] + w4 * l4[i]);
    }
  }

  private static void accumulate(int[] acc, int[] line, int w, int len) {
    for (int i = 0; i < len; i++) {
      acc[i] += w * line[i];
    }
  }

  /** {@link #clip8} over a line. */
  private static void clip(int[] acc, int len) {
    for (int i = 0; i < len; i++) {
      acc[i] = clip8(acc[i]);
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
    final int maxCount;

    private Taps(int[] start, int[] count, int[] weights, int maxTaps) {
      this.start = start;
      this.count = count;
      this.weights = weights;
      this.maxTaps = maxTaps;
      int m = 1;
      for (int c : count) {
        m = Math.max(m, c);
      }
      this.maxCount = m;
    }

    /**
     * The same sums with windows of fixed lengths, so that the horizontal pass needs no loop over taps: every window
     * {@link #maxCount} taps long, except that where the widest has 5 taps the others have 4 (near-1 scales, as in
     * the crop-back, mix 4 and 5; a 5th zero tap would cost a quarter more work). Windows are extended with zero
     * weights (which add nothing) and moved left where they would pass the last source pixel.
     */
    Taps padded(int in) {
      int floor = maxCount == 5 ? 4 : maxCount;
      int[] moved = start.clone();
      int[] w = new int[weights.length];
      int[] counts = new int[count.length];
      for (int i = 0; i < moved.length; i++) {
        counts[i] = Math.max(count[i], floor);
        int shift = Math.max(0, moved[i] + counts[i] - in);
        moved[i] -= shift;
        System.arraycopy(weights, i * maxTaps, w, i * maxTaps + shift, count[i]);
      }
      return new Taps(moved, counts, w, maxTaps);
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
