package io.gptedit.core.quality;

import io.gptedit.core.geometry.Side;
import io.gptedit.core.image.RgbImage;
import java.nio.ByteBuffer;

/** Counts padding-coloured lines inward from an image edge. Shared by both checks. */
final class PaddingLines {
  private PaddingLines() {}

  /**
   * Returns how many consecutive lines, starting at {@code side}'s edge, are padding: a line (a column for
   * LEFT/RIGHT, a row for TOP/BOTTOM) counts when at least {@code lineFraction} of its pixels are within
   * {@code tolerance} of {@code color} on every channel. Stops at {@code limit} lines.
   */
  static int depth(RgbImage image, Side side, int color, int tolerance, double lineFraction, int limit) {
    int w = image.width();
    int h = image.height();
    ByteBuffer px = image.buffer();
    int r = color >>> 16 & 0xFF;
    int g = color >>> 8 & 0xFF;
    int b = color & 0xFF;
    boolean vertical = side == Side.LEFT || side == Side.RIGHT;
    int lines = Math.min(limit, vertical ? w : h);
    int lineLength = vertical ? h : w;
    int needed = (int) Math.ceil(lineFraction * lineLength);
    int maxMisses = lineLength - needed;
    for (int line = 0; line < lines; line++) {
      int misses = 0;
      for (int i = 0; i < lineLength && misses <= maxMisses; i++) {
        int x;
        int y;
        switch (side) {
          case LEFT -> {
            x = line;
            y = i;
          }
          case RIGHT -> {
            x = w - 1 - line;
            y = i;
          }
          case TOP -> {
            x = i;
            y = line;
          }
          default -> {
            x = i;
            y = h - 1 - line;
          }
        }
        int o = (y * w + x) * 3;
        if (Math.abs((px.get(o) & 0xFF) - r) > tolerance
            || Math.abs((px.get(o + 1) & 0xFF) - g) > tolerance
            || Math.abs((px.get(o + 2) & 0xFF) - b) > tolerance) {
          misses++;
        }
      }
      if (misses > maxMisses) {
        return line;
      }
    }
    return lines;
  }
}
