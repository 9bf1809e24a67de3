/**
 * Latent codecs: the map between images and the space a denoiser works in ({@link
 * io.gptedit.models.codec.LatentCodec}); {@link io.gptedit.models.vae.AutoencoderKL} for real models and {@link
 * io.gptedit.models.codec.PixelCodec} for tiny ones.
 */
package io.gptedit.models.codec;
