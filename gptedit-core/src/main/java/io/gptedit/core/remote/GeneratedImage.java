package io.gptedit.core.remote;

import static java.util.Objects.requireNonNull;

import io.gptedit.core.image.RgbImage;

/**
 * An image a service produced, with what it cost.
 *
 * @param image the decoded image
 * @param usage tokens and images consumed
 * @param model the model that produced it, as the service named it
 * @since 0.1
 */
public record GeneratedImage(RgbImage image, Usage usage, String model) {
  /** Validates the result. */
  public GeneratedImage {
    requireNonNull(image, "image");
    requireNonNull(usage, "usage");
    requireNonNull(model, "model");
  }
}
