package io.gptedit.models.editor;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.codec.LatentCodec;
import io.gptedit.models.conditioning.TextConditioning;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.flux.LatentPacking;
import io.gptedit.models.sd3.Sd3Transformer;
import java.util.Map;

/**
 * Channel-wise conditioning (SD3 InstructPix2Pix, as UltraEdit): the input image's latents are concatenated to the
 * noisy latents on the channel axis, so the patch embedding reads {@code 2C} channels and every token sees its own
 * input pixels. Two backbones: SD3's MMDiT ({@link #sd3}, the paper's variant) and Flux ({@link #flux}, the same
 * paradigm on the Kontext family's backbone, with {@code x_embedder} reading {@code 4 x 2C} packed features).
 *
 * <p>Source latents are the codec's raw latents (the VAE mean without shift and scale) when {@code
 * normaliseSource} is false: the quirk UltraEdit's weights were trained with. The denoiser owns its backbone.
 *
 * @since 0.1
 */
public final class ChannelWiseDenoiser implements EditDenoiser {
  private final Sd3Transformer sd3;
  private final FluxTransformer flux;
  private final boolean normaliseSource;
  /** False for a {@link #withParameters} view, which closes nothing. */
  private final boolean owner;

  private ChannelWiseDenoiser(Sd3Transformer sd3, FluxTransformer flux, boolean normaliseSource, boolean owner) {
    this.sd3 = sd3;
    this.flux = flux;
    this.normaliseSource = normaliseSource;
    this.owner = owner;
  }

  /**
   * Channel-wise conditioning on SD3's MMDiT.
   *
   * @param transformer an SD3 transformer with {@code in = 2 x out} channels
   * @param normaliseSource whether source latents get the codec's shift and scale (false for UltraEdit)
   * @return the denoiser
   */
  public static ChannelWiseDenoiser sd3(Sd3Transformer transformer, boolean normaliseSource) {
    requireNonNull(transformer, "transformer");
    checkArgument(
        transformer.config().inChannels() == 2 * transformer.config().outChannels(),
        "InstructPix2Pix needs in = 2 x out channels, got %s -> %s",
        transformer.config().inChannels(),
        transformer.config().outChannels());
    return new ChannelWiseDenoiser(transformer, null, normaliseSource, true);
  }

  /**
   * Channel-wise conditioning on a Flux backbone: the packed noisy and source latents side by side in each token.
   *
   * @param transformer a Flux transformer with {@code in = 2 x out} channels (out = 4 x latent channels)
   * @return the denoiser (source latents normalised like the noisy ones)
   */
  public static ChannelWiseDenoiser flux(FluxTransformer transformer) {
    requireNonNull(transformer, "transformer");
    checkArgument(
        transformer.config().inChannels() == 2 * transformer.config().outChannels()
            && transformer.config().outChannels() % 4 == 0,
        "channel-wise Flux needs in = 2 x out channels with out = 4 x latent channels, got %s -> %s",
        transformer.config().inChannels(),
        transformer.config().outChannels());
    return new ChannelWiseDenoiser(null, transformer, true, true);
  }

  /**
   * Returns the Flux backbone, if this denoiser runs on one.
   *
   * @return the transformer, or null for SD3
   */
  public FluxTransformer fluxTransformer() {
    return flux;
  }

  /**
   * Returns the SD3 backbone, if this denoiser runs on one.
   *
   * @return the transformer, or null for Flux
   */
  public Sd3Transformer sd3Transformer() {
    return sd3;
  }

  /**
   * Returns whether source latents are normalised like the noisy ones.
   *
   * @return false for UltraEdit's raw-mean quirk
   */
  public boolean normalisesSource() {
    return normaliseSource;
  }

  @Override
  public Paradigm paradigm() {
    return Paradigm.CHANNEL_WISE;
  }

  @Override
  public int latentChannels() {
    return sd3 != null ? sd3.config().outChannels() : flux.config().outChannels() / 4;
  }

  @Override
  public int patchSize() {
    return sd3 != null ? sd3.config().patchSize() : 2;
  }

  @Override
  public boolean guidanceEmbedded() {
    return flux != null && flux.config().guidanceEmbeds();
  }

  @Override
  public Map<String, NDArray> parameters() {
    return sd3 != null ? sd3.parameters().asMap() : flux.parameters().asMap();
  }

  @Override
  public ChannelWiseDenoiser withParameters(Map<String, NDArray> replacements) {
    return sd3 != null
        ? new ChannelWiseDenoiser(
            sd3.withParameters(sd3.parameters().ownOf(replacements)), null, normaliseSource, false)
        : new ChannelWiseDenoiser(
            null, flux.withParameters(flux.parameters().ownOf(replacements)), normaliseSource, false);
  }

  @Override
  public NDArray encodeCondition(RgbImage image, NDArray pixels, LatentCodec codec, NDManager manager) {
    return normaliseSource ? codec.encode(pixels, manager) : codec.encodeRaw(pixels, manager);
  }

  @Override
  public NDArray velocity(
      NDArray noisy, NDArray condition, TextConditioning text, float[] t, float[] guidance, NDManager manager) {
    Shape ns = noisy.getShape();
    checkArgument(condition.getShape().equals(ns), "source latents %s must match noisy %s", condition.getShape(), ns);
    NDArray joint = noisy.concat(condition, 1);
    if (sd3 != null) {
      return sd3.forward(joint, text.tokens(), text.pooled(), t, manager);
    }
    int h = Math.toIntExact(ns.get(2));
    int w = Math.toIntExact(ns.get(3));
    int[][] ids = FluxDenoising.imageIds(h / 2, w / 2, -1, 0, 0);
    NDArray out =
        FluxDenoising.forward(flux, LatentPacking.pack(joint), text.tokens(), text, t, guidance, ids, manager);
    return LatentPacking.unpack(out, h, w);
  }

  @Override
  public void close() {
    if (!owner) {
      return;
    }
    if (sd3 != null) {
      sd3.close();
    } else {
      flux.close();
    }
  }
}
