package io.gptedit.core.image;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * An immutable 8-bit RGB image: width, height and one interleaved {@code byte[]} of {@code width * height * 3}
 * samples in row-major order (R, G, B for pixel (0,0), then pixel (1,0), ...).
 *
 * <p>This is the fast path for pixel work across the SDK: no colour model, no alpha, no per-pixel objects. The
 * samples are copied in at construction and never handed out mutable; {@link #buffer()} gives a read-only,
 * zero-copy view and {@link #copyRgb()} a fresh copy.
 *
 * <p>Equality is by size and pixels.
 *
 * @since 0.1
 */
public final class RgbImage {
  /** The largest side accepted; bounds memory use and keeps {@code width * height * 3} in an {@code int}. */
  public static final int MAX_SIDE = 16_384;

  private final int width;
  private final int height;
  private final byte[] rgb;

  private RgbImage(int width, int height, byte[] rgb) {
    this.width = width;
    this.height = height;
    this.rgb = rgb;
  }

  /**
   * Creates an image from interleaved RGB samples, copying them.
   *
   * @param width the width in pixels, 1 to {@value #MAX_SIDE}
   * @param height the height in pixels, 1 to {@value #MAX_SIDE}
   * @param rgb {@code width * height * 3} samples
   * @return the image
   * @throws IllegalArgumentException if a side is out of range or the array has the wrong length
   */
  public static RgbImage of(int width, int height, byte[] rgb) {
    checkSize(width, height);
    requireNonNull(rgb, "rgb");
    checkArgument(
        rgb.length == width * height * 3,
        "expected %s samples for %sx%s RGB, got %s",
        width * height * 3,
        width,
        height,
        rgb.length);
    return new RgbImage(width, height, rgb.clone());
  }

  /**
   * Creates an image filled with one colour.
   *
   * @param width the width in pixels
   * @param height the height in pixels
   * @param rgb the colour as {@code 0xRRGGBB}
   * @return the image
   */
  public static RgbImage filled(int width, int height, int rgb) {
    checkSize(width, height);
    byte[] data = new byte[width * height * 3];
    byte r = (byte) (rgb >>> 16);
    byte g = (byte) (rgb >>> 8);
    byte b = (byte) rgb;
    if (r == g && g == b) {
      Arrays.fill(data, r);
    } else {
      for (int i = 0; i < data.length; i += 3) {
        data[i] = r;
        data[i + 1] = g;
        data[i + 2] = b;
      }
    }
    return new RgbImage(width, height, data);
  }

  /**
   * Wraps an array the caller promises never to touch again. Package-private: only code in this module that
   * has just allocated the array may skip the defensive copy.
   */
  static RgbImage wrapOwned(int width, int height, byte[] rgb) {
    checkSize(width, height);
    checkArgument(rgb.length == width * height * 3, "bad sample count %s", rgb.length);
    return new RgbImage(width, height, rgb);
  }

  private static void checkSize(int width, int height) {
    checkArgument(
        width >= 1 && width <= MAX_SIDE && height >= 1 && height <= MAX_SIDE,
        "image size must be within 1..%s on each side, got %sx%s",
        MAX_SIDE,
        width,
        height);
  }

  /**
   * Returns the width in pixels.
   *
   * @return the width
   */
  public int width() {
    return width;
  }

  /**
   * Returns the height in pixels.
   *
   * @return the height
   */
  public int height() {
    return height;
  }

  /**
   * Returns the pixel at (x, y) as {@code 0xRRGGBB}.
   *
   * @param x the column, 0-based
   * @param y the row, 0-based
   * @return the colour
   * @throws IndexOutOfBoundsException if (x, y) is outside the image
   */
  public int rgb(int x, int y) {
    if (x < 0 || x >= width || y < 0 || y >= height) {
      throw new IndexOutOfBoundsException("(" + x + ", " + y + ") outside " + width + "x" + height);
    }
    int i = (y * width + x) * 3;
    return (rgb[i] & 0xFF) << 16 | (rgb[i + 1] & 0xFF) << 8 | (rgb[i + 2] & 0xFF);
  }

  /**
   * Returns one sample.
   *
   * @param x the column
   * @param y the row
   * @param channel 0 for red, 1 for green, 2 for blue
   * @return the sample, 0 to 255
   */
  public int sample(int x, int y, int channel) {
    if (x < 0 || x >= width || y < 0 || y >= height || channel < 0 || channel > 2) {
      throw new IndexOutOfBoundsException(
          "(" + x + ", " + y + ", c" + channel + ") outside " + width + "x" + height + "x3");
    }
    return rgb[(y * width + x) * 3 + channel] & 0xFF;
  }

  /**
   * Returns a read-only view of the interleaved samples without copying.
   *
   * @return a read-only buffer positioned at 0 with {@code width * height * 3} remaining
   */
  public ByteBuffer buffer() {
    return ByteBuffer.wrap(rgb).asReadOnlyBuffer();
  }

  /**
   * Returns a copy of the interleaved samples.
   *
   * @return a new array of {@code width * height * 3} samples
   */
  public byte[] copyRgb() {
    return rgb.clone();
  }

  /**
   * Copies one row of samples into {@code dst}.
   *
   * @param y the row
   * @param dst the destination array
   * @param offset where to start writing; {@code width * 3} samples are written
   */
  public void copyRow(int y, byte[] dst, int offset) {
    if (y < 0 || y >= height) {
      throw new IndexOutOfBoundsException("row " + y + " outside height " + height);
    }
    System.arraycopy(rgb, y * width * 3, dst, offset, width * 3);
  }

  /** Direct access for this package's hot loops; never exposed. */
  byte[] samples() {
    return rgb;
  }

  /**
   * Returns the sub-image with top-left corner (x, y) and the given size.
   *
   * @param x the left column
   * @param y the top row
   * @param w the width
   * @param h the height
   * @return the cropped image (this image if the region is the whole image)
   * @throws IllegalArgumentException if the region is empty or not inside the image
   */
  public RgbImage crop(int x, int y, int w, int h) {
    checkArgument(
        x >= 0 && y >= 0 && w >= 1 && h >= 1 && x <= width - w && y <= height - h,
        "crop region (x=%s, y=%s, w=%s, h=%s) is not inside the %sx%s image",
        x,
        y,
        w,
        h,
        width,
        height);
    if (x == 0 && y == 0 && w == width && h == height) {
      return this;
    }
    byte[] out = new byte[w * h * 3];
    int rowBytes = w * 3;
    for (int row = 0; row < h; row++) {
      System.arraycopy(rgb, ((y + row) * width + x) * 3, out, row * rowBytes, rowBytes);
    }
    return new RgbImage(w, h, out);
  }

  /**
   * Places this image on a new canvas filled with {@code fill}.
   *
   * @param left columns added on the left
   * @param top rows added on top
   * @param right columns added on the right
   * @param bottom rows added at the bottom
   * @param fill the padding colour as {@code 0xRRGGBB}
   * @return the padded image (this image if every side is 0)
   * @throws IllegalArgumentException if a side is negative or the result is too large
   */
  public RgbImage pad(int left, int top, int right, int bottom, int fill) {
    checkArgument(
        left >= 0 && top >= 0 && right >= 0 && bottom >= 0,
        "padding must be non-negative, got left=%s top=%s right=%s bottom=%s",
        left,
        top,
        right,
        bottom);
    if ((left | top | right | bottom) == 0) {
      return this;
    }
    long cw = (long) width + left + right;
    long ch = (long) height + top + bottom;
    checkArgument(cw <= MAX_SIDE && ch <= MAX_SIDE, "padded size %sx%s exceeds %s", cw, ch, MAX_SIDE);
    RgbImage canvas = filled((int) cw, (int) ch, fill);
    byte[] out = canvas.rgb;
    int rowBytes = width * 3;
    for (int row = 0; row < height; row++) {
      System.arraycopy(rgb, row * rowBytes, out, ((top + row) * (int) cw + left) * 3, rowBytes);
    }
    return canvas;
  }

  /**
   * Converts to a {@link BufferedImage} of type {@link BufferedImage#TYPE_3BYTE_BGR}.
   *
   * @return a new image; changing it does not change this one
   */
  public BufferedImage toBufferedImage() {
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
    byte[] bgr = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
    for (int i = 0; i < rgb.length; i += 3) {
      bgr[i] = rgb[i + 2];
      bgr[i + 1] = rgb[i + 1];
      bgr[i + 2] = rgb[i];
    }
    return out;
  }

  /**
   * Converts a {@link BufferedImage} of any type, compositing alpha onto white.
   *
   * @param image the image
   * @return the RGB image
   * @see #fromBufferedImage(BufferedImage, int)
   */
  public static RgbImage fromBufferedImage(BufferedImage image) {
    return fromBufferedImage(image, 0xFFFFFF);
  }

  /**
   * Converts a {@link BufferedImage} of any type. 8-bit RGB, BGR, gray and opaque integer types convert
   * losslessly; images with alpha are composited onto {@code background} as
   * {@code round((c * a + bg * (255 - a)) / 255)} per channel on non-premultiplied sRGB values; other types go
   * through {@link BufferedImage#getRGB(int, int)} (the JDK's conversion to 8-bit sRGB).
   *
   * @param image the image
   * @param background the colour under transparent pixels, {@code 0xRRGGBB}
   * @return the RGB image
   */
  public static RgbImage fromBufferedImage(BufferedImage image, int background) {
    requireNonNull(image, "image");
    int w = image.getWidth();
    int h = image.getHeight();
    checkSize(w, h);
    byte[] out = new byte[w * h * 3];
    Raster raster = image.getRaster();
    boolean plainRaster =
        raster.getMinX() == 0
            && raster.getMinY() == 0
            && raster.getWidth() == w
            && raster.getHeight() == h
            && raster instanceof WritableRaster wr
            && wr.getParent() == null
            && raster.getSampleModelTranslateX() == 0
            && raster.getSampleModelTranslateY() == 0;
    int type = plainRaster ? image.getType() : BufferedImage.TYPE_CUSTOM;
    switch (type) {
      case BufferedImage.TYPE_3BYTE_BGR -> {
        byte[] src = ((DataBufferByte) raster.getDataBuffer()).getData();
        for (int i = 0; i < out.length; i += 3) {
          out[i] = src[i + 2];
          out[i + 1] = src[i + 1];
          out[i + 2] = src[i];
        }
      }
      case BufferedImage.TYPE_BYTE_GRAY -> {
        byte[] src = ((DataBufferByte) raster.getDataBuffer()).getData();
        for (int p = 0, i = 0; p < src.length; p++, i += 3) {
          out[i] = src[p];
          out[i + 1] = src[p];
          out[i + 2] = src[p];
        }
      }
      case BufferedImage.TYPE_INT_RGB -> {
        int[] src = ((DataBufferInt) raster.getDataBuffer()).getData();
        for (int p = 0, i = 0; p < src.length; p++, i += 3) {
          putRgb(out, i, src[p]);
        }
      }
      case BufferedImage.TYPE_INT_ARGB -> {
        int[] src = ((DataBufferInt) raster.getDataBuffer()).getData();
        for (int p = 0, i = 0; p < src.length; p++, i += 3) {
          putRgb(out, i, composite(src[p], background));
        }
      }
      case BufferedImage.TYPE_4BYTE_ABGR -> {
        byte[] src = ((DataBufferByte) raster.getDataBuffer()).getData();
        for (int p = 0, i = 0; i < out.length; p += 4, i += 3) {
          int argb =
              (src[p] & 0xFF) << 24 | (src[p + 3] & 0xFF) << 16 | (src[p + 2] & 0xFF) << 8 | src[p + 1] & 0xFF;
          putRgb(out, i, composite(argb, background));
        }
      }
      default -> {
        int[] row = new int[w];
        boolean alpha = image.getColorModel().hasAlpha();
        for (int y = 0; y < h; y++) {
          image.getRGB(0, y, w, 1, row, 0, w);
          int base = y * w * 3;
          for (int x = 0; x < w; x++) {
            putRgb(out, base + x * 3, alpha ? composite(row[x], background) : row[x]);
          }
        }
      }
    }
    return new RgbImage(w, h, out);
  }

  private static void putRgb(byte[] out, int i, int rgb) {
    out[i] = (byte) (rgb >>> 16);
    out[i + 1] = (byte) (rgb >>> 8);
    out[i + 2] = (byte) rgb;
  }

  /** Composites a non-premultiplied ARGB pixel onto an opaque background, rounding half up. */
  static int composite(int argb, int background) {
    int a = argb >>> 24;
    if (a == 0xFF) {
      return argb & 0xFFFFFF;
    }
    if (a == 0) {
      return background & 0xFFFFFF;
    }
    int inv = 255 - a;
    // round(x / 255) with halves rounded up, in integers: floor((2x + 255) / 510).
    int r = (2 * ((argb >>> 16 & 0xFF) * a + (background >>> 16 & 0xFF) * inv) + 255) / 510;
    int g = (2 * ((argb >>> 8 & 0xFF) * a + (background >>> 8 & 0xFF) * inv) + 255) / 510;
    int b = (2 * ((argb & 0xFF) * a + (background & 0xFF) * inv) + 255) / 510;
    return r << 16 | g << 8 | b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RgbImage other
        && other.width == width
        && other.height == height
        && Arrays.equals(other.rgb, rgb);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * width + height) + Arrays.hashCode(rgb);
  }

  @Override
  public String toString() {
    return "RgbImage[" + width + "x" + height + "]";
  }
}
