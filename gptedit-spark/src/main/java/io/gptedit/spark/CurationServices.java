package io.gptedit.spark;

import static java.util.Objects.requireNonNull;

import io.gptedit.core.remote.ChatService;
import io.gptedit.core.remote.ImageEditService;
import io.gptedit.core.remote.ImageGenerationService;

/**
 * The services one executor's units call, and what to close when the executor stops.
 *
 * @param edit the image-edit service
 * @param generation the text-to-image service, or null when no source uses the generate recipe
 * @param chat the chat service, or null when no policy rewrites or composes
 * @param resource closed when the executor's JVM exits (the client), or null
 * @since 0.1
 */
public record CurationServices(
    ImageEditService edit, ImageGenerationService generation, ChatService chat, AutoCloseable resource)
    implements AutoCloseable {
  /** Validates. */
  public CurationServices {
    requireNonNull(edit, "edit");
  }

  /** Closes the resource, if any; a failure to close is reported as unchecked. */
  @Override
  public void close() {
    if (resource != null) {
      try {
        resource.close();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException("cannot close " + resource + ": " + e.getMessage(), e);
      }
    }
  }
}
