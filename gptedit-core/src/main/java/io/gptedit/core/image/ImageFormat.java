package io.gptedit.core.image;

import java.util.Locale;

/**
 * The image file formats the SDK reads and writes.
 *
 * @since 0.1
 */
public enum ImageFormat {
  /** PNG: lossless, read and write. The format of every shard member. */
  PNG("png"),
  /** JPEG: lossy, read and write (the judges send base64 JPEG). */
  JPEG("jpg"),
  /** WebP: read only (through the TwelveMonkeys ImageIO plugin). */
  WEBP("webp");

  private final String extension;

  ImageFormat(String extension) {
    this.extension = extension;
  }

  /**
   * Returns the usual file extension without the dot.
   *
   * @return {@code png}, {@code jpg} or {@code webp}
   */
  public String extension() {
    return extension;
  }

  /**
   * Guesses the format from leading magic bytes.
   *
   * @param head the first bytes of the file (12 are enough)
   * @param length how many bytes of {@code head} are valid
   * @return the format, or {@code null} when the bytes match none
   */
  static ImageFormat sniff(byte[] head, int length) {
    if (length >= 8
        && (head[0] & 0xFF) == 0x89
        && head[1] == 'P'
        && head[2] == 'N'
        && head[3] == 'G') {
      return PNG;
    }
    if (length >= 3 && (head[0] & 0xFF) == 0xFF && (head[1] & 0xFF) == 0xD8 && (head[2] & 0xFF) == 0xFF) {
      return JPEG;
    }
    if (length >= 12
        && head[0] == 'R'
        && head[1] == 'I'
        && head[2] == 'F'
        && head[3] == 'F'
        && head[8] == 'W'
        && head[9] == 'E'
        && head[10] == 'B'
        && head[11] == 'P') {
      return WEBP;
    }
    return null;
  }

  /**
   * Returns the format for a file name's extension.
   *
   * @param fileName a file name such as {@code cat.JPEG}
   * @return the format, or {@code null} for an unknown extension
   */
  public static ImageFormat fromFileName(String fileName) {
    int dot = fileName.lastIndexOf('.');
    if (dot < 0) {
      return null;
    }
    return switch (fileName.substring(dot + 1).toLowerCase(Locale.ROOT)) {
      case "png" -> PNG;
      case "jpg", "jpeg" -> JPEG;
      case "webp" -> WEBP;
      default -> null;
    };
  }
}
