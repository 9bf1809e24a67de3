package io.gptedit.examples.lab;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.gptedit.models.flux.FluxInput;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.flux.LatentPacking;

/**
 * The SD3 InstructPix2Pix (UltraEdit) paradigm on the lab's Flux backbone: the packed condition image is
 * concatenated to the noisy tokens on the feature axis ({@code x_embedder} takes 12 + 12 = 24 features, as SD3's
 * patch embedding takes 16 + 16 latent channels in {@code ChannelWiseEditor}); the image stream holds the noisy
 * tokens only, so every token sees its own condition pixels and nothing else of the input image directly.
 */
final class ChannelDenoiser implements LabDenoiser {
  private final FluxTransformer flux;
  private final int[][] imageIds;
  private final int[][] textIds;

  ChannelDenoiser(LabConfig config, int textDim, int textTokens) {
    this.flux = LabDenoiser.flux(config, 24, textDim);
    int half = config.size() / 2;
    this.imageIds = LatentPacking.imageIds(0, half, half);
    this.textIds = FluxInput.zeroTextIds(textTokens);
  }

  @Override
  public FluxTransformer flux() {
    return flux;
  }

  @Override
  public NDArray forward(
      NDManager m, NDArray noisy, NDArray cond, LabText.Conditioning text, LabExample[] batch, float[] t) {
    return flux.forward(
        new FluxInput(noisy.concat(cond, 2), text.tokens(), text.pooled(), t, null, imageIds, textIds), m);
  }

  @Override
  public void close() {
    flux.close();
  }
}
