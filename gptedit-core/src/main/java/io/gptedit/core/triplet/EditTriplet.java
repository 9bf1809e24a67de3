package io.gptedit.core.triplet;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.gptedit.core.image.RgbImage;
import io.gptedit.core.metadata.SampleMetadata;

/**
 * One training or evaluation sample: an input image, an instruction and the edited image, with its metadata.
 *
 * @param id the sample key; letters, digits, {@code _}, {@code -} and {@code /} only (WebDataset keys have no dots)
 * @param input the image before the edit
 * @param instruction the edit instruction
 * @param edited the image after the edit
 * @param metadata the per-sample record; its id must equal {@code id}
 */
public record EditTriplet(
    String id, RgbImage input, EditInstruction instruction, RgbImage edited, SampleMetadata metadata) {

  /**
   * Validates the triplet.
   *
   * @throws IllegalArgumentException if the id is malformed or disagrees with the metadata's
   */
  public EditTriplet {
    checkId(id);
    requireNonNull(input, "input");
    requireNonNull(instruction, "instruction");
    requireNonNull(edited, "edited");
    requireNonNull(metadata, "metadata");
    checkArgument(
        metadata.id().equals(id), "triplet id '%s' differs from metadata id '%s'", id, metadata.id());
  }

  /**
   * Checks that a sample id is usable as a file name stem and a WebDataset key.
   *
   * @param id the id
   * @return the id
   * @throws IllegalArgumentException if it is empty, longer than 200 characters, or holds a character other than
   *     letters, digits, {@code _}, {@code -} and {@code /}
   */
  public static String checkId(String id) {
    requireNonNull(id, "id");
    checkArgument(!id.isEmpty() && id.length() <= 200, "sample id must be 1..200 characters: '%s'", id);
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '-'
              || c == '/';
      checkArgument(ok, "sample id '%s' has character '%s' at %s (allowed: A-Z a-z 0-9 _ - /)", id, c, i);
    }
    checkArgument(
        !id.startsWith("/") && !id.endsWith("/") && !id.contains("//"),
        "sample id '%s' has an empty path segment",
        id);
    return id;
  }
}
