package io.gptedit.testkit.synthetic;

import static java.util.Objects.requireNonNull;

import io.gptedit.core.remote.ChatService;
import io.gptedit.core.remote.ImageEditService;
import io.gptedit.core.remote.ImageGenerationService;
import io.gptedit.data.synthetic.SyntheticWorld;

/**
 * In-process stand-ins for the image-edit, image-generation and chat services over a {@link SyntheticWorld}: they
 * apply the world's edit programs exactly, so the whole curation pipeline runs offline with exact ground truth.
 *
 * <p>The services recognise an input by the exact pixels of its content (white padding trimmed), through
 * {@link SyntheticWorld#lookup}; an image the world never rendered or registered is a
 * {@link io.gptedit.core.remote.RemoteException.Kind#BAD_REQUEST}. Every answer is a deterministic function of
 * the request (and, for the defect share, of {@link StandInOptions#defectRate()}).
 *
 * <pre>{@code
 * SyntheticWorld world = SyntheticWorld.builder(7).build();
 * ImageEditService edit = SyntheticServices.editService(world, StandInOptions.exact());
 * }</pre>
 *
 * @since 0.1
 */
public final class SyntheticServices {
  private SyntheticServices() {}

  /**
   * Returns an image-edit service that renders exact edits of the world's scenes.
   *
   * @param world the world whose scenes it edits
   * @param options defect rate, latency and model name
   * @return the service
   */
  public static ImageEditService editService(SyntheticWorld world, StandInOptions options) {
    return new SyntheticEditService(requireNonNull(world, "world"), requireNonNull(options, "options"));
  }

  /**
   * Returns a text-to-image service that renders scene descriptions
   * ({@link io.gptedit.data.synthetic.Scene#describe()}) and registers the renderings with the world.
   *
   * @param world the world to register renderings with
   * @param options latency and model name (the defect rate is not used)
   * @return the service
   */
  public static ImageGenerationService generationService(SyntheticWorld world, StandInOptions options) {
    return new SyntheticGenerationService(requireNonNull(world, "world"), requireNonNull(options, "options"));
  }

  /**
   * Returns a chat service that rewrites, proposes and composes instructions deterministically.
   *
   * @param world the world whose scenes proposals are drawn for
   * @param options latency and model name
   * @return the service
   */
  public static ChatService chatService(SyntheticWorld world, StandInOptions options) {
    return new SyntheticChatService(requireNonNull(world, "world"), requireNonNull(options, "options"));
  }

  /** SplitMix64's finaliser: spreads a 64-bit value over all bits (seeds and defect draws). */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
