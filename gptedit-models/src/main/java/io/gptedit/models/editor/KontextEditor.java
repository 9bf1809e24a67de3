package io.gptedit.models.editor;

import static java.util.Objects.requireNonNull;

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
    this.editor =
        DiffusionEditor.builder()
            .setDenoiser(denoiser)
            .setCodec(requireNonNull(b.codec, "codec"))
            .setConditioner(requireNonNull(b.conditioner, "conditioner"))
            .optResolution(b.resolution)
            .optSampling(b.sampling)
            .optListener(b.listener)
            .optName(b.name)
            .optMaxWorkingPixels(b.maxWorkingPixels > 0 ? b.maxWorkingPixels : b.codec.maxWorkingPixels())
            .build();
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

  /** Builds a {@link KontextEditor}; transformer, codec and conditioner are required. */
  public static final class Builder {
    private FluxTransformer transformer;
    private LatentCodec codec;
    private Conditioner conditioner;
    private Resolution resolution = Resolution.KONTEXT_PREFERRED;
    private SamplingConfig sampling;
    private EulerSampler.StepListener listener = (s, n) -> {};
    private String name = "flux-kontext";
    private long maxWorkingPixels;

    private Builder() {}

    /**
     * Sets the largest working size, in pixels, the editor accepts (default: the codec's {@link
     * LatentCodec#maxWorkingPixels()}; see {@link DiffusionEditor.Builder#optMaxWorkingPixels}). With the default
     * {@link Resolution#KONTEXT_PREFERRED} every input is worked on at about 1 MP, which a tiny VAE cannot attend
     * over: such an edit is refused with an {@link io.gptedit.core.editor.EditException}.
     *
     * @param pixels width x height, positive
     * @return this builder
     * @since 0.1
     */
    public Builder optMaxWorkingPixels(long pixels) {
      if (pixels <= 0) {
        throw new IllegalArgumentException("maxWorkingPixels must be positive, got " + pixels);
      }
      this.maxWorkingPixels = pixels;
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
     * Sets the codec (required): the Flux VAE, or the pixel codec for tiny models.
     *
     * @param codec the codec
     * @return this builder
     */
    public Builder setCodec(LatentCodec codec) {
      this.codec = requireNonNull(codec, "codec");
      return this;
    }

    /**
     * Sets the text conditioner (required).
     *
     * @param conditioner for example a {@code TextFusion}
     * @return this builder
     */
    public Builder setConditioner(Conditioner conditioner) {
      this.conditioner = requireNonNull(conditioner, "conditioner");
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
     * Sets the sampling defaults (default: {@link SamplingConfig#kontext()} for a transformer with a guidance
     * embedding, else BFL's schedule without guidance).
     *
     * @param sampling the config
     * @return this builder
     */
    public Builder optSampling(SamplingConfig sampling) {
      this.sampling = requireNonNull(sampling, "sampling");
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
     * Sets the editor's name (default {@code flux-kontext}).
     *
     * @param name a file-name safe name
     * @return this builder
     */
    public Builder optName(String name) {
      this.name = requireNonNull(name, "name");
      return this;
    }

    /**
     * Builds the editor.
     *
     * @return the editor
     * @throws IllegalArgumentException if the components do not fit together
     */
    public KontextEditor build() {
      if (sampling == null) {
        sampling =
            transformer != null && transformer.config().guidanceEmbeds()
                ? new SamplingConfig(DEFAULT_STEPS, io.gptedit.models.flow.TimeSchedule.BFL,
                    SamplingConfig.Guidance.embedded(DEFAULT_GUIDANCE))
                : new SamplingConfig(DEFAULT_STEPS, io.gptedit.models.flow.TimeSchedule.BFL,
                    SamplingConfig.Guidance.none());
      }
      return new KontextEditor(this);
    }
  }
}
