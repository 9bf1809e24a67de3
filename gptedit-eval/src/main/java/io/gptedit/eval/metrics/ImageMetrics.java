package io.gptedit.eval.metrics;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.gptedit.core.image.RgbImage;

/**
 * PSNR, SSIM and masked L1 between two images of the same size.
 *
 * <p>SSIM follows Wang et al. (2004): an 11x11 Gaussian window with sigma 1.5, {@code K1 = 0.01},
 * {@code K2 = 0.03}, {@code L = 255}, evaluated on the luma channel (ITU-R BT.601: {@code Y = 0.299 R + 0.587 G
 * + 0.114 B}) over every position where the window fits entirely inside the image ("valid" filtering, no padding),
 * and averaged. PSNR and L1 use all three RGB channels.
 *
 * @since 0.1
 */
public final class ImageMetrics {
  /** SSIM window side (Wang et al.). */
  public static final int SSIM_WINDOW = 11;

  /** SSIM Gaussian sigma (Wang et al.). */
  public static final double SSIM_SIGMA = 1.5;

  // K1 = 0.01, K2 = 0.03 and L = 255 (Wang et al. 2004, "Image quality assessment: from error visibility to
  // structural similarity")
  private static final double C1 = Math.pow(0.01 * 255, 2);
  private static final double C2 = Math.pow(0.03 * 255, 2);

  private ImageMetrics() {}

  /**
   * Returns the peak signal-to-noise ratio over all RGB samples, in dB.
   *
   * @param a one image
   * @param b another image of the same size
   * @return the PSNR; {@link Double#POSITIVE_INFINITY} for identical images
   * @throws IllegalArgumentException if the sizes differ
   */
  public static double psnr(RgbImage a, RgbImage b) {
    checkSameSize(a, b);
    byte[] x = a.copyRgb();
    byte[] y = b.copyRgb();
    double sum = 0;
    for (int i = 0; i < x.length; i++) {
      double d = (x[i] & 0xFF) - (y[i] & 0xFF);
      sum += d * d;
    }
    double mse = sum / x.length;
    return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
  }

  /**
   * Returns the mean absolute difference over all RGB samples, in 0..255 units.
   *
   * @param a one image
   * @param b another image of the same size
   * @return the MAE
   * @throws IllegalArgumentException if the sizes differ
   */
  public static double meanAbsoluteError(RgbImage a, RgbImage b) {
    checkSameSize(a, b);
    byte[] x = a.copyRgb();
    byte[] y = b.copyRgb();
    double sum = 0;
    for (int i = 0; i < x.length; i++) {
      sum += Math.abs((x[i] & 0xFF) - (y[i] & 0xFF));
    }
    return sum / x.length;
  }

  /**
   * Returns the mean SSIM on luma.
   *
   * @param a one image
   * @param b another image of the same size
   * @return the SSIM, at most 1
   * @throws IllegalArgumentException if the sizes differ or a side is below {@value #SSIM_WINDOW}
   */
  public static double ssim(RgbImage a, RgbImage b) {
    checkSameSize(a, b);
    int w = a.width();
    int h = a.height();
    checkArgument(w >= SSIM_WINDOW && h >= SSIM_WINDOW, "SSIM needs images of at least %sx%s, got %sx%s",
        SSIM_WINDOW, SSIM_WINDOW, w, h);
    double[] x = luma(a);
    double[] y = luma(b);
    double[] g = gaussian();
    double total = 0;
    int count = 0;
    for (int oy = 0; oy + SSIM_WINDOW <= h; oy++) {
      for (int ox = 0; ox + SSIM_WINDOW <= w; ox++) {
        double mx = 0;
        double my = 0;
        double xx = 0;
        double yy = 0;
        double xy = 0;
        for (int j = 0; j < SSIM_WINDOW; j++) {
          int row = (oy + j) * w + ox;
          for (int i = 0; i < SSIM_WINDOW; i++) {
            double wt = g[j * SSIM_WINDOW + i];
            double px = x[row + i];
            double py = y[row + i];
            mx += wt * px;
            my += wt * py;
            xx += wt * px * px;
            yy += wt * py * py;
            xy += wt * px * py;
          }
        }
        double vx = xx - mx * mx;
        double vy = yy - my * my;
        double cov = xy - mx * my;
        total += ((2 * mx * my + C1) * (2 * cov + C2)) / ((mx * mx + my * my + C1) * (vx + vy + C2));
        count++;
      }
    }
    return total / count;
  }

  /**
   * Returns the mean absolute difference over the pixels outside the edit mask, all three channels, scaled to
   * [0, 1] (0 = the unedited region is untouched).
   *
   * @param a one image
   * @param b another image of the same size
   * @param editMask one flag per pixel in row-major order, {@code true} where the edit was meant to change the
   *     image
   * @return the L1 distance on the unedited region
   * @throws IllegalArgumentException if sizes differ, the mask has the wrong length, or every pixel is masked
   */
  public static double unmaskedL1(RgbImage a, RgbImage b, boolean[] editMask) {
    checkSameSize(a, b);
    requireNonNull(editMask, "editMask");
    checkArgument(editMask.length == a.width() * a.height(), "mask has %s entries for %sx%s pixels",
        editMask.length, a.width(), a.height());
    byte[] x = a.copyRgb();
    byte[] y = b.copyRgb();
    long sum = 0;
    long n = 0;
    for (int p = 0; p < editMask.length; p++) {
      if (editMask[p]) {
        continue;
      }
      for (int c = 0; c < 3; c++) {
        sum += Math.abs((x[p * 3 + c] & 0xFF) - (y[p * 3 + c] & 0xFF));
      }
      n += 3;
    }
    checkArgument(n > 0, "the mask covers every pixel: no unedited region");
    return sum / (255.0 * n);
  }

  private static void checkSameSize(RgbImage a, RgbImage b) {
    requireNonNull(a, "a");
    requireNonNull(b, "b");
    checkArgument(a.width() == b.width() && a.height() == b.height(), "image sizes differ: %sx%s vs %sx%s",
        a.width(), a.height(), b.width(), b.height());
  }

  private static double[] luma(RgbImage image) {
    byte[] rgb = image.copyRgb();
    double[] y = new double[image.width() * image.height()];
    for (int p = 0; p < y.length; p++) {
      y[p] = 0.299 * (rgb[p * 3] & 0xFF) + 0.587 * (rgb[p * 3 + 1] & 0xFF) + 0.114 * (rgb[p * 3 + 2] & 0xFF);
    }
    return y;
  }

  private static double[] gaussian() {
    double[] g = new double[SSIM_WINDOW * SSIM_WINDOW];
    int r = SSIM_WINDOW / 2;
    double sum = 0;
    for (int j = 0; j < SSIM_WINDOW; j++) {
      for (int i = 0; i < SSIM_WINDOW; i++) {
        double v = Math.exp(-((i - r) * (i - r) + (j - r) * (j - r)) / (2 * SSIM_SIGMA * SSIM_SIGMA));
        g[j * SSIM_WINDOW + i] = v;
        sum += v;
      }
    }
    for (int k = 0; k < g.length; k++) {
      g[k] /= sum;
    }
    return g;
  }
}
