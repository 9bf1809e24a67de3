package io.gptedit.models.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Maps images to the space a denoiser works in and back: a VAE's normalised latents at full scale
 * ({@link io.gptedit.models.vae.AutoencoderKL}), or the pixels themselves at tiny scale ({@link PixelCodec}). The
 * editors and the edit-training path take any codec, so the same editor classes run at every scale.
 *
 * <p>Images are {@code (B, 3, H, W)} in [-1, 1]; latents are {@code (B, latentChannels, H / f, W / f)} with
 * {@code f = spatialFactor()}. Codecs are frozen: nothing they compute needs a gradient.
 *
 * @since 0.1
 */
public interface LatentCodec {
  /**
   * Returns the number of latent channels.
   *
   * @return channels per latent pixel (16 for the Flux and SD3 VAEs, 3 for pixels)
   */
  int latentChannels();

  /**
   * Returns how many image pixels one latent pixel covers along each side.
   *
   * @return the spatial factor (8 for the Flux and SD3 VAEs, 1 for pixels)
   */
  int spatialFactor();

  /**
   * Encodes images to the normalised latents a denoiser is trained on.
   *
   * @param images (B, 3, H, W) in [-1, 1]; H and W divisible by the spatial factor
   * @param out the manager of the result
   * @return (B, C, H / f, W / f)
   */
  NDArray encode(NDArray images, NDManager out);

  /**
   * Encodes images to the codec's raw latents, before any shift and scale (what UltraEdit's channel-wise model
   * was trained to read as its source latents); equal to {@link #encode} for codecs that do not normalise.
   *
   * @param images (B, 3, H, W) in [-1, 1]
   * @param out the manager of the result
   * @return (B, C, H / f, W / f)
   */
  NDArray encodeRaw(NDArray images, NDManager out);

  /**
   * Decodes normalised latents to images.
   *
   * @param latents (B, C, h, w)
   * @param out the manager of the result
   * @return (B, 3, h f, w f), about [-1, 1]
   */
  NDArray decode(NDArray latents, NDManager out);

  /**
   * Returns the largest image, in pixels (width x height), this codec encodes and decodes within bounded memory;
   * editors refuse working sizes above it ({@link io.gptedit.models.editor.DiffusionEditor.Builder#optMaxWorkingPixels}
   * overrides it).
   *
   * @return the pixel limit ({@link Long#MAX_VALUE}, the default, for a codec whose memory grows linearly)
   * @since 0.1
   */
  default long maxWorkingPixels() {
    return Long.MAX_VALUE;
  }

  /**
   * Returns a short description that identifies the codec and its weights, for caches and checkpoints.
   *
   * @return for example {@code pixel} or {@code vae(latent=16, factor=8, scaling=0.3611, shift=0.1159)}
   */
  String describe();
}
