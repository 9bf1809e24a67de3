package io.gptedit.models.codec;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The identity codec: the denoiser works on the RGB pixels themselves ({@code (B, 3, H, W)} in [-1, 1], spatial
 * factor 1). At the tiny sizes of tests and the edit lab (16x16 images) a VAE would leave a 2x2 latent grid, so the
 * editors run on pixels packed 2x2 into 12-channel tokens instead, with the same transformer classes, losses and
 * sampler as at full scale.
 *
 * @since 0.1
 */
public final class PixelCodec implements LatentCodec {
  private static final PixelCodec INSTANCE = new PixelCodec();

  private PixelCodec() {}

  /**
   * Returns the codec.
   *
   * @return the shared instance (it has no state)
   */
  public static PixelCodec create() {
    return INSTANCE;
  }

  @Override
  public int latentChannels() {
    return 3;
  }

  @Override
  public int spatialFactor() {
    return 1;
  }

  @Override
  public NDArray encode(NDArray images, NDManager out) {
    checkArgument(
        images.getShape().dimension() == 4 && images.getShape().get(1) == 3,
        "pixel codec expects (B, 3, H, W) images, got %s",
        images.getShape());
    NDArray copy = images.duplicate();
    copy.attach(out);
    return copy;
  }

  @Override
  public NDArray encodeRaw(NDArray images, NDManager out) {
    return encode(images, out);
  }

  @Override
  public NDArray decode(NDArray latents, NDManager out) {
    checkArgument(
        latents.getShape().dimension() == 4 && latents.getShape().get(1) == 3,
        "pixel codec decodes (B, 3, H, W) latents, got %s",
        latents.getShape());
    NDArray copy = latents.duplicate();
    copy.attach(out);
    return copy;
  }

  @Override
  public String describe() {
    return "pixel";
  }

  @Override
  public String toString() {
    return "PixelCodec";
  }
}
