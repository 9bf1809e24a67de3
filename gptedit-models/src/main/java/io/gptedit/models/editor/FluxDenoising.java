package io.gptedit.models.editor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.gptedit.models.conditioning.TextConditioning;
import io.gptedit.models.flux.FluxInput;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.flux.LatentPacking;
import java.util.Arrays;

/**
 * What the Flux-backed paradigms share: the transformer, the accessors that follow from it, packing, position ids
 * and the forward call.
 */
abstract class FluxDenoising implements EditDenoiser {
  /** The backbone, owned. */
  final FluxTransformer flux;

  FluxDenoising(FluxTransformer flux) {
    this.flux = java.util.Objects.requireNonNull(flux, "flux");
  }

  /**
   * Returns the backbone.
   *
   * @return the transformer
   */
  public FluxTransformer transformer() {
    return flux;
  }

  @Override
  public int latentChannels() {
    return flux.config().outChannels() / 4;
  }

  @Override
  public int patchSize() {
    return 2;
  }

  @Override
  public boolean guidanceEmbedded() {
    return flux.config().guidanceEmbeds();
  }

  /** The ids of a packed grid followed by another packed grid with its own first axis (or none). */
  static int[][] imageIds(int rows, int cols, int conditionAxis, int conditionRows, int conditionCols) {
    int[][] noisy = LatentPacking.imageIds(0, rows, cols);
    if (conditionAxis < 0) {
      return noisy;
    }
    int[][] cond = LatentPacking.imageIds(conditionAxis, conditionRows, conditionCols);
    int[][] ids = Arrays.copyOf(noisy, noisy.length + cond.length);
    System.arraycopy(cond, 0, ids, noisy.length, cond.length);
    return ids;
  }

  /** Runs the transformer on packed image tokens with the given text tokens (all text ids zero). */
  static NDArray forward(
      FluxTransformer flux,
      NDArray hidden,
      NDArray textTokens,
      TextConditioning text,
      float[] t,
      float[] guidance,
      int[][] imageIds,
      NDManager manager) {
    float[] g = flux.config().guidanceEmbeds() ? requireGuidance(guidance, t.length) : null;
    int[][] textIds = FluxInput.zeroTextIds(Math.toIntExact(textTokens.getShape().get(1)));
    return flux.forward(new FluxInput(hidden, textTokens, text.pooled(), t, g, imageIds, textIds), manager);
  }

  private static float[] requireGuidance(float[] guidance, int batch) {
    if (guidance == null || guidance.length != batch) {
      throw new IllegalArgumentException("this backbone has a guidance embedding: one guidance value per sample");
    }
    return guidance;
  }
}
