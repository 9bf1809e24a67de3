package io.gptedit.core.metadata;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

/**
 * A sample's key: usable as a file name stem and as a WebDataset key (no dots: WebDataset's key is everything
 * before the first dot of a member's name).
 *
 * @param value letters, digits, {@code _}, {@code -} and {@code /} only, 1 to 200 characters, no empty path
 *     segment
 * @since 0.1
 */
public record SampleId(String value) {
  /**
   * Validates the id.
   *
   * @throws IllegalArgumentException if it is empty, longer than 200 characters, holds a character other than
   *     letters, digits, {@code _}, {@code -} and {@code /}, or has an empty path segment
   */
  public SampleId {
    requireNonNull(value, "id");
    checkArgument(!value.isEmpty() && value.length() <= 200, "sample id must be 1..200 characters: '%s'", value);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '-'
              || c == '/';
      checkArgument(ok, "sample id '%s' has character '%s' at %s (allowed: A-Z a-z 0-9 _ - /)", value, c, i);
    }
    checkArgument(
        !value.startsWith("/") && !value.endsWith("/") && !value.contains("//"),
        "sample id '%s' has an empty path segment",
        value);
  }

  /**
   * Checks that a text is a valid sample id.
   *
   * @param id the text
   * @return the same text
   * @throws IllegalArgumentException as {@link #SampleId(String)} does
   */
  public static String check(String id) {
    return new SampleId(id).value();
  }

  @Override
  public String toString() {
    return value;
  }
}
