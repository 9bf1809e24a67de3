package io.gptedit.core.remote;

/**
 * Renders an edit of an input image (GPT-Image-1's images/edits, or an in-process stand-in).
 *
 * @since 0.1
 */
public interface ImageEditService {
  /**
   * Edits an image.
   *
   * @param request the input, prompt and output size
   * @return the generated image at the requested size
   * @throws RemoteException if the call failed; {@link RemoteException#retryable()} says whether to retry
   */
  GeneratedImage edit(ImageEditRequest request);
}
