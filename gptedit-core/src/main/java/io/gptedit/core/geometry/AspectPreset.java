package io.gptedit.core.geometry;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Locale;

/**
 * The three aspect ratios GPT-Image-1 renders, with their native generation sizes.
 *
 * <p>{@link #nearest(int, int)} picks the preset whose ratio is closest to an image's on a logarithmic scale:
 * the distance from ratio {@code r = w / h} to preset ratio {@code p} is {@code |ln r - ln p|}, so 3:2 and 2:3
 * are equally far from 1:1. The boundaries are the geometric means of adjacent presets, {@code sqrt(2/3)} and
 * {@code sqrt(3/2)}; they are irrational, so no integer size can tie and the choice is decided in exact integer
 * arithmetic ({@code 3 w^2 < 2 h^2} means portrait, {@code 2 w^2 > 3 h^2} landscape, else square).
 *
 * @since 0.1
 */
public enum AspectPreset {
  /** 1:1, rendered at 1024x1024. */
  SQUARE(1, 1, 1024, 1024),
  /** 3:2 (wider than tall), rendered at 1536x1024. */
  LANDSCAPE(3, 2, 1536, 1024),
  /** 2:3 (taller than wide), rendered at 1024x1536. */
  PORTRAIT(2, 3, 1024, 1536);

  private final int ratioWidth;
  private final int ratioHeight;
  private final Size generationSize;

  AspectPreset(int ratioWidth, int ratioHeight, int generationWidth, int generationHeight) {
    this.ratioWidth = ratioWidth;
    this.ratioHeight = ratioHeight;
    this.generationSize = new Size(generationWidth, generationHeight);
  }

  /**
   * Returns the ratio's width term (3 for 3:2).
   *
   * @return the reduced ratio's width
   */
  public int ratioWidth() {
    return ratioWidth;
  }

  /**
   * Returns the ratio's height term (2 for 3:2).
   *
   * @return the reduced ratio's height
   */
  public int ratioHeight() {
    return ratioHeight;
  }

  /**
   * Returns GPT-Image-1's native size for this ratio.
   *
   * @return 1024x1024, 1536x1024 or 1024x1536
   */
  public Size generationSize() {
    return generationSize;
  }

  /**
   * Returns the ratio as text, as the metadata writes it.
   *
   * @return {@code "1:1"}, {@code "3:2"} or {@code "2:3"}
   */
  public String ratioLabel() {
    return ratioWidth + ":" + ratioHeight;
  }

  /**
   * Returns the preset nearest to a size's aspect ratio (see the class documentation for the rule).
   *
   * @param width the image width, at least 1
   * @param height the image height, at least 1
   * @return the nearest preset
   */
  public static AspectPreset nearest(int width, int height) {
    checkArgument(width >= 1 && height >= 1, "size must be at least 1x1, got %sx%s", width, height);
    long w2 = (long) width * width;
    long h2 = (long) height * height;
    if (3 * w2 < 2 * h2) {
      return PORTRAIT;
    }
    if (2 * w2 > 3 * h2) {
      return LANDSCAPE;
    }
    return SQUARE;
  }

  /**
   * Returns the preset nearest to a size's aspect ratio.
   *
   * @param size the image size
   * @return the nearest preset
   */
  public static AspectPreset nearest(Size size) {
    return nearest(size.width(), size.height());
  }

  /**
   * Returns the preset with an exact ratio label or a name, case-insensitive.
   *
   * @param text {@code "3:2"}, {@code "landscape"}, ...
   * @return the preset
   * @throws IllegalArgumentException if the text names no preset
   */
  public static AspectPreset parse(String text) {
    for (AspectPreset p : values()) {
      if (p.ratioLabel().equals(text) || p.name().equalsIgnoreCase(text)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "unknown aspect preset '" + text + "' (expected 1:1, 3:2, 2:3 or SQUARE, LANDSCAPE, PORTRAIT)");
  }

  /**
   * Returns the name in lower case.
   *
   * @return {@code square}, {@code landscape} or {@code portrait}
   */
  public String lowerName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
