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
import java.util.Map;

/**
 * FLUX.1 Kontext's token-wise conditioning: the input image's latents are packed 2x2 into extra image tokens after
 * the noisy tokens, with position ids {@code (1, r, c)} (the noisy tokens have {@code (0, r, c)}); text tokens go in
 * front inside the transformer; the output is cut back to the noisy tokens.
 *
 * <p>{@link #withConditionAxis} sets the condition tokens' first id: 1 is Kontext's; 0 puts every condition token
 * at its noisy token's position (an ablation). The denoiser owns the transformer.
 *
 * @since 0.1
 */
public final class KontextDenoiser extends FluxDenoising {
  private final int conditionAxis;
  /** False for a {@link #withParameters} view, which closes nothing. */
  private final boolean owner;

  /**
   * Wraps a Flux transformer with Kontext's ids.
   *
   * @param flux a transformer whose {@code in_channels} equal its {@code out_channels} (4 x latent channels)
   */
  public KontextDenoiser(FluxTransformer flux) {
    this(flux, 1, true);
  }

  private KontextDenoiser(FluxTransformer flux, int conditionAxis, boolean owner) {
    super(requireNonNull(flux, "flux"));
    checkArgument(
        flux.config().inChannels() == flux.config().outChannels() && flux.config().inChannels() % 4 == 0,
        "Kontext needs in_channels = out_channels = 4 x latent channels, got %s -> %s",
        flux.config().inChannels(),
        flux.config().outChannels());
    checkArgument(conditionAxis == 0 || conditionAxis == 1, "condition axis must be 0 or 1, got %s", conditionAxis);
    this.conditionAxis = conditionAxis;
    this.owner = owner;
  }

  /**
   * Returns a denoiser over the same transformer whose condition tokens have first id {@code axis}.
   *
   * @param axis 1 (Kontext) or 0 (the noisy tokens' own positions)
   * @return the denoiser (sharing this one's transformer: close only one of them)
   */
  public KontextDenoiser withConditionAxis(int axis) {
    return new KontextDenoiser(flux, axis, owner);
  }

  /**
   * Returns the condition tokens' first position id.
   *
   * @return 1 for Kontext, 0 for shared positions
   */
  public int conditionAxis() {
    return conditionAxis;
  }

  @Override
  public Paradigm paradigm() {
    return Paradigm.KONTEXT;
  }

  @Override
  public Map<String, NDArray> parameters() {
    return flux.parameters().asMap();
  }

  @Override
  public KontextDenoiser withParameters(Map<String, NDArray> replacements) {
    return new KontextDenoiser(
        flux.withParameters(flux.parameters().ownOf(replacements)), conditionAxis, false);
  }

  @Override
  public NDArray encodeCondition(RgbImage image, NDArray pixels, LatentCodec codec, NDManager manager) {
    return codec.encode(pixels, manager);
  }

  @Override
  public NDArray velocity(
      NDArray noisy, NDArray condition, TextConditioning text, float[] t, float[] guidance, NDManager manager) {
    Shape ns = noisy.getShape();
    Shape cs = condition.getShape();
    checkArgument(cs.dimension() == 4 && cs.get(1) == ns.get(1), "condition latents %s do not fit noisy %s", cs, ns);
    int h = Math.toIntExact(ns.get(2));
    int w = Math.toIntExact(ns.get(3));
    int[][] ids =
        FluxDenoising.imageIds(h / 2, w / 2, conditionAxis, Math.toIntExact(cs.get(2)) / 2, Math.toIntExact(cs.get(3)) / 2);
    NDArray packed = LatentPacking.pack(noisy);
    int noisyTokens = Math.toIntExact(packed.getShape().get(1));
    NDArray hidden = packed.concat(LatentPacking.pack(condition), 1);
    NDArray out = FluxDenoising.forward(flux, hidden, text.tokens(), text, t, guidance, ids, manager);
    return LatentPacking.unpack(out.get(":, 0:" + noisyTokens + ", :"), h, w);
  }

  @Override
  public void close() {
    if (owner) {
      flux.close();
    }
  }
}
