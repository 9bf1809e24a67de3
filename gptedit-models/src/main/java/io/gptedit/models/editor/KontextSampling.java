package io.gptedit.models.editor;

import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.Resampler;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.conditioning.ImageTensors;
import io.gptedit.models.conditioning.TextConditioning;
import io.gptedit.models.flow.EulerSampler;
import io.gptedit.models.flow.FlowSchedules;
import io.gptedit.models.flow.SeededNoise;
import io.gptedit.models.flux.FluxInput;
import io.gptedit.models.flux.KontextSequence;
import io.gptedit.models.flux.LatentPacking;
import io.gptedit.models.nn.Devices;

/**
 * The Kontext edit procedure shared by every backend: working size, VAE encoding of the condition, 2x2 packing,
 * Kontext position ids, seeded noise, BFL schedule, Euler sampling with the guidance embedding, unpacking and
 * decoding. {@link KontextEditor} (DJL) and {@code io.gptedit.models.onnx.OnnxEditor} (ONNX Runtime) both run this
 * code; only the four {@link Models} differ.
 *
 * @since 0.1
 */
public final class KontextSampling {
  /** The networks a Kontext edit needs; each returns arrays attached to the manager it is given. */
  public interface Models {
    /**
     * Encodes an image tensor into normalised latents.
     *
     * @param image (1, 3, H, W) in [-1, 1]
     * @param manager the manager to attach the result to
     * @return (1, C, H / f, W / f) normalised latents
     */
    NDArray encode(NDArray image, NDManager manager);

    /**
     * Encodes the instruction (and, for some conditioners, the image) into text tokens and a pooled vector.
     *
     * @param image the working-size input image
     * @param instruction the edit instruction
     * @param manager the manager to attach the result to
     * @return the conditioning
     */
    TextConditioning text(RgbImage image, String instruction, NDManager manager);

    /**
     * Runs the denoiser on the joint (noisy ; condition) tokens.
     *
     * @param input the denoiser input
     * @param scope the step's manager
     * @return the velocity for every image token of {@code input}, shaped like its hidden tokens
     */
    NDArray denoise(FluxInput input, NDManager scope);

    /**
     * Decodes normalised latents to an image tensor.
     *
     * @param latents (1, C, h, w) normalised latents
     * @param manager the manager to attach the result to
     * @return (1, 3, h f, w f) in about [-1, 1]
     */
    NDArray decode(NDArray latents, NDManager manager);
  }

  private KontextSampling() {}

  /**
   * Runs one Kontext edit.
   *
   * @param models the networks
   * @param input the image to edit
   * @param instruction the instruction
   * @param options seed, steps (default {@link KontextEditor#DEFAULT_STEPS}) and guidance (default
   *     {@link KontextEditor#DEFAULT_GUIDANCE})
   * @param resolution the working-size policy
   * @param granule the pixel granule (VAE spatial factor x 2)
   * @param listener progress callback
   * @return the edited image at the working size
   */
  public static RgbImage edit(
      Models models,
      RgbImage input,
      String instruction,
      EditOptions options,
      Resolution resolution,
      int granule,
      EulerSampler.StepListener listener) {
    return edit(models, input, instruction, options, resolution, granule, listener, Devices.defaultDevice());
  }

  /**
   * Runs one Kontext edit with every array of the edit (image tensor, latents, noise, the sampler's steps) on a
   * device; the models must accept arrays there.
   *
   * @param models the networks
   * @param input the image to edit
   * @param instruction the instruction
   * @param options seed, steps and guidance
   * @param resolution the working-size policy
   * @param granule the pixel granule (VAE spatial factor x 2)
   * @param listener progress callback
   * @param device the device ({@link Devices#require checked} first)
   * @return the edited image at the working size
   * @throws io.gptedit.models.nn.DeviceException if the engine does not have the device
   */
  public static RgbImage edit(
      Models models,
      RgbImage input,
      String instruction,
      EditOptions options,
      Resolution resolution,
      int granule,
      EulerSampler.StepListener listener,
      Device device) {
    Devices.require(device);
    requireNonNull(models, "models");
    requireNonNull(input, "input");
    requireNonNull(instruction, "instruction");
    requireNonNull(options, "options");
    int steps = options.steps().orElse(KontextEditor.DEFAULT_STEPS);
    float guidance = (float) options.guidance().orElse(KontextEditor.DEFAULT_GUIDANCE);
    Size size = resolution.choose(input.width(), input.height(), granule);
    RgbImage work =
        size.width() == input.width() && size.height() == input.height()
            ? input
            : Resampler.bicubic(input, size.width(), size.height());
    try (NDManager m = NDManager.newBaseManager(device)) {
      NDArray cond = models.encode(ImageTensors.toTensor(work, m), m);
      Shape ls = cond.getShape();
      int h = (int) ls.get(2);
      int w = (int) ls.get(3);
      NDArray condTokens = LatentPacking.pack(cond);
      KontextSequence seq = KontextSequence.of(h, w, h, w);
      int[][] imageIds = seq.imageIds();
      TextConditioning text = models.text(work, instruction, m);
      int[][] textIds = FluxInput.zeroTextIds((int) text.tokens().getShape().get(1));
      NDArray noise = LatentPacking.pack(SeededNoise.gaussian(m, options.seed(), ls));
      double[] times = FlowSchedules.bfl(steps, seq.noisyTokens());
      NDArray x =
          EulerSampler.sample(
              noise,
              times,
              (xt, t, scope) ->
                  seq.noisyPart(
                      models.denoise(
                          new FluxInput(
                              seq.join(xt, condTokens), text.tokens(), text.pooled(), new float[] {t},
                              new float[] {guidance}, imageIds, textIds),
                          scope)),
              listener);
      return ImageTensors.toImage(models.decode(LatentPacking.unpack(x, h, w), m));
    }
  }
}
