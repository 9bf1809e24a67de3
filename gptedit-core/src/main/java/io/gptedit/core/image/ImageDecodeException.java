package io.gptedit.core.image;

import io.gptedit.core.GpteditException;
import java.io.Serial;

/**
 * Thrown when an image file or byte array cannot be decoded: corrupt, truncated, empty or of an unsupported
 * format. The message names the source (a file path or a caller-supplied label such as a shard member).
 *
 * @since 0.1
 */
public final class ImageDecodeException extends GpteditException {
  @Serial private static final long serialVersionUID = 1L;

  private final String source;

  /**
   * Creates the exception.
   *
   * @param source the file or label that failed to decode
   * @param reason what was wrong
   * @param cause the decoder's exception, or {@code null}
   */
  public ImageDecodeException(String source, String reason, Throwable cause) {
    super("cannot decode image " + source + ": " + reason, cause);
    this.source = source;
  }

  /**
   * Returns the file or label that failed to decode.
   *
   * @return the source name
   */
  public String source() {
    return source;
  }
}
