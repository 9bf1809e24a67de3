package io.gptedit.models.editor;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.editor.ImageEditor;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.codec.LatentCodec;
import io.gptedit.models.conditioning.Conditioner;
import io.gptedit.models.flow.EulerSampler;
import io.gptedit.models.sd3.Sd3Transformer;

/**
 * Channel-wise editing (SD3 InstructPix2Pix, as UltraEdit; {@link ChannelWiseDenoiser}): the source image's
 * latents are concatenated to the noisy latents on the channel axis, and classifier-free guidance runs a 3-way
 * batch (prompt + image, negative + image, negative + no image):
 * {@code v = v_none + s_txt (v_full - v_img) + s_img (v_img - v_none)}.
 *
 * <p>Source latents are the VAE mean without scaling or shift by default (the quirk UltraEdit's weights were
 * trained with); the noisy latents are normalised as usual. Sampling uses SD3's schedule (static shift 3.0, see
 * {@code FlowSchedules.sd3}) and the Euler sampler. Calls are serialised; components are not owned.
 *
 * @since 0.1
 */
public final class ChannelWiseEditor implements ImageEditor {
  /** Default text guidance (UltraEdit). */
  public static final double DEFAULT_TEXT_GUIDANCE = 7.0;
  /** Default image guidance (UltraEdit). */
  public static final double DEFAULT_IMAGE_GUIDANCE = 1.5;
  /** Default steps. */
  public static final int DEFAULT_STEPS = 28;

  private final ChannelWiseDenoiser denoiser;
  private final DiffusionEditor editor;

  /**
   * Creates the editor.
   *
   * @param transformer an SD3 transformer with {@code in = 2 x out} channels
   * @param codec the VAE
   * @param conditioner the text conditioner (the negative prompt is the empty string)
   * @param resolution the working-resolution policy
   * @param normaliseSourceLatents whether source latents get the VAE's shift and scale (false for UltraEdit)
   * @param listener progress callback, called after every sampling step
   */
  public ChannelWiseEditor(
      Sd3Transformer transformer,
      LatentCodec codec,
      Conditioner conditioner,
      Resolution resolution,
      boolean normaliseSourceLatents,
      EulerSampler.StepListener listener) {
    this.denoiser = ChannelWiseDenoiser.sd3(requireNonNull(transformer, "transformer"), normaliseSourceLatents);
    this.editor =
        DiffusionEditor.builder()
            .setDenoiser(denoiser)
            .setCodec(codec)
            .setConditioner(conditioner)
            .optResolution(resolution)
            .optSampling(
                new SamplingConfig(
                    DEFAULT_STEPS,
                    io.gptedit.models.flow.TimeSchedule.SD3,
                    SamplingConfig.Guidance.instructPix2Pix(DEFAULT_TEXT_GUIDANCE, DEFAULT_IMAGE_GUIDANCE)))
            .optListener(listener)
            .optName("sd3-instructpix2pix")
            .build();
  }

  /**
   * Returns the channel-wise denoiser (the forward that fine-tuning trains).
   *
   * @return the denoiser (it shares the editor's transformer)
   */
  public ChannelWiseDenoiser denoiser() {
    return denoiser;
  }

  @Override
  public String name() {
    return editor.name();
  }

  /**
   * Combines the three velocities of the 3-way batch.
   *
   * @param full prompt + image
   * @param image negative + image
   * @param none negative + no image
   * @param textScale s_txt
   * @param imageScale s_img
   * @return {@code none + s_txt (full - image) + s_img (image - none)}
   */
  public static NDArray guide(NDArray full, NDArray image, NDArray none, double textScale, double imageScale) {
    return none.add(full.sub(image).mul(textScale)).add(image.sub(none).mul(imageScale));
  }

  @Override
  public RgbImage edit(RgbImage input, String instruction, EditOptions options) {
    return editor.edit(input, instruction, options);
  }
}
