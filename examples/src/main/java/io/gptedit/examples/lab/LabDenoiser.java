package io.gptedit.examples.lab;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.flux.FluxTransformer;
import java.util.Map;

/**
 * One conditioning paradigm of the lab editor: how the condition (input) image reaches the tiny Flux backbone.
 * Everything else (the loss, timestep sampling, residual prediction, the zero-initialised head, the sampler) is
 * {@link LabModel}'s and identical for the three paradigms, so a comparison measures the paradigm alone.
 *
 * <p>Each implementation owns its {@link FluxTransformer} and its extra trainable parameters and closes them.
 */
interface LabDenoiser extends AutoCloseable {
  /**
   * Creates the config's paradigm.
   *
   * @param config the lab config
   * @param textDim features per text token
   * @param textTokens text tokens per sample
   * @return the denoiser
   */
  static LabDenoiser create(LabConfig config, int textDim, int textTokens) {
    return switch (config.paradigm()) {
      case KONTEXT -> new KontextDenoiser(config, textDim, textTokens);
      case CHANNEL -> new ChannelDenoiser(config, textDim, textTokens);
      case SIGLIP -> new SiglipDenoiser(config, textDim, textTokens);
    };
  }

  /**
   * The tiny Flux of the lab: 2x2-packed RGB tokens (12 features) out, {@code inChannels} in, 16 channels per head,
   * the text size as both joint-attention and pooled size, no guidance embedding. The weights come from the same
   * seed for every paradigm (same-shaped tensors start equal).
   */
  static FluxTransformer flux(LabConfig config, int inChannels, int textDim) {
    FluxConfig fc =
        new FluxConfig(
            inChannels, 12, config.doubleBlocks(), config.singleBlocks(), config.heads(), 16, textDim, textDim, false,
            new int[] {4, 6, 6}, 10000, 4);
    return FluxTransformer.random(fc, config.seed() ^ 0x5EEDL);
  }

  /** The backbone. */
  FluxTransformer flux();

  /** Trainable parameters besides the backbone's (a projector), by name; empty by default. */
  default Map<String, NDArray> extraParameters() {
    return Map.of();
  }

  /**
   * Predicts the backbone's output for the noisy tokens.
   *
   * @param m the manager of every array made (keep it open until after a backward pass)
   * @param noisy the noisy packed image (B, tokens, 12)
   * @param cond the packed condition image (B, tokens, 12)
   * @param text the text conditioning
   * @param batch the samples (for paradigms that encode the input image themselves)
   * @param t the flow time per sample
   * @return (B, tokens, 12)
   */
  NDArray forward(NDManager m, NDArray noisy, NDArray cond, LabText.Conditioning text, LabExample[] batch, float[] t);

  @Override
  void close();
}
