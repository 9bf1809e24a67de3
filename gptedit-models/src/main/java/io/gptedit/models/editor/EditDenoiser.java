package io.gptedit.models.editor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.codec.LatentCodec;
import io.gptedit.models.conditioning.TextConditioning;
import java.util.Map;

/**
 * One conditioning paradigm's denoiser forward, batched: the velocity of noisy latents given the input image's
 * condition and the text. It is the one forward that both editing ({@link DiffusionEditor}, through the Euler
 * sampler) and fine-tuning ({@code io.gptedit.models.train.EditObjective}) call, so a trained model samples with
 * exactly the network it was trained as.
 *
 * <p>The condition of an input image is frozen work done once per image ({@link #encodeCondition}): its codec
 * latents for Kontext and channel-wise, its vision features for SigLIP tokens. Arrays are batch first; latents are
 * {@code (B, C, h, w)} in the codec's space. During training every array the forward makes stays in the caller's
 * manager until it is closed after the backward pass.
 *
 * @since 0.1
 */
public interface EditDenoiser extends AutoCloseable {
  /**
   * Returns the paradigm.
   *
   * @return the paradigm
   */
  Paradigm paradigm();

  /**
   * Returns the latent channels the denoiser reads and predicts.
   *
   * @return latent channels (the codec's)
   */
  int latentChannels();

  /**
   * Returns the side of a latent patch (one token covers {@code patch x patch} latent pixels).
   *
   * @return 2 for Flux's packing and SD3's patch embedding
   */
  int patchSize();

  /**
   * Returns every parameter the denoiser owns (the backbone and any paradigm projector), by name.
   *
   * @return an unmodifiable view, in declaration order
   */
  Map<String, NDArray> parameters();

  /**
   * Returns this denoiser over other arrays for some or all of its parameters, such as a trainer's float16 compute
   * copies ({@code FineTuner.StepContext.parameters()}): the same paradigm, backbone config and settings, reading
   * {@code replacements} where they name a parameter and this denoiser's own arrays elsewhere. The result is a
   * view: closing it closes nothing, and it must not outlive this denoiser or the replacements.
   *
   * @param replacements arrays by parameter name (names from {@link #parameters()}, same shapes); names the denoiser
   *     does not have are ignored, so a map that also holds the text fusion's parameters can be passed
   * @return the view
   * @throws IllegalArgumentException if a replacement has another shape than the parameter it replaces
   */
  EditDenoiser withParameters(Map<String, NDArray> replacements);

  /**
   * Computes the frozen condition of one input image.
   *
   * @param image the input at the working size
   * @param pixels the same image as a {@code (1, 3, H, W)} tensor in [-1, 1]
   * @param codec the codec of the noisy latents
   * @param manager the manager of the result
   * @return {@code (1, ...)}: latents {@code (1, C, h, w)} or vision features {@code (1, N, d)}
   */
  NDArray encodeCondition(RgbImage image, NDArray pixels, LatentCodec codec, NDManager manager);

  /**
   * Predicts the velocity.
   *
   * @param noisy the noisy latents (B, C, h, w)
   * @param condition the stacked conditions of the batch (from {@link #encodeCondition}), or, for classifier-free
   *     guidance's "no image" branch, zeros of the same shape
   * @param text the batch's text conditioning
   * @param t the flow time per sample, in [0, 1]
   * @param guidance the guidance-embedding value per sample for backbones that have one, else null
   * @param manager the manager of the result and every intermediate
   * @return the velocity (B, C, h, w)
   */
  NDArray velocity(
      NDArray noisy, NDArray condition, TextConditioning text, float[] t, float[] guidance, NDManager manager);

  /**
   * Returns whether the backbone has a guidance embedding (FLUX.1-dev and Kontext-dev do).
   *
   * @return true when {@link #velocity} needs a guidance value per sample
   */
  boolean guidanceEmbedded();

  /** Frees the backbone's and projector's parameters. */
  @Override
  void close();
}
