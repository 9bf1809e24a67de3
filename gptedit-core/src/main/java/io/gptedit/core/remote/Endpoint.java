package io.gptedit.core.remote;

/**
 * The three OpenAI-compatible endpoints the SDK calls, with their paths relative to the base URL.
 *
 * @since 0.1
 */
public enum Endpoint {
  /** {@code POST /images/edits}: multipart upload of an input image and a prompt. */
  IMAGE_EDITS("/images/edits"),
  /** {@code POST /images/generations}: JSON text-to-image request. */
  IMAGE_GENERATIONS("/images/generations"),
  /** {@code POST /chat/completions}: JSON chat request with text and inline images. */
  CHAT_COMPLETIONS("/chat/completions");

  private final String path;

  Endpoint(String path) {
    this.path = path;
  }

  /**
   * Returns the path relative to the base URL.
   *
   * @return for example {@code /images/edits}
   */
  public String path() {
    return path;
  }

  /**
   * Returns whether the endpoint returns images (and is priced by the image model).
   *
   * @return {@code true} for the two image endpoints
   */
  public boolean producesImages() {
    return this != CHAT_COMPLETIONS;
  }
}
