package io.gptedit.core.remote;

/**
 * Renders an image from text (GPT-Image-1's images/generations, or an in-process stand-in).
 *
 * @since 0.1
 */
public interface ImageGenerationService {
  /**
   * Generates an image.
   *
   * @param request the prompt and output size
   * @return the generated image at the requested size
   * @throws RemoteException if the call failed
   */
  GeneratedImage generate(ImageGenerationRequest request);
}
