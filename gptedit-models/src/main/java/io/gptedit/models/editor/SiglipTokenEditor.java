package io.gptedit.models.editor;

import static io.gptedit.models.nn.Layers.linear;
import static io.gptedit.models.nn.Layers.silu;
import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gptedit.core.editor.EditException;
import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.editor.ImageEditor;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.conditioning.Conditioner;
import io.gptedit.models.conditioning.ImageFeatures;
import io.gptedit.models.conditioning.ImageTensors;
import io.gptedit.models.conditioning.TextConditioning;
import io.gptedit.models.flow.EulerSampler;
import io.gptedit.models.flow.FlowSchedules;
import io.gptedit.models.flow.SeededNoise;
import io.gptedit.models.flux.FluxInput;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.flux.LatentPacking;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.nn.ParameterSpec;
import io.gptedit.models.vae.AutoencoderKL;

/**
 * Token-wise editing through the text stream (UniWorld-style Flux + SigLIP): vision features of the input image
 * are projected into the text-token space by an MLP ({@code siglip_projector.0}, SiLU,
 * {@code siglip_projector.2}; 1152 to 12288 to 4096 in UniWorld) and put in front of the text tokens, so only
 * noise tokens flow through the image stream. The image reaches the denoiser through those tokens alone.
 *
 * <p>Sampling: BFL schedule, Euler, seeded noise, Flux guidance embedding. Calls are serialised. The editor owns
 * the projector parameters (closed by {@link #close()}) but not the other components.
 */
public final class SiglipTokenEditor implements ImageEditor {
  private final FluxTransformer transformer;
  private final AutoencoderKL vae;
  private final Conditioner conditioner;
  private final ImageFeatures siglip;
  private final ModelWeights projector;
  private final Resolution resolution;
  private final EulerSampler.StepListener listener;

  /**
   * Creates the editor.
   *
   * @param transformer the Flux denoiser
   * @param vae the VAE (decoding only)
   * @param conditioner the text conditioner
   * @param siglip the vision features of the input image
   * @param projector parameters declared by {@link #projectorSpec}
   * @param resolution the working-resolution policy
   * @param listener progress callback, called after every sampling step
   */
  public SiglipTokenEditor(
      FluxTransformer transformer,
      AutoencoderKL vae,
      Conditioner conditioner,
      ImageFeatures siglip,
      ModelWeights projector,
      Resolution resolution,
      EulerSampler.StepListener listener) {
    this.transformer = requireNonNull(transformer, "transformer");
    this.vae = requireNonNull(vae, "vae");
    this.conditioner = requireNonNull(conditioner, "conditioner");
    this.siglip = requireNonNull(siglip, "siglip");
    this.projector = requireNonNull(projector, "projector");
    this.resolution = requireNonNull(resolution, "resolution");
    this.listener = requireNonNull(listener, "listener");
  }

  /**
   * Declares the projector MLP.
   *
   * @param visionDim the vision feature size (1152 for SigLIP so400m)
   * @param hiddenDim the MLP hidden size (12288 in UniWorld)
   * @param textDim the denoiser's text-token size (4096)
   * @return the spec
   */
  public static ParameterSpec projectorSpec(int visionDim, int hiddenDim, int textDim) {
    return new ParameterSpec()
        .linear("siglip_projector.0", visionDim, hiddenDim, true)
        .linear("siglip_projector.2", hiddenDim, textDim, true);
  }

  @Override
  public String name() {
    return "flux-siglip";
  }

  @Override
  public synchronized RgbImage edit(RgbImage input, String instruction, EditOptions options) {
    int steps = options.steps().orElse(KontextEditor.DEFAULT_STEPS);
    float guidance = (float) options.guidance().orElse(KontextEditor.DEFAULT_GUIDANCE);
    int f = vae.config().spatialFactor();
    Size size = resolution.choose(input.width(), input.height(), f * 2);
    int h = size.height() / f;
    int w = size.width() / f;
    try (NDManager m = NDManager.newBaseManager()) {
      TextConditioning text = conditioner.encode(input, instruction, m);
      NDArray vision = linear(silu(linear(siglip.features(input, m), projector, "siglip_projector.0")),
          projector, "siglip_projector.2");
      NDArray tokens = vision.concat(text.tokens(), 1);
      int[][] textIds = FluxInput.zeroTextIds((int) tokens.getShape().get(1));
      int[][] imageIds = LatentPacking.imageIds(0, h / 2, w / 2);
      Shape latent = new Shape(1, vae.config().latentChannels(), h, w);
      NDArray noise = LatentPacking.pack(SeededNoise.gaussian(m, options.seed(), latent));
      NDArray x =
          EulerSampler.sample(
              noise,
              FlowSchedules.bfl(steps, imageIds.length),
              (xt, t, scope) ->
                  transformer.forward(
                      new FluxInput(xt, tokens, text.pooled(), new float[] {t}, new float[] {guidance}, imageIds,
                          textIds),
                      scope),
              listener);
      return ImageTensors.toImage(vae.decode(LatentPacking.unpack(x, h, w), m));
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new EditException("SigLIP-token edit failed: " + e.getMessage(), false, e);
    }
  }

  @Override
  public void close() {
    projector.close();
  }
}
