package io.gptedit.models.editor;

import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import io.gptedit.models.conditioning.PooledPatchEncoder;
import io.gptedit.models.conditioning.TextFusion;
import io.gptedit.models.flow.TimeSchedule;
import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.nn.DeviceException;
import io.gptedit.models.nn.Devices;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.sd3.Sd3Config;
import io.gptedit.models.sd3.Sd3Transformer;
import io.gptedit.models.text.ByteTokenizer;
import io.gptedit.models.text.T5Config;
import io.gptedit.models.text.T5Encoder;
import io.gptedit.models.text.T5TextEncoder;
import io.gptedit.models.vae.AutoencoderKL;
import io.gptedit.models.vae.VaeConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Tiny editors of each conditioning paradigm with seeded random weights, for tests and demos: the real
 * architectures at toy sizes ({@link FluxConfig#tiny()} or {@link Sd3Config#tinyInstructPix2Pix()}, the 2x {@link
 * VaeConfig#tiny()} VAE, a T5-only {@link TextFusion} over {@link T5Config#tiny()} with the byte tokenizer). They run
 * offline on a CPU in well under a second per edit and produce noise-like images: they show the API and the data
 * flow, not editing quality.
 *
 * <pre>{@code
 * try (DiffusionEditor editor = TinyEditors.kontext(42)) {
 *   RgbImage edited = editor.edit(RgbImage.filled(64, 48, 0x3366cc), "make it red", EditOptions.builder().optSeed(1).build());
 * }
 * }</pre>
 *
 * <p>Each editor owns its components (closing it frees them), works at the input size floored to a multiple of 4
 * ({@link Resolution#FLOOR_TO_MULTIPLE}), samples {@value #STEPS} steps unless the options say otherwise, and
 * refuses inputs whose working size is above {@value #MAX_WORKING_PIXELS} pixels with an {@link
 * io.gptedit.core.editor.EditException} (the tiny VAE's attention is quadratic in the pixel count). Each factory
 * has an overload that takes a device ({@link Devices#require checked} first): every weight is created there (the
 * same values: they are drawn in Java) and the edits run there; without one, the engine's default device.
 *
 * <p>The same T5-only fusion over your own T5 weights takes two lines:
 *
 * <pre>{@code
 * T5TextEncoder text = new T5TextEncoder(t5, tokenizer, 512, "t5-xxl");
 * TextFusion fusion = TextFusion.t5Only(text, 768);   // 768: FLUX.1's pooled size
 * }</pre>
 *
 * @since 0.1
 */
public final class TinyEditors {
  /** Default sampling steps of the tiny editors. */
  public static final int STEPS = 4;

  /** The largest working size, in pixels, the tiny editors accept (128 x 128). */
  public static final long MAX_WORKING_PIXELS = 128 * 128;

  /** Text tokens the tiny T5 encoder produces. */
  static final int TEXT_TOKENS = 32;

  private TinyEditors() {}

  /**
   * A tiny editor of a paradigm.
   *
   * @param paradigm the conditioning paradigm
   * @param seed the seed of every random weight
   * @return the editor; close it to free its weights
   */
  public static DiffusionEditor of(Paradigm paradigm, long seed) {
    return of(paradigm, seed, Devices.defaultDevice());
  }

  /**
   * A tiny editor of a paradigm on a device.
   *
   * @param paradigm the conditioning paradigm
   * @param seed the seed of every random weight
   * @param device where the weights live and the edits run
   * @return the editor; close it to free its weights
   * @throws DeviceException if the engine does not have the device
   */
  public static DiffusionEditor of(Paradigm paradigm, long seed, Device device) {
    Devices.require(device);
    requireNonNull(paradigm, "paradigm");
    return switch (paradigm) {
      case KONTEXT -> kontext(seed, device);
      case CHANNEL_WISE -> channelWise(seed, device);
      case SIGLIP_TOKEN -> siglipToken(seed, device);
    };
  }

  /**
   * A tiny FLUX.1 Kontext-style editor (token-wise conditioning, embedded guidance).
   *
   * @param seed the seed of every random weight
   * @return the editor, named {@code tiny-kontext}
   */
  public static DiffusionEditor kontext(long seed) {
    return kontext(seed, Devices.defaultDevice());
  }

  /**
   * A tiny FLUX.1 Kontext-style editor on a device.
   *
   * @param seed the seed of every random weight
   * @param device where the weights live and the edits run
   * @return the editor, named {@code tiny-kontext}
   * @throws DeviceException if the engine does not have the device
   */
  public static DiffusionEditor kontext(long seed, Device device) {
    Devices.require(device);
    return assemble(
        "tiny-kontext",
        seed,
        device,
        owned -> new KontextDenoiser(own(owned, FluxTransformer.random(FluxConfig.tiny(), seed ^ 0x5EEDL, device))),
        new SamplingConfig(STEPS, TimeSchedule.BFL, SamplingConfig.Guidance.embedded(3.5)));
  }

  /**
   * A tiny SD3 InstructPix2Pix editor (channel-wise conditioning, as UltraEdit: text and image guidance).
   *
   * @param seed the seed of every random weight
   * @return the editor, named {@code tiny-channel-wise}
   */
  public static DiffusionEditor channelWise(long seed) {
    return channelWise(seed, Devices.defaultDevice());
  }

  /**
   * A tiny SD3 InstructPix2Pix editor on a device.
   *
   * @param seed the seed of every random weight
   * @param device where the weights live and the edits run
   * @return the editor, named {@code tiny-channel-wise}
   * @throws DeviceException if the engine does not have the device
   */
  public static DiffusionEditor channelWise(long seed, Device device) {
    Devices.require(device);
    return assemble(
        "tiny-channel-wise",
        seed,
        device,
        owned ->
            ChannelWiseDenoiser.sd3(
                own(owned, Sd3Transformer.random(Sd3Config.tinyInstructPix2Pix(), seed ^ 0x5EEDL, device)), false),
        new SamplingConfig(STEPS, TimeSchedule.SD3, SamplingConfig.Guidance.instructPix2Pix(7.0, 1.5)));
  }

  /**
   * A tiny UniWorld-style editor (SigLIP-token conditioning): a weightless pooled-patch encoder stands in for
   * SigLIP, and a projector MLP maps its features into the text-token stream.
   *
   * @param seed the seed of every random weight
   * @return the editor, named {@code tiny-siglip-token}
   */
  public static DiffusionEditor siglipToken(long seed) {
    return siglipToken(seed, Devices.defaultDevice());
  }

  /**
   * A tiny UniWorld-style editor on a device.
   *
   * @param seed the seed of every random weight
   * @param device where the weights live and the edits run
   * @return the editor, named {@code tiny-siglip-token}
   * @throws DeviceException if the engine does not have the device
   */
  public static DiffusionEditor siglipToken(long seed, Device device) {
    Devices.require(device);
    FluxConfig flux = FluxConfig.tiny();
    int visionDim = 12;
    return assemble(
        "tiny-siglip-token",
        seed,
        device,
        owned -> {
          FluxTransformer transformer = own(owned, FluxTransformer.random(flux, seed ^ 0x5EEDL, device));
          ModelWeights projector =
              own(
                  owned,
                  ModelWeights.random(
                      SiglipTokenDenoiser.projectorSpec(visionDim, 16, flux.jointAttentionDim()), seed ^ 0x9A0FL,
                      device));
          return new SiglipTokenDenoiser(transformer, projector, new PooledPatchEncoder(2, visionDim, seed ^ 0x516L));
        },
        new SamplingConfig(STEPS, TimeSchedule.BFL, SamplingConfig.Guidance.embedded(3.5)));
  }

  /** Builds a denoiser, registering what it allocates so a failure frees it. */
  private interface DenoiserFactory {
    EditDenoiser create(List<AutoCloseable> owned);
  }

  private static <T extends AutoCloseable> T own(List<AutoCloseable> owned, T resource) {
    owned.add(resource);
    return resource;
  }

  private static DiffusionEditor assemble(String name, long seed, Device device, DenoiserFactory factory,
      SamplingConfig sampling) {
    List<AutoCloseable> owned = new ArrayList<>();
    try {
      AutoencoderKL vae = own(owned, AutoencoderKL.random(VaeConfig.tiny(), seed ^ 0xAEL, device));
      T5Encoder t5 = own(owned, T5Encoder.random(T5Config.tiny(), seed ^ 0x75L, device));
      TextFusion fusion =
          own(owned, TextFusion.t5Only(
              new T5TextEncoder(t5, new ByteTokenizer(), TEXT_TOKENS, "t5-tiny", false), 24, device));
      List<AutoCloseable> parts = new ArrayList<>();
      EditDenoiser denoiser;
      try {
        denoiser = factory.create(parts);
      } catch (RuntimeException e) {
        owned.addAll(parts);
        throw e;
      }
      // The denoiser closes its own backbone (and projector): hand the editor the denoiser, not its parts.
      owned.add(denoiser);
      return DiffusionEditor.builder()
          .setDenoiser(denoiser)
          .setCodec(vae)
          .setConditioner(fusion)
          .optResolution(Resolution.FLOOR_TO_MULTIPLE)
          .optSampling(sampling)
          .optMaxWorkingPixels(MAX_WORKING_PIXELS)
          .optName(name)
          .optDevice(device)
          .optOwned(owned.toArray(new AutoCloseable[0]))
          .build();
    } catch (RuntimeException e) {
      PretrainedEditors.closeAfterFailure(owned, e);
      throw e;
    }
  }
}
