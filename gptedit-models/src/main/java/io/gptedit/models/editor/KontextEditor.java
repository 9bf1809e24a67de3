package io.gptedit.models.editor;

import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.editor.ImageEditor;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.codec.LatentCodec;
import io.gptedit.models.conditioning.Conditioner;
import io.gptedit.models.flow.EulerSampler;
import io.gptedit.models.flux.FluxTransformer;

/**
 * Token-wise editing as FLUX.1 Kontext does it ({@link KontextDenoiser}): the input image's normalised latents
 * are packed into extra image tokens (position-id axis 0 = 1) after the noisy tokens, the transformer's output is
 * cut back to the noisy tokens, and guidance goes through the guidance embedding (no classifier-free guidance
 * pass). Sampling: BFL's schedule with mu from the noisy token count, {@value #DEFAULT_STEPS} Euler steps, guidance
 * {@value #DEFAULT_GUIDANCE} by default; noise comes from {@link EditOptions#seed()}, so a seed reproduces an edit
 * bit for bit on the same machine.
 *
 * <pre>{@code
 * try (FluxTransformer flux = FluxTransformer.load(FluxConfig.flux1KontextDev(), shards, "");
 *     AutoencoderKL vae = AutoencoderKL.load(VaeConfig.flux(), vaeShards, "")) {
 *   KontextEditor editor = KontextEditor.builder()
 *       .setTransformer(flux).setCodec(vae).setConditioner(textFusion).build();
 *   RgbImage edited = editor.edit(input, "make the sky purple", EditOptions.builder().optSeed(42).build());
 * }
 * }</pre>
 *
 * <p>Calls are serialised. The editor does not own its components: close them yourself.
 *
 * @since 0.1
 */
public final class KontextEditor implements ImageEditor {
  /** Default steps (the paper's released CLI). */
  public static final int DEFAULT_STEPS = 28;
  /** Default guidance (diffusers' Kontext pipeline and the paper's CLI; BFL's own CLI uses 2.5). */
  public static final double DEFAULT_GUIDANCE = 3.5;

  private final KontextDenoiser denoiser;
  private final DiffusionEditor editor;

  private KontextEditor(Builder b) {
    this.denoiser = new KontextDenoiser(requireNonNull(b.transformer, "transformer"));
    this.editor = b.inner.setDenoiser(denoiser).build();
  }

  /**
   * Returns a builder.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the Kontext denoiser (the forward that fine-tuning trains).
   *
   * @return the denoiser (it shares the editor's transformer)
   */
  public KontextDenoiser denoiser() {
    return denoiser;
  }

  @Override
  public String name() {
    return editor.name();
  }

  /**
   * {@inheritDoc}
   *
   * @throws io.gptedit.core.editor.EditException if the working size is above the editor's pixel limit or the
   *     model fails
   */
  @Override
  public RgbImage edit(RgbImage input, String instruction, EditOptions options) {
    return editor.edit(input, instruction, options);
  }

  /**
   * Builds a {@link KontextEditor}; transformer, codec and conditioner are required. Every setting but the
   * transformer is {@link DiffusionEditor.Builder}'s, with Kontext's defaults: {@link Resolution#KONTEXT_PREFERRED},
   * the name {@code flux-kontext}, and {@link SamplingConfig#kontext()} for a transformer with a guidance embedding
   * (else BFL's schedule without guidance).
   */
  public static final class Builder {
    private final DiffusionEditor.Builder inner =
        DiffusionEditor.builder().optResolution(Resolution.KONTEXT_PREFERRED).optName("flux-kontext");
    private FluxTransformer transformer;

    private Builder() {}

    /**
     * Sets the largest working size in pixels ({@link DiffusionEditor.Builder#optMaxWorkingPixels}). With the default
     * {@link Resolution#KONTEXT_PREFERRED} every input is worked on at about 1 MP, which a tiny VAE cannot attend
     * over: such an edit is refused with an {@link io.gptedit.core.editor.EditException}.
     *
     * @param pixels width x height, positive
     * @return this builder
     * @since 0.1
     */
    public Builder optMaxWorkingPixels(long pixels) {
      inner.optMaxWorkingPixels(pixels);
      return this;
    }

    /**
     * Sets the device every edit runs on ({@link DiffusionEditor.Builder#optDevice}); the transformer's weights must
     * be there.
     *
     * @param device the device
     * @return this builder
     * @throws io.gptedit.models.nn.DeviceException if the engine does not have the device
     * @since 0.1
     */
    public Builder optDevice(Device device) {
      inner.optDevice(device);
      return this;
    }

    /**
     * Sets the denoiser's backbone (required).
     *
     * @param transformer a Flux transformer with {@code in = out = 4 x latent channels}
     * @return this builder
     */
    public Builder setTransformer(FluxTransformer transformer) {
      this.transformer = requireNonNull(transformer, "transformer");
      return this;
    }

    /**
     * Sets the codec (required; {@link DiffusionEditor.Builder#setCodec}): the Flux VAE, or the pixel codec.
     *
     * @param codec the codec
     * @return this builder
     */
    public Builder setCodec(LatentCodec codec) {
      inner.setCodec(codec);
      return this;
    }

    /**
     * Sets the text conditioner (required; {@link DiffusionEditor.Builder#setConditioner}).
     *
     * @param conditioner for example a {@code TextFusion}
     * @return this builder
     */
    public Builder setConditioner(Conditioner conditioner) {
      inner.setConditioner(conditioner);
      return this;
    }

    /**
     * Sets the working-resolution policy ({@link DiffusionEditor.Builder#optResolution}).
     *
     * @param resolution the policy
     * @return this builder
     */
    public Builder optResolution(Resolution resolution) {
      inner.optResolution(resolution);
      return this;
    }

    /**
     * Sets the sampling defaults ({@link DiffusionEditor.Builder#optSampling}).
     *
     * @param sampling the config
     * @return this builder
     */
    public Builder optSampling(SamplingConfig sampling) {
      inner.optSampling(sampling);
      return this;
    }

    /**
     * Sets a listener called after every sampling step ({@link DiffusionEditor.Builder#optListener}).
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder optListener(EulerSampler.StepListener listener) {
      inner.optListener(listener);
      return this;
    }

    /**
     * Sets the editor's name ({@link DiffusionEditor.Builder#optName}).
     *
     * @param name a file-name safe name
     * @return this builder
     */
    public Builder optName(String name) {
      inner.optName(name);
      return this;
    }

    /**
     * Builds the editor.
     *
     * @return the editor
     * @throws IllegalArgumentException if the components do not fit together
     * @throws NullPointerException if the transformer, codec or conditioner is missing
     */
    public KontextEditor build() {
      return new KontextEditor(this);
    }
  }
}
