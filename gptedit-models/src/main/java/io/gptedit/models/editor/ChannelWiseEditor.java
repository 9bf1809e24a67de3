package io.gptedit.models.editor;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gptedit.core.editor.EditException;
import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.editor.ImageEditor;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.Resampler;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.conditioning.Conditioner;
import io.gptedit.models.conditioning.ImageTensors;
import io.gptedit.models.conditioning.TextConditioning;
import io.gptedit.models.flow.EulerSampler;
import io.gptedit.models.flow.FlowSchedules;
import io.gptedit.models.flow.SeededNoise;
import io.gptedit.models.sd3.Sd3Transformer;
import io.gptedit.models.vae.AutoencoderKL;

/**
 * Channel-wise editing (SD3 InstructPix2Pix, as UltraEdit): the source image's VAE latents are concatenated to
 * the noisy latents on the channel axis, and classifier-free guidance runs a 3-way batch
 * (prompt + image, negative + image, negative + no image):
 * {@code v = v_none + s_txt (v_full - v_img) + s_img (v_img - v_none)}.
 *
 * <p>Source latents are the VAE mean without scaling or shift by default (the quirk UltraEdit's weights were
 * trained with); the noisy latents are normalised as usual. Sampling uses SD3's schedule (static shift 3.0,
 * applied once) and the Euler sampler. Calls are serialised; components are not owned.
 */
public final class ChannelWiseEditor implements ImageEditor {
  /** Default text guidance (UltraEdit). */
  public static final double DEFAULT_TEXT_GUIDANCE = 7.0;
  /** Default image guidance (UltraEdit). */
  public static final double DEFAULT_IMAGE_GUIDANCE = 1.5;
  /** Default steps. */
  public static final int DEFAULT_STEPS = 28;

  private final Sd3Transformer transformer;
  private final AutoencoderKL vae;
  private final Conditioner conditioner;
  private final Resolution resolution;
  private final boolean normaliseSourceLatents;
  private final EulerSampler.StepListener listener;

  /**
   * Creates the editor.
   *
   * @param transformer an SD3 transformer with {@code in = 2 x out} channels
   * @param vae the VAE
   * @param conditioner the text conditioner (the negative prompt is the empty string)
   * @param resolution the working-resolution policy
   * @param normaliseSourceLatents whether source latents get the VAE's shift and scale (false for UltraEdit)
   * @param listener progress callback, called after every sampling step
   */
  public ChannelWiseEditor(
      Sd3Transformer transformer,
      AutoencoderKL vae,
      Conditioner conditioner,
      Resolution resolution,
      boolean normaliseSourceLatents,
      EulerSampler.StepListener listener) {
    this.transformer = requireNonNull(transformer, "transformer");
    this.vae = requireNonNull(vae, "vae");
    this.conditioner = requireNonNull(conditioner, "conditioner");
    this.resolution = requireNonNull(resolution, "resolution");
    this.normaliseSourceLatents = normaliseSourceLatents;
    this.listener = requireNonNull(listener, "listener");
    int latent = vae.config().latentChannels();
    if (transformer.config().inChannels() != 2 * latent || transformer.config().outChannels() != latent) {
      throw new IllegalArgumentException(
          "InstructPix2Pix needs in = 2 x " + latent + " and out = " + latent + " channels, got "
              + transformer.config().inChannels() + " -> " + transformer.config().outChannels());
    }
  }

  @Override
  public String name() {
    return "sd3-instructpix2pix";
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
  public synchronized RgbImage edit(RgbImage input, String instruction, EditOptions options) {
    int steps = options.steps().orElse(DEFAULT_STEPS);
    double sTxt = options.guidance().orElse(DEFAULT_TEXT_GUIDANCE);
    double sImg = options.imageGuidance().orElse(DEFAULT_IMAGE_GUIDANCE);
    int granule = vae.config().spatialFactor() * transformer.config().patchSize();
    Size size = resolution.choose(input.width(), input.height(), granule);
    RgbImage work =
        size.width() == input.width() && size.height() == input.height()
            ? input
            : Resampler.bicubic(input, size.width(), size.height());
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray pixels = ImageTensors.toTensor(work, m);
      NDArray source = normaliseSourceLatents ? vae.encode(pixels, m) : vae.encodeMean(pixels, m);
      NDArray noSource = m.zeros(source.getShape());
      NDArray sources = NDArrays.concat(new NDList(source, source, noSource), 0);
      TextConditioning prompt = conditioner.encode(work, instruction, m);
      TextConditioning negative = conditioner.encode(work, "", m);
      NDArray text = padConcat(prompt.tokens(), negative.tokens(), m);
      NDArray pooled = NDArrays.concat(new NDList(prompt.pooled(), negative.pooled(), negative.pooled()), 0);
      Shape ls = source.getShape();
      NDArray noise = SeededNoise.gaussian(m, options.seed(), ls);
      NDArray x =
          EulerSampler.sample(
              noise,
              FlowSchedules.sd3(steps, FlowSchedules.SD3_SHIFT),
              (xt, t, scope) -> {
                NDArray batch = NDArrays.concat(new NDList(xt, xt, xt), 0).concat(sources, 1);
                NDArray v = transformer.forward(batch, text, pooled, new float[] {t, t, t}, scope);
                return guide(v.get("0:1"), v.get("1:2"), v.get("2:3"), sTxt, sImg);
              },
              listener);
      return ImageTensors.toImage(vae.decode(x, m));
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new EditException("InstructPix2Pix edit failed: " + e.getMessage(), false, e);
    }
  }

  /** Stacks [prompt, negative, negative] text tokens, zero-padding the shorter to the longer length. */
  private static NDArray padConcat(NDArray prompt, NDArray negative, NDManager m) {
    long len = Math.max(prompt.getShape().get(1), negative.getShape().get(1));
    NDArray p = pad(prompt, len, m);
    NDArray n = pad(negative, len, m);
    return NDArrays.concat(new NDList(p, n, n), 0);
  }

  private static NDArray pad(NDArray tokens, long len, NDManager m) {
    Shape s = tokens.getShape();
    if (s.get(1) == len) {
      return tokens;
    }
    return tokens.concat(m.zeros(new Shape(s.get(0), len - s.get(1), s.get(2))), 1);
  }
}
