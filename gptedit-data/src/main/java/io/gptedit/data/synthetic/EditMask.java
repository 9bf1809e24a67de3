package io.gptedit.data.synthetic;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.gptedit.core.image.RgbImage;
import java.nio.ByteBuffer;
import java.util.BitSet;

/**
 * Which pixels an edit should change: a bit per pixel in row-major order. Immutable.
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
   * @param p the pixel index
   * @return whether it is in the mask
   */
  boolean get(int p) {
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
