package io.gptedit.core.image;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.util.BitSet;

/**
 * Which pixels an edit should change: a bit per pixel in row-major order. Immutable.
 *
 * <p>Training losses weigh the edited and kept pixels by it ({@code FlowMatchingLoss.maskBalanced}) and the
 * synthetic world's exact metrics are defined on it.
 *
 * @since 0.1
 */
public final class EditMask {
  private final int width;
  private final int height;
  private final BitSet bits;
  private final int count;

  private EditMask(int width, int height, BitSet bits) {
    this.width = width;
    this.height = height;
    this.bits = bits;
    this.count = bits.cardinality();
  }

  /**
   * Returns the mask of pixels that differ between two images of the same size.
   *
   * @param before the input
   * @param after the exact target
   * @return the mask
   * @throws IllegalArgumentException if the sizes differ
   */
  public static EditMask between(RgbImage before, RgbImage after) {
    requireNonNull(before, "before");
    requireNonNull(after, "after");
    checkSameSize(before, after);
    ByteBuffer a = before.buffer();
    ByteBuffer b = after.buffer();
    int n = before.width() * before.height();
    BitSet bits = new BitSet(n);
    for (int p = 0, i = 0; p < n; p++, i += 3) {
      if (a.get(i) != b.get(i) || a.get(i + 1) != b.get(i + 1) || a.get(i + 2) != b.get(i + 2)) {
        bits.set(p);
      }
    }
    return new EditMask(before.width(), before.height(), bits);
  }

  /**
   * Returns a mask from its bits.
   *
   * @param width the width
   * @param height the height
   * @param bits the set pixels, row-major ({@code y * width + x}); copied
   * @return the mask
   * @throws IllegalArgumentException if a set bit lies outside the image
   */
  public static EditMask of(int width, int height, BitSet bits) {
    checkArgument(width > 0 && height > 0, "mask size must be positive, got %sx%s", width, height);
    checkArgument(bits.length() <= width * height, "mask bits reach pixel %s of a %sx%s mask", bits.length() - 1, width, height);
    return new EditMask(width, height, (BitSet) bits.clone());
  }

  /**
   * Reads a mask drawn as an image: a pixel is in the mask when any channel is above 127 (the inverse of
   * {@link #toImage()}).
   *
   * @param image the black-and-white image
   * @return the mask
   */
  public static EditMask fromImage(RgbImage image) {
    requireNonNull(image, "image");
    ByteBuffer a = image.buffer();
    int n = image.width() * image.height();
    BitSet bits = new BitSet(n);
    for (int p = 0, i = 0; p < n; p++, i += 3) {
      if ((a.get(i) & 0xFF) > 127 || (a.get(i + 1) & 0xFF) > 127 || (a.get(i + 2) & 0xFF) > 127) {
        bits.set(p);
      }
    }
    return new EditMask(image.width(), image.height(), bits);
  }

