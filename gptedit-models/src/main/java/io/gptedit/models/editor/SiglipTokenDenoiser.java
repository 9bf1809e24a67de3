package io.gptedit.models.editor;

import static io.gptedit.models.nn.Layers.linear;
import static io.gptedit.models.nn.Layers.silu;
import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.codec.LatentCodec;
import io.gptedit.models.conditioning.ImageFeatures;
import io.gptedit.models.conditioning.TextConditioning;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.flux.LatentPacking;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.nn.ParameterSpec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token-wise conditioning through the text stream (UniWorld-style Flux + SigLIP): a frozen vision encoder's
 * features of the input image are projected into the text-token space by an MLP ({@code siglip_projector.0}, SiLU,
 * {@code siglip_projector.2}; 1152 to 12288 to 4096 in UniWorld) and put in front of the text tokens, so only
 * noise tokens flow through the image stream and the image reaches the denoiser through those tokens alone. The
 * denoiser owns the transformer and the projector; the vision encoder is not owned.
 *
 * @since 0.1
 */
public final class SiglipTokenDenoiser extends FluxDenoising {
  private final ModelWeights projector;
  private final ImageFeatures vision;
  private final Map<String, NDArray> parameters;
  /** False for a {@link #withParameters} view, which closes nothing. */
  private final boolean owner;

  /**
   * Creates the denoiser.
   *
   * @param flux the Flux transformer ({@code in = out} channels)
   * @param projector parameters declared by {@link #projectorSpec}
   * @param vision the frozen vision encoder of the input image
   */
  public SiglipTokenDenoiser(FluxTransformer flux, ModelWeights projector, ImageFeatures vision) {
    this(flux, projector, vision, true);
  }

  private SiglipTokenDenoiser(FluxTransformer flux, ModelWeights projector, ImageFeatures vision, boolean owner) {
    super(requireNonNull(flux, "flux"));
    this.projector = requireNonNull(projector, "projector");
    this.vision = requireNonNull(vision, "vision");
    if (flux.config().inChannels() != flux.config().outChannels() || flux.config().inChannels() % 4 != 0) {
      throw new IllegalArgumentException(
          "SigLIP-token Flux needs in = out = 4 x latent channels, got " + flux.config().inChannels() + " -> "
              + flux.config().outChannels());
    }
    Map<String, NDArray> all = new LinkedHashMap<>(flux.parameters().asMap());
    projector.asMap().forEach((n, a) -> {
      if (all.putIfAbsent(n, a) != null) {
        throw new IllegalArgumentException("the projector and the transformer both have a parameter '" + n + "'");
      }
    });
    this.parameters = Collections.unmodifiableMap(all);
    this.owner = owner;
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

  /**
   * Returns the projector's parameters.
   *
   * @return the projector
   */
  public ModelWeights projector() {
    return projector;
  }

  /**
   * Returns the frozen vision encoder.
   *
   * @return the encoder
   */
  public ImageFeatures vision() {
    return vision;
  }

  @Override
  public Paradigm paradigm() {
    return Paradigm.SIGLIP_TOKEN;
  }

  @Override
  public Map<String, NDArray> parameters() {
    return parameters;
  }

  @Override
  public SiglipTokenDenoiser withParameters(Map<String, NDArray> replacements) {
    return new SiglipTokenDenoiser(
        flux.withParameters(flux.parameters().ownOf(replacements)),
        projector.withValues(projector.ownOf(replacements)), vision, false);
  }

  @Override
  public NDArray encodeCondition(RgbImage image, NDArray pixels, LatentCodec codec, NDManager manager) {
    return vision.features(image, manager);
  }

  @Override
  public NDArray velocity(
      NDArray noisy, NDArray condition, TextConditioning text, float[] t, float[] guidance, NDManager manager) {
    int h = Math.toIntExact(noisy.getShape().get(2));
    int w = Math.toIntExact(noisy.getShape().get(3));
    NDArray visionTokens =
        linear(silu(linear(condition, projector, "siglip_projector.0")), projector, "siglip_projector.2");
    NDArray tokens = visionTokens.concat(text.tokens(), 1);
    int[][] ids = FluxDenoising.imageIds(h / 2, w / 2, -1, 0, 0);
    NDArray out = FluxDenoising.forward(flux, LatentPacking.pack(noisy), tokens, text, t, guidance, ids, manager);
    return LatentPacking.unpack(out, h, w);
  }

  @Override
  public void close() {
    if (!owner) {
      return;
    }
    try {
      projector.close();
    } finally {
      flux.close();
    }
  }
}
