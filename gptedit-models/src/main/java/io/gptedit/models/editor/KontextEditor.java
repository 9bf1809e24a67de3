package io.gptedit.models.editor;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.gptedit.core.editor.EditException;
import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.editor.ImageEditor;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.conditioning.Conditioner;
import io.gptedit.models.conditioning.TextConditioning;
import io.gptedit.models.flow.EulerSampler;
import io.gptedit.models.flux.FluxInput;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.vae.AutoencoderKL;

/**
 * Token-wise editing as FLUX.1 Kontext does it: the input image's normalised VAE latents are packed into extra
 * image tokens (position-id axis 0 = 1) after the noisy tokens, the transformer's output is cut back to the noisy
 * tokens, and guidance goes through the guidance embedding (no classifier-free guidance pass).
 *
 * <p>Sampling uses BFL's schedule with mu from the noisy token count and the Euler sampler; noise comes from
 * {@link EditOptions#seed()}, so a seed reproduces an edit bit for bit on the same machine. Calls are serialised
 * (the editor is safe to share but runs one edit at a time). The editor does not own its components: close them
 * yourself.
 */
public final class KontextEditor implements ImageEditor {
  /** Default steps (the paper's released CLI). */
  public static final int DEFAULT_STEPS = 28;
  /** Default guidance (diffusers' Kontext pipeline and the paper's CLI; BFL's own CLI uses 2.5). */
  public static final double DEFAULT_GUIDANCE = 3.5;

  private final FluxTransformer transformer;
  private final AutoencoderKL vae;
  private final Conditioner conditioner;
  private final Resolution resolution;
  private final EulerSampler.StepListener listener;

  private KontextEditor(Builder b) {
    this.transformer = requireNonNull(b.transformer, "transformer");
    this.vae = requireNonNull(b.vae, "vae");
    this.conditioner = requireNonNull(b.conditioner, "conditioner");
    this.resolution = b.resolution;
    this.listener = b.listener;
    int packed = 4 * vae.config().latentChannels();
    if (transformer.config().inChannels() != packed) {
      throw new IllegalArgumentException(
          "transformer in_channels " + transformer.config().inChannels() + " != 4 x VAE latent channels " + packed);
    }
    if (!transformer.config().guidanceEmbeds()) {
      throw new IllegalArgumentException("Kontext needs a transformer with a guidance embedding");
    }
  }

  /**
   * Returns a builder.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "flux-kontext";
  }

  @Override
  public synchronized RgbImage edit(RgbImage input, String instruction, EditOptions options) {
    KontextSampling.Models models =
        new KontextSampling.Models() {
          @Override
          public NDArray encode(NDArray image, NDManager manager) {
            return vae.encode(image, manager);
          }

          @Override
          public TextConditioning text(RgbImage image, String text, NDManager manager) {
            return conditioner.encode(image, text, manager);
          }

          @Override
          public NDArray denoise(FluxInput in, NDManager scope) {
            return transformer.forward(in, scope);
          }

          @Override
          public NDArray decode(NDArray latents, NDManager manager) {
            return vae.decode(latents, manager);
          }
        };
    try {
      return KontextSampling.edit(
          models, input, instruction, options, resolution, vae.config().spatialFactor() * 2, listener);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new EditException("Kontext edit failed: " + e.getMessage(), false, e);
    }
  }

  /** Builds a {@link KontextEditor}; transformer, VAE and conditioner are required. */
  public static final class Builder {
    private FluxTransformer transformer;
    private AutoencoderKL vae;
    private Conditioner conditioner;
    private Resolution resolution = Resolution.KONTEXT_PREFERRED;
    private EulerSampler.StepListener listener = (s, n) -> {};

    private Builder() {}

    /**
     * Sets the denoiser (required).
     *
     * @param transformer a Flux transformer with a guidance embedding
     * @return this builder
     */
    public Builder transformer(FluxTransformer transformer) {
      this.transformer = transformer;
      return this;
    }

    /**
     * Sets the VAE (required).
     *
     * @param vae the autoencoder
     * @return this builder
     */
    public Builder vae(AutoencoderKL vae) {
      this.vae = vae;
      return this;
    }

    /**
     * Sets the text conditioner (required).
     *
     * @param conditioner for example a {@code TextFusion}
     * @return this builder
     */
    public Builder conditioner(Conditioner conditioner) {
      this.conditioner = conditioner;
      return this;
    }

    /**
     * Sets the working-resolution policy (default {@link Resolution#KONTEXT_PREFERRED}).
     *
     * @param resolution the policy
     * @return this builder
     */
    public Builder optResolution(Resolution resolution) {
      this.resolution = requireNonNull(resolution, "resolution");
      return this;
    }

    /**
     * Sets a progress listener called after every sampling step.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder optListener(EulerSampler.StepListener listener) {
      this.listener = requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Builds the editor.
     *
     * @return the editor
     * @throws IllegalArgumentException if the components do not fit together
     */
    public KontextEditor build() {
      return new KontextEditor(this);
    }
  }
}
