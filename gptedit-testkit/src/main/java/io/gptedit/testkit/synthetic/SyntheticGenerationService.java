package io.gptedit.testkit.synthetic;

import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.remote.GeneratedImage;
import io.gptedit.core.remote.ImageGenerationRequest;
import io.gptedit.core.remote.ImageGenerationService;
import io.gptedit.core.remote.RemoteException;
import io.gptedit.data.synthetic.Scene;
import io.gptedit.data.synthetic.SceneText;
import io.gptedit.data.synthetic.SyntheticWorld;

/**
 * The text-to-image stand-in: parses a scene description ({@link Scene#describe()}), renders it at the requested
 * size with that size as the scene's native size, and remembers the rendering so it can be edited next.
 */
final class SyntheticGenerationService implements ImageGenerationService {
  private final SyntheticWorld world;
  private final StandInOptions options;

  SyntheticGenerationService(SyntheticWorld world, StandInOptions options) {
    this.world = world;
    this.options = options;
  }

  @Override
  public GeneratedImage generate(ImageGenerationRequest request) {
    options.pause();
    Size size = request.size();
    Scene scene;
    try {
      scene = SceneText.parseScene(request.prompt(), size.width(), size.height());
    } catch (IllegalArgumentException e) {
      throw new RemoteException(RemoteException.Kind.BAD_REQUEST, 400, "stand-in generation: " + e.getMessage(), e);
    }
    RgbImage image = scene.render();
    world.register(scene, image);
    return new GeneratedImage(image, SyntheticEditService.usage(request.prompt(), null, size), options.model());
  }
}
