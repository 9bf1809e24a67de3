package io.gptedit.examples.lab;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.gptedit.models.flux.FluxInput;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.flux.LatentPacking;

/**
 * FLUX.1 Kontext's paradigm: the image stream is {@code [noisy tokens ; condition tokens]} and the output is sliced
 * to the noisy part. The condition tokens' position ids are {@code (0, r, c)}, the noisy tokens' own
 * ({@link LabConfig.ConditionIds#SHARED}), or Kontext's {@code (1, r, c)}.
 */
final class KontextDenoiser implements LabDenoiser {
  private final FluxTransformer flux;
  private final int tokens;
  private final int[][] imageIds;
  private final int[][] textIds;

  KontextDenoiser(LabConfig config, int textDim, int textTokens) {
    this.flux = LabDenoiser.flux(config, 12, textDim);
    int half = config.size() / 2;
    this.tokens = half * half;
    int[][] noisy = LatentPacking.imageIds(0, half, half);
    int[][] cond = LatentPacking.imageIds(config.conditionIds() == LabConfig.ConditionIds.SHARED ? 0 : 1, half, half);
    this.imageIds = new int[2 * tokens][];
    System.arraycopy(noisy, 0, imageIds, 0, tokens);
    System.arraycopy(cond, 0, imageIds, tokens, tokens);
    this.textIds = FluxInput.zeroTextIds(textTokens);
  }

  @Override
  public FluxTransformer flux() {
    return flux;
  }

  @Override
  public NDArray forward(
      NDManager m, NDArray noisy, NDArray cond, LabText.Conditioning text, LabExample[] batch, float[] t) {
    NDArray out =
        flux.forward(
            new FluxInput(noisy.concat(cond, 1), text.tokens(), text.pooled(), t, null, imageIds, textIds), m);
    return out.get(":, 0:" + tokens + ", :");
  }

  @Override
  public void close() {
    flux.close();
  }
}
