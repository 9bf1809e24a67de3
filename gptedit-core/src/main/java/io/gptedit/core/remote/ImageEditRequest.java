package io.gptedit.core.remote;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableMap;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.RgbImage;
import java.util.Map;

/**
 * An image edit request: an (already padded) input, a prompt and the output size to render.
 *
 * @param image the input image, uploaded as PNG
 * @param prompt the edit instruction
 * @param size the output size, e.g. 1024x1024, 1536x1024 or 1024x1536 for GPT-Image-1
 * @param extra service-specific form fields (for example {@code quality=high}); never the API key
 * @since 0.1
 */
public record ImageEditRequest(RgbImage image, String prompt, Size size, Map<String, String> extra) {
  /** Validates the request. */
  public ImageEditRequest {
    requireNonNull(image, "image");
    requireNonNull(prompt, "prompt");
    checkArgument(!prompt.isBlank(), "prompt must not be blank");
    requireNonNull(size, "size");
    extra = ImmutableMap.copyOf(requireNonNull(extra, "extra"));
  }

  /**
   * Returns a request with no extra fields.
   *
   * @param image the input
   * @param prompt the instruction
   * @param size the output size
   * @return the request
   */
  public static ImageEditRequest of(RgbImage image, String prompt, Size size) {
    return new ImageEditRequest(image, prompt, size, Map.of());
  }
}
