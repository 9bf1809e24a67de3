package io.gptedit.core.remote;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableMap;
import io.gptedit.core.geometry.Size;
import java.util.Map;

/**
 * A text-to-image request (the HQ-Edit generate split makes new inputs this way).
 *
 * @param prompt the image description
 * @param size the output size
 * @param extra service-specific fields
 * @since 0.1
 */
public record ImageGenerationRequest(String prompt, Size size, Map<String, String> extra) {
  /** Validates the request. */
  public ImageGenerationRequest {
    requireNonNull(prompt, "prompt");
    checkArgument(!prompt.isBlank(), "prompt must not be blank");
    requireNonNull(size, "size");
    extra = ImmutableMap.copyOf(requireNonNull(extra, "extra"));
  }

  /**
   * Returns a request with no extra fields.
   *
   * @param prompt the description
   * @param size the output size
   * @return the request
   */
  public static ImageGenerationRequest of(String prompt, Size size) {
    return new ImageGenerationRequest(prompt, size, Map.of());
  }
}