  /**
   * Returns the mask of an image's structure: the pixels with a neighbour (of the 8 around it) that differs from
   * them by more than a tolerance in some channel, so both sides of every colour edge. Flat regions stay out; in a
   * scene of objects on a plain background it holds the objects' outlines and, for small objects, the objects.
   *
   * @param image the image
   * @param tolerance the largest per-channel difference that counts as the same colour, 0 to 255
   * @return the mask
   * @throws IllegalArgumentException if the tolerance is out of range
   */
  public static EditMask edges(RgbImage image, int tolerance) {
    requireNonNull(image, "image");
    checkArgument(tolerance >= 0 && tolerance <= 255, "tolerance must be in 0..255, got %s", tolerance);
    int w = image.width();
    int h = image.height();
    ByteBuffer px = image.buffer();
    BitSet bits = new BitSet(w * h);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = (y * w + x) * 3;
        boolean edge = false;
        for (int dy = -1; dy <= 1 && !edge; dy++) {
          for (int dx = -1; dx <= 1 && !edge; dx++) {
            int nx = x + dx;
            int ny = y + dy;
            if ((dx != 0 || dy != 0) && nx >= 0 && ny >= 0 && nx < w && ny < h) {
              int j = (ny * w + nx) * 3;
              edge = Math.abs((px.get(i) & 0xFF) - (px.get(j) & 0xFF)) > tolerance
                  || Math.abs((px.get(i + 1) & 0xFF) - (px.get(j + 1) & 0xFF)) > tolerance
                  || Math.abs((px.get(i + 2) & 0xFF) - (px.get(j + 2) & 0xFF)) > tolerance;
            }
          }
        }
        if (edge) {
          bits.set(y * w + x);
        }
      }
    }
    return new EditMask(w, h, bits);
  }

  /**
   * Returns the mask of pixels where two images of the same size differ by more than a tolerance in some channel
   * (for real data, whose regenerated targets also change the kept pixels a little).
   *
   * @param before the input
   * @param after the target
   * @param tolerance the largest per-channel difference that counts as unchanged, 0 to 255
   * @return the mask
   * @throws IllegalArgumentException if the sizes differ or the tolerance is out of range
   */
  public static EditMask between(RgbImage before, RgbImage after, int tolerance) {
    requireNonNull(before, "before");
    requireNonNull(after, "after");
    checkSameSize(before, after);
    checkArgument(tolerance >= 0 && tolerance <= 255, "tolerance must be 0..255, got %s", tolerance);
    ByteBuffer a = before.buffer();
    ByteBuffer b = after.buffer();
    int n = before.width() * before.height();
    BitSet bits = new BitSet(n);
    for (int p = 0, i = 0; p < n; p++, i += 3) {
      for (int c = 0; c < 3; c++) {
        if (Math.abs((a.get(i + c) & 0xFF) - (b.get(i + c) & 0xFF)) > tolerance) {
          bits.set(p);
          break;
        }
      }
    }
    return new EditMask(before.width(), before.height(), bits);
  }

  /**
   * Returns this mask at another size, by nearest-neighbour sampling of pixel centres (a pixel of the result is
   * in the mask when the source pixel under its centre is).
   *
   * @param newWidth the new width
   * @param newHeight the new height
   * @return the resized mask (this mask if the size is unchanged)
   */
  public EditMask resized(int newWidth, int newHeight) {
    checkArgument(newWidth > 0 && newHeight > 0, "size must be positive, got %sx%s", newWidth, newHeight);
    if (newWidth == width && newHeight == height) {
      return this;
    }
    BitSet out = new BitSet(newWidth * newHeight);
    for (int y = 0; y < newHeight; y++) {
      int sy = (int) Math.min(height - 1, (long) (2 * y + 1) * height / (2L * newHeight));
      for (int x = 0; x < newWidth; x++) {
        int sx = (int) Math.min(width - 1, (long) (2 * x + 1) * width / (2L * newWidth));
        if (bits.get(sy * width + sx)) {
          out.set(y * newWidth + x);
        }
      }
    }
    return new EditMask(newWidth, newHeight, out);
  }

  static void checkSameSize(RgbImage a, RgbImage b) {
    checkArgument(
        a.width() == b.width() && a.height() == b.height(),
        "images differ in size: %sx%s vs %sx%s",
        a.width(),
        a.height(),
        b.width(),
        b.height());
  }

  /**
   * Returns the width.
   *
   * @return the width in pixels
   */
  public int width() {
    return width;
  }

  /**
   * Returns the height.
   *
   * @return the height in pixels
   */
  public int height() {
    return height;
  }

  /**
   * Returns whether pixel (x, y) should change.
   *
   * @param x the column
   * @param y the row
   * @return whether it is in the mask
   */
  public boolean contains(int x, int y) {
    if (x < 0 || x >= width || y < 0 || y >= height) {
      throw new IndexOutOfBoundsException("(" + x + ", " + y + ") outside " + width + "x" + height);
    }
    return bits.get(y * width + x);
  }

  /**
   * Returns whether pixel {@code p} (row-major index) should change.
   *
   * @param p the pixel index, {@code y * width + x}
   * @return whether it is in the mask
   */
  public boolean get(int p) {
    return bits.get(p);
  }

  /**
   * Returns how many pixels should change.
   *
   * @return the mask's pixel count
   */
  public int count() {
    return count;
  }

  /**
   * Returns the share of the image the mask covers.
   *
   * @return {@code count / (width * height)}
   */
  public double coverage() {
    return (double) count / ((long) width * height);
  }

  /**
   * Renders the mask as a black-and-white image (white where pixels should change), for inspection.
   *
   * @return the image
   */
  public RgbImage toImage() {
    byte[] px = new byte[width * height * 3];
    for (int p = bits.nextSetBit(0); p >= 0; p = bits.nextSetBit(p + 1)) {
      px[p * 3] = (byte) 0xFF;
      px[p * 3 + 1] = (byte) 0xFF;
      px[p * 3 + 2] = (byte) 0xFF;
    }
    return RgbImage.of(width, height, px);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EditMask m && m.width == width && m.height == height && m.bits.equals(bits);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * width + height) + bits.hashCode();
  }

  @Override
  public String toString() {
    return "EditMask[" + width + "x" + height + ", " + count + " pixels]";
  }
}
