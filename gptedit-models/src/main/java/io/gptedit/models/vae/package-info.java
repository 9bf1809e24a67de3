/** The latent autoencoder (diffusers {@code AutoencoderKL}) shared by Flux and SD3, with their latent factors. */
package io.gptedit.models.vae;
