package io.gptedit.models.release;

import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.gptedit.models.conditioning.FluxTextConditioner;
import io.gptedit.models.conditioning.TextFusion;
import io.gptedit.models.editor.KontextEditor;
import io.gptedit.models.editor.Resolution;
import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.mllm.QwenVlConfig;
import io.gptedit.models.mllm.QwenVlEncoder;
import io.gptedit.models.mllm.QwenVlImageProcessor;
import io.gptedit.models.mllm.QwenVlModel;
import io.gptedit.models.mllm.QwenVlPrompt;
import io.gptedit.models.nn.DeviceException;
import io.gptedit.models.nn.Devices;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.nn.WeightLoadException;
import io.gptedit.models.safetensors.SafetensorsFile;
import io.gptedit.models.safetensors.SafetensorsShards;
import io.gptedit.models.safetensors.TensorInfo;
import io.gptedit.models.text.ClipTextEncoder;
import io.gptedit.models.text.JsonTokenizer;
import io.gptedit.models.text.T5Encoder;
import io.gptedit.models.train.ParameterSelection;
import io.gptedit.models.vae.AutoencoderKL;
import io.gptedit.models.vae.VaeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The GPT-Image-Edit release (UniWorld-V1 layout) loaded from two local folders, as its CLI runs it:
 *
 * <ul>
 *   <li>the release folder: {@code config.json} ({@code univa_qwen2p5vl}: the Qwen2.5-VL-7B-Instruct config plus a
 *       {@code denoise_tower} section), {@code model.safetensors.index.json} with its shards holding the Qwen
 *       tensors ({@code visual.*}, {@code model.*}, {@code lm_head.weight}), the Kontext transformer under
 *       {@code denoise_tower.denoiser.} (diffusers names) and the connector
 *       {@code denoise_tower.denoise_projector.{0,2}} (Linear 3584 to 12288, SiLU, Linear to 4096), plus
 *       {@code tokenizer.json}, {@code tokenizer_config.json} and {@code preprocessor_config.json};
 *   <li>a FLUX.1-Kontext-dev diffusers folder for {@code transformer/config.json}, {@code vae/},
 *       {@code text_encoder/} + {@code tokenizer/} (CLIP-L, the pooled vector) and {@code text_encoder_2/} +
 *       {@code tokenizer_2/} (T5-XXL).
 * </ul>
 *
 * <p>An edit: the instruction and the image go to Qwen2.5-VL as the CLI builds its turn
 * ({@link QwenVlPrompt.Layout#RELEASE}: instruction then image, no system turn; the image through qwen-vl-utils'
 * resize and the processor at {@code min = max = 448 * 448} pixels), every token's last hidden state through the
 * connector, then {@code [those tokens ; T5 tokens of the instruction (256)]} with CLIP's pooled vector condition
 * Kontext (28 steps, embedded guidance 3.5). The release's connector has no type embedding. Every tensor of the
 * checkpoint must be claimed by one of the three parts; missing, unexpected or misshapen tensors are a
 * {@link WeightLoadException} naming them.
 *
 * <p>The device overloads of {@code load} put every part (Qwen, the connector, Kontext, the VAE, T5 and CLIP) on
 * one device, {@link Devices#require checked} before any file is read, and the {@link #editor() editor} runs its
 * edits there; without one everything goes to the engine's default device.
 *
 * @since 0.1
 */
public final class GptImageEditRelease implements AutoCloseable {
  /** The prefix of the Kontext transformer's tensors in the release checkpoint. */
  public static final String DENOISER_PREFIX = "denoise_tower.denoiser.";
  /** The prefix of the connector's tensors in the release checkpoint. */
  public static final String PROJECTOR_PREFIX = "denoise_tower.denoise_projector.";
  /** The T5 token budget of the release's CLI. */
  public static final int T5_LENGTH = 256;
  /** The image pixel bounds (min = max) of the release's CLI. */
  public static final int IMAGE_PIXELS = 448 * 448;

  private final QwenVlEncoder mllm;
  private final FluxTransformer flux;
  private final AutoencoderKL vae;
  private final TextFusion fusion;
  private final FluxTextConditioner text;
  private final List<AutoCloseable> owned;
  private final Device device;

  private GptImageEditRelease(QwenVlEncoder mllm, FluxTransformer flux, AutoencoderKL vae, TextFusion fusion,
      FluxTextConditioner text, List<AutoCloseable> owned, Device device) {
    this.mllm = mllm;
    this.flux = flux;
    this.vae = vae;
    this.fusion = fusion;
    this.text = text;
    this.owned = owned;
    this.device = device;
  }

  /**
   * Loads the release with the CLI's settings (T5 length 256, images at 448 x 448 pixels).
   *
   * @param releaseFolder the release folder
   * @param kontextFolder the FLUX.1-Kontext-dev diffusers folder
   * @param storage FLOAT16 (half the memory; the encoders and Qwen compute in float32) or FLOAT32
   * @return the release; close it
   * @throws WeightLoadException if a file is missing or a checkpoint does not fit its config
   */
  public static GptImageEditRelease load(Path releaseFolder, Path kontextFolder, DataType storage) {
    return load(releaseFolder, kontextFolder, storage, T5_LENGTH, IMAGE_PIXELS, Devices.defaultDevice());
  }

  /**
   * Loads the release with the CLI's settings, every part on a device.
   *
   * @param releaseFolder the release folder
   * @param kontextFolder the FLUX.1-Kontext-dev diffusers folder
   * @param storage FLOAT16 (half the memory; the encoders and Qwen compute in float32) or FLOAT32
   * @param device where every weight lives and the edits run ({@link Devices#require checked} before any file is
   *     read)
   * @return the release; close it
   * @throws DeviceException if the engine does not have the device
   * @throws WeightLoadException if a file is missing or a checkpoint does not fit its config
   */
  public static GptImageEditRelease load(Path releaseFolder, Path kontextFolder, DataType storage, Device device) {
    return load(releaseFolder, kontextFolder, storage, T5_LENGTH, IMAGE_PIXELS, device);
  }

  /**
   * Loads the release with other T5 and image budgets (tests run tiny ones).
   *
   * @param releaseFolder the release folder
   * @param kontextFolder the FLUX.1-Kontext-dev diffusers folder
   * @param storage FLOAT16 or FLOAT32
   * @param t5Length the T5 token budget
   * @param imagePixels the image pixel bounds (min = max) of the MLLM's preprocessing
   * @return the release; close it
   * @throws WeightLoadException if a file is missing or a checkpoint does not fit its config
   * @throws IllegalArgumentException if a budget is not positive
   */
  public static GptImageEditRelease load(Path releaseFolder, Path kontextFolder, DataType storage, int t5Length,
      int imagePixels) {
    return load(releaseFolder, kontextFolder, storage, t5Length, imagePixels, Devices.defaultDevice());
  }

  /**
   * Loads the release with other T5 and image budgets, every part on a device.
   *
   * @param releaseFolder the release folder
   * @param kontextFolder the FLUX.1-Kontext-dev diffusers folder
   * @param storage FLOAT16 or FLOAT32
   * @param t5Length the T5 token budget
   * @param imagePixels the image pixel bounds (min = max) of the MLLM's preprocessing
   * @param device where every weight lives and the edits run ({@link Devices#require checked} before any file is
   *     read)
   * @return the release; close it
   * @throws DeviceException if the engine does not have the device
   * @throws WeightLoadException if a file is missing or a checkpoint does not fit its config
   * @throws IllegalArgumentException if a budget is not positive
   */
  public static GptImageEditRelease load(Path releaseFolder, Path kontextFolder, DataType storage, int t5Length,
      int imagePixels, Device device) {
    Devices.require(device);
    requireNonNull(releaseFolder, "releaseFolder");
    requireNonNull(kontextFolder, "kontextFolder");
    if (t5Length <= 0 || imagePixels <= 0) {
      throw new IllegalArgumentException("t5Length and imagePixels must be positive");
    }
    Path index = releaseFolder.resolve("model.safetensors.index.json");
    Path single = releaseFolder.resolve("model.safetensors");
    if (!Files.isRegularFile(index) && !Files.isRegularFile(single)) {
      throw new WeightLoadException(releaseFolder + ": no model.safetensors.index.json or model.safetensors");
    }
    List<AutoCloseable> owned = new ArrayList<>();
    try (SafetensorsShards shards = SafetensorsShards.open(Files.isRegularFile(index) ? index : single)) {
      QwenVlConfig qwenConfig = QwenVlConfig.fromTransformers(releaseFolder.resolve("config.json"));
      FluxConfig fluxConfig = FluxConfig.fromDiffusers(kontextFolder.resolve("transformer").resolve("config.json"));
      QwenVlModel qwen = QwenVlModel.load(qwenConfig, shards.files(),
          n -> n.startsWith(DENOISER_PREFIX) || n.startsWith(PROJECTOR_PREFIX), storage, device);
      owned.add(qwen);
      JsonTokenizer qwenTokenizer = JsonTokenizer.fromFolder(releaseFolder);
      QwenVlImageProcessor processor = QwenVlImageProcessor.withPixels(imagePixels, imagePixels).withFetchResize();
      QwenVlEncoder mllm = new QwenVlEncoder(qwen, qwenTokenizer, processor, QwenVlPrompt.Layout.RELEASE,
          "gpt-image-edit-qwen(" + releaseFolder.toAbsolutePath().normalize() + ", " + storage + ", pixels "
              + imagePixels + ")");
      owned.remove(qwen);
      owned.add(mllm);
      FluxTransformer flux = FluxTransformer.load(fluxConfig, shards.files(), DENOISER_PREFIX, device);
      owned.add(flux);
      TextFusion.Config fusionConfig = connectorConfig(shards.files(), qwenConfig, fluxConfig);
      ModelWeights connector = connector(shards.files(), fusionConfig, device);
      owned.add(connector);
      Path vaeFolder = kontextFolder.resolve("vae");
      AutoencoderKL vae;
      try (SafetensorsShards vs = openDiffusers(vaeFolder)) {
        vae = AutoencoderKL.load(VaeConfig.fromDiffusers(vaeFolder.resolve("config.json")), vs.files(), "", device);
      }
      owned.add(vae);
      JsonTokenizer clipTok = JsonTokenizer.fromFolder(kontextFolder.resolve("tokenizer"));
      owned.add(clipTok);
      ClipTextEncoder clip = ClipTextEncoder.fromFolder(kontextFolder.resolve("text_encoder"), storage, device);
      owned.add(clip);
      JsonTokenizer t5Tok = JsonTokenizer.fromFolder(kontextFolder.resolve("tokenizer_2"));
      owned.add(t5Tok);
      T5Encoder t5 = T5Encoder.fromFolder(kontextFolder.resolve("text_encoder_2"), storage, device);
      owned.add(t5);
      FluxTextConditioner text = FluxTextConditioner.builder().setT5(t5, t5Tok).setClip(clip, clipTok)
          .optMaxSequenceLength(t5Length)
          .optId("flux-text(" + kontextFolder.toAbsolutePath().normalize() + ", " + storage + ", " + t5Length + ")")
          .build();
      TextFusion fusion = new TextFusion(fusionConfig, connector, text, mllm);
      return new GptImageEditRelease(mllm, flux, vae, fusion, text, owned, device);
    } catch (RuntimeException e) {
      for (int i = owned.size() - 1; i >= 0; i--) {
        try {
          owned.get(i).close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  private static SafetensorsShards openDiffusers(Path folder) {
    for (String name : new String[] {"diffusion_pytorch_model.safetensors.index.json",
        "diffusion_pytorch_model.safetensors"}) {
      if (Files.isRegularFile(folder.resolve(name))) {
        return SafetensorsShards.open(folder.resolve(name));
      }
    }
    throw new WeightLoadException(folder + ": no diffusion_pytorch_model.safetensors(.index.json)");
  }

  private static TensorInfo tensor(List<SafetensorsFile> files, String name) {
    for (SafetensorsFile f : files) {
      if (f.tensors().containsKey(name)) {
        return f.info(name);
      }
    }
    throw new WeightLoadException("the release checkpoint has no '" + name + "' (the connector)");
  }

  /** The connector's sizes: Qwen's width in, the projector's hidden width, Kontext's text width out. */
  private static TextFusion.Config connectorConfig(List<SafetensorsFile> files, QwenVlConfig qwen, FluxConfig flux) {
    long[] first = tensor(files, PROJECTOR_PREFIX + "0.weight").shape();
    long[] second = tensor(files, PROJECTOR_PREFIX + "2.weight").shape();
    if (first.length != 2 || second.length != 2 || first[1] != qwen.text().hiddenSize() || second[1] != first[0]
        || second[0] != flux.jointAttentionDim()) {
      throw new WeightLoadException("the connector " + PROJECTOR_PREFIX + "{0,2} has shapes "
          + java.util.Arrays.toString(first) + " and " + java.util.Arrays.toString(second) + "; it must map "
          + qwen.text().hiddenSize() + " -> hidden -> " + flux.jointAttentionDim());
    }
    return new TextFusion.Config(TextFusion.Mode.MLLM_T5_CONCAT, TextFusion.Connector.MLP,
        qwen.text().hiddenSize(), Math.toIntExact(first[0]), flux.jointAttentionDim(), flux.pooledProjectionDim(),
        false, 0);
  }

  /** The release's {@code denoise_tower.denoise_projector.{0,2}} as TextFusion's {@code connector.{0,2}}. */
  private static ModelWeights connector(List<SafetensorsFile> files, TextFusion.Config config, Device device) {
    return ModelWeights.fromValues(TextFusion.spec(config), e -> {
      String name = PROJECTOR_PREFIX + e.name().substring("connector.".length());
      for (SafetensorsFile f : files) {
        if (f.tensors().containsKey(name)) {
          return f.readFloats(name);
        }
      }
      throw new WeightLoadException("the release checkpoint has no '" + name + "'");
    }, device);
  }

  /**
   * An editor with the CLI's sampling (28 steps, guidance 3.5), running on the release's {@link #device()}; it
   * borrows this release's parts.
   *
   * @return the editor
   */
  public KontextEditor editor() {
    return editor(Resolution.KONTEXT_PREFERRED);
  }

  /**
   * An editor with the CLI's sampling at another working resolution rule; it borrows this release's parts.
   *
   * @param resolution how the input size becomes the working size
   * @return the editor
   */
  public KontextEditor editor(Resolution resolution) {
    return KontextEditor.builder().setTransformer(flux).setCodec(vae).setConditioner(fusion).optDevice(device)
        .optResolution(requireNonNull(resolution, "resolution")).optName("gpt-image-edit").build();
  }

  /**
   * Every parameter the release's training stages choose from, by the names {@link ParameterSelection} reads: the
   * connector as {@code connector.0.*} and {@code connector.2.*}, the Kontext transformer in diffusers names
   * (without the checkpoint's {@code denoise_tower.denoiser.} prefix). The frozen encoders are not among them.
   * {@code ParameterSelection.connectorOnly("connector.")} is stage 1 and
   * {@code ParameterSelection.paperStage2("connector.")} stage 2.
   *
   * @return an unmodifiable map, connector first
   */
  public Map<String, NDArray> parameters() {
    Map<String, NDArray> all = new LinkedHashMap<>(fusion.trainableParameters());
    flux.parameters().asMap().forEach((n, a) -> {
      if (all.putIfAbsent(n, a) != null) {
        throw new IllegalStateException("the connector and the transformer both have a parameter '" + n + "'");
      }
    });
    return Collections.unmodifiableMap(all);
  }

  /**
   * The names a training stage updates.
   *
   * @param stage the selection, such as {@code ParameterSelection.paperStage2("connector.")}
   * @return the selected names of {@link #parameters()}
   * @throws IllegalArgumentException if the selection picks nothing
   */
  public List<String> trainable(ParameterSelection stage) {
    return requireNonNull(stage, "stage").select(parameters().keySet());
  }

  /**
   * Returns the conditioner: {@code [connector(Qwen states) ; T5 tokens]} and CLIP's pooled vector.
   *
   * @return the fusion (its connector is the trainable part)
   */
  public TextFusion fusion() {
    return fusion;
  }

  /**
   * Returns the device every part lives on and the editor runs on.
   *
   * @return the device
   */
  public Device device() {
    return device;
  }

  /**
   * Returns the MLLM.
   *
   * @return Qwen2.5-VL with the release's prompt layout and preprocessing
   */
  public QwenVlEncoder mllm() {
    return mllm;
  }

  /**
   * Returns the Kontext transformer.
   *
   * @return the denoiser
   */
  public FluxTransformer transformer() {
    return flux;
  }

  /**
   * Returns the VAE.
   *
   * @return the codec
   */
  public AutoencoderKL vae() {
    return vae;
  }

  /**
   * Returns the T5 + CLIP text path.
   *
   * @return the conditioner of the instruction's text tokens and pooled vector
   */
  public FluxTextConditioner text() {
    return text;
  }

  @Override
  public void close() {
    RuntimeException first = null;
    for (int i = owned.size() - 1; i >= 0; i--) {
      try {
        owned.get(i).close();
      } catch (Exception e) {
        if (first == null) {
          first = e instanceof RuntimeException r ? r : new IllegalStateException(e);
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
