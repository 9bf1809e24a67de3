package io.gptedit.models.editor;

import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.gptedit.models.conditioning.FluxTextConditioner;
import io.gptedit.models.conditioning.Sd3TextConditioner;
import io.gptedit.models.flow.TimeSchedule;
import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.nn.DeviceException;
import io.gptedit.models.nn.Devices;
import io.gptedit.models.nn.WeightLoadException;
import io.gptedit.models.safetensors.SafetensorsShards;
import io.gptedit.models.sd3.Sd3Config;
import io.gptedit.models.sd3.Sd3Transformer;
import io.gptedit.models.vae.AutoencoderKL;
import io.gptedit.models.vae.VaeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Editors from the local diffusers folders of released models, each in one line and owning everything it loads:
 *
 * <ul>
 *   <li>{@link #kontext(Path)}: FLUX.1 Kontext-dev (or a fine-tune saved in its layout), token-wise conditioning;
 *   <li>{@link #sd3InstructPix2Pix(Path)}: an SD3 InstructPix2Pix model such as UltraEdit's, channel-wise
 *       conditioning with text and image guidance.
 * </ul>
 *
 * <pre>{@code
 * try (DiffusionEditor editor = PretrainedEditors.kontext(Path.of("models/FLUX.1-Kontext-dev"))) {
 *   RgbImage out = editor.edit(ImageCodec.read(Path.of("cat.png")), "give the cat a red hat");
 * }
 * }</pre>
 *
 * <p>A folder is what {@code huggingface-cli download} writes: {@code model_index.json}, {@code transformer/} and
 * {@code vae/} (a {@code config.json} beside {@code diffusion_pytorch_model.safetensors} or its sharded {@code
 * .index.json}), and the text encoders and tokenizers ({@link FluxTextConditioner#fromDiffusers},
 * {@link Sd3TextConditioner#fromDiffusers}). Weights are checked by name and shape; a missing, unexpected or
 * misshapen tensor is a {@link WeightLoadException} naming it. The text encoders are stored as {@code storage}
 * (FLOAT16 halves their memory); the transformer and VAE as float32. Everything loads on the engine's default
 * device, or on the one the device overloads name. The paper's released GPT-Image-Edit
 * checkpoint (Qwen2.5-VL + connector + Kontext) needs its MLLM path as well: {@code GptImageEditRelease} in
 * {@code io.gptedit.models.release} loads it.
 *
 * @since 0.1
 */
public final class PretrainedEditors {
  /** Weight files looked for in a diffusers component folder, in order of preference. */
  static final List<String> WEIGHT_FILES =
      List.of("diffusion_pytorch_model.safetensors.index.json", "diffusion_pytorch_model.safetensors");

  private PretrainedEditors() {}

  /**
   * FLUX.1 Kontext-dev from its diffusers folder, with float16 text-encoder storage and Kontext's preferred
   * resolutions.
   *
   * @param folder the model folder (the one holding {@code model_index.json})
   * @return the editor, named {@code flux-kontext}; close it to free every weight
   * @throws WeightLoadException naming the file or tensor that is missing or does not match
   */
  public static DiffusionEditor kontext(Path folder) {
    return kontext(folder, DataType.FLOAT16, Resolution.KONTEXT_PREFERRED);
  }

  /**
   * FLUX.1 Kontext-dev from its diffusers folder.
   *
   * @param folder the model folder
   * @param textStorage FLOAT32 or FLOAT16 storage of the text encoders
   * @param resolution the working-resolution policy
   * @return the editor, named {@code flux-kontext}; close it to free every weight
   * @throws WeightLoadException naming the file or tensor that is missing or does not match
   */
  public static DiffusionEditor kontext(Path folder, DataType textStorage, Resolution resolution) {
    return kontext(folder, textStorage, resolution, Devices.defaultDevice());
  }

  /**
   * FLUX.1 Kontext-dev from its diffusers folder, with every part on a device and the edits running there.
   *
   * @param folder the model folder
   * @param textStorage FLOAT32 or FLOAT16 storage of the text encoders
   * @param resolution the working-resolution policy
   * @param device the device ({@link Devices#require checked} before any file is read)
   * @return the editor, named {@code flux-kontext}; close it to free every weight
   * @throws DeviceException if the engine does not have the device
   * @throws WeightLoadException naming the file or tensor that is missing or does not match
   */
  public static DiffusionEditor kontext(Path folder, DataType textStorage, Resolution resolution, Device device) {
    Devices.require(device);
    requireNonNull(folder, "folder");
    requireNonNull(textStorage, "textStorage");
    requireNonNull(resolution, "resolution");
    return assemble(folder, owned -> {
      FluxTransformer flux = own(owned,
          component(folder, "transformer", FluxConfig::fromDiffusers,
              (c, s) -> FluxTransformer.load(c, s.files(), "", device)));
      AutoencoderKL vae = own(owned, vae(folder, device));
      FluxTextConditioner text = own(owned, FluxTextConditioner.fromDiffusers(folder, textStorage, device));
      return DiffusionEditor.builder()
          .optDevice(device)
          .setDenoiser(new KontextDenoiser(flux))
          .setCodec(vae)
          .setConditioner(text)
          .optResolution(resolution)
          .optSampling(flux.config().guidanceEmbeds()
              ? SamplingConfig.kontext()
              : new SamplingConfig(28, TimeSchedule.BFL, SamplingConfig.Guidance.none()))
          .optName("flux-kontext");
    });
  }

  /**
   * An SD3 InstructPix2Pix editor (UltraEdit's recipe: the source latents unscaled, text guidance 7.0, image guidance
   * 1.5) from its diffusers folder, with float16 text-encoder storage, working at the input size floored to a
   * multiple of 16.
   *
   * @param folder the model folder (the one holding {@code model_index.json})
   * @return the editor, named {@code sd3-instructpix2pix}; close it to free every weight
   * @throws WeightLoadException naming the file or tensor that is missing or does not match, or if the transformer
   *     does not take twice its output channels
   */
  public static DiffusionEditor sd3InstructPix2Pix(Path folder) {
    return sd3InstructPix2Pix(folder, Devices.defaultDevice());
  }

  /**
   * An SD3 InstructPix2Pix editor like {@link #sd3InstructPix2Pix(Path)}, with every part on a device and the edits
   * running there.
   *
   * @param folder the model folder
   * @param device the device ({@link Devices#require checked} before any file is read)
   * @return the editor, named {@code sd3-instructpix2pix}; close it to free every weight
   * @throws DeviceException if the engine does not have the device
   * @throws WeightLoadException naming the file or tensor that is missing or does not match
   */
  public static DiffusionEditor sd3InstructPix2Pix(Path folder, Device device) {
    Devices.require(device);
    requireNonNull(folder, "folder");
    return assemble(folder, owned -> {
      Sd3Transformer sd3 = own(owned,
          component(folder, "transformer", Sd3Config::fromDiffusers,
              (c, s) -> Sd3Transformer.load(c, s.files(), "", device)));
      if (sd3.config().inChannels() != 2 * sd3.config().outChannels()) {
        throw new WeightLoadException(folder.resolve("transformer/config.json") + ": InstructPix2Pix needs in_channels"
            + " = 2 x out_channels, got " + sd3.config().inChannels() + " -> " + sd3.config().outChannels());
      }
      AutoencoderKL vae = own(owned, vae(folder, device));
      Sd3TextConditioner text = own(owned, Sd3TextConditioner.fromDiffusers(folder, DataType.FLOAT16, device));
      return DiffusionEditor.builder()
          .optDevice(device)
          .setDenoiser(ChannelWiseDenoiser.sd3(sd3, false))
          .setCodec(vae)
          .setConditioner(text)
          .optResolution(Resolution.FLOOR_TO_MULTIPLE)
          .optSampling(SamplingConfig.instructPix2Pix())
          .optName("sd3-instructpix2pix");
    });
  }

  private static AutoencoderKL vae(Path folder, Device device) {
    return component(folder, "vae", VaeConfig::fromDiffusers, (c, s) -> AutoencoderKL.load(c, s.files(), "", device));
  }

  /** Reads a component's config and loads its weights (the shards are closed once loaded). */
  private static <C, M> M component(
      Path folder, String name, Function<Path, C> config, java.util.function.BiFunction<C, SafetensorsShards, M> load) {
    Path dir = folder.resolve(name);
    Path configJson = dir.resolve("config.json");
    if (!Files.isRegularFile(configJson)) {
      throw new WeightLoadException(folder + ": no " + name + "/config.json (is this a diffusers model folder?)");
    }
    C c = config.apply(configJson);
    Path weights = null;
    for (String file : WEIGHT_FILES) {
      if (Files.isRegularFile(dir.resolve(file))) {
        weights = dir.resolve(file);
        break;
      }
    }
    if (weights == null) {
      throw new WeightLoadException(dir + ": no weights (" + String.join(" or ", WEIGHT_FILES) + ")");
    }
    try (SafetensorsShards shards = SafetensorsShards.open(weights)) {
      return load.apply(c, shards);
    }
  }

  private interface Assembly {
    DiffusionEditor.Builder build(List<AutoCloseable> owned);
  }

  private static <T extends AutoCloseable> T own(List<AutoCloseable> owned, T resource) {
    owned.add(resource);
    return resource;
  }

  private static DiffusionEditor assemble(Path folder, Assembly assembly) {
    List<AutoCloseable> owned = new ArrayList<>();
    try {
      DiffusionEditor.Builder b = assembly.build(owned);
      return b.optOwned(owned.toArray(new AutoCloseable[0])).build();
    } catch (RuntimeException e) {
      closeAfterFailure(owned, e);
      throw e;
    }
  }

  /** Closes what an assembly allocated before it failed, last first, adding close failures to {@code failure}. */
  static void closeAfterFailure(List<AutoCloseable> owned, RuntimeException failure) {
    for (int i = owned.size() - 1; i >= 0; i--) {
      try {
        owned.get(i).close();
      } catch (Exception suppressed) {
        failure.addSuppressed(suppressed);
      }
    }
  }
}
