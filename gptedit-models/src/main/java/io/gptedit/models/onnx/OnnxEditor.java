package io.gptedit.models.onnx;

import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import io.gptedit.core.editor.EditException;
import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.editor.ImageEditor;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.conditioning.TextConditioning;
import io.gptedit.models.editor.KontextSampling;
import io.gptedit.models.editor.Resolution;
import io.gptedit.models.flow.EulerSampler;
import io.gptedit.models.flux.FluxInput;
import io.gptedit.models.text.TextTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Kontext-style editor whose denoiser, VAE encoder, VAE decoder and text encoder are ONNX graphs run by ONNX
 * Runtime, while the working size, noise, packing, position ids, schedule, guidance and Euler sampling are the same
 * code as the DJL {@link io.gptedit.models.editor.KontextEditor} ({@link KontextSampling}).
 *
 * <p>The editor is built from a folder holding {@value OnnxEditorConfig#FILE_NAME} and the graphs it names. At
 * load every graph's input and output names, ranks, fixed dims and dtypes are checked against the config, and the
 * graphs against each other (latent channels, packed width, pooled size). float16 graphs are fed and read through
 * a conversion at the boundary. Runs on the CPU provider unless {@link OnnxDevice#CUDA} is asked for; the DJL
 * arrays between the graphs (noise, packing, the sampler's update) are on the CPU either way, since ONNX Runtime
 * takes and returns host buffers. Calls are serialised; close the editor to release the sessions.
 *
 * @since 0.1
 */
public final class OnnxEditor implements ImageEditor {
  private final OnnxEditorConfig config;
  private final OnnxGraph denoiser;
  private final OnnxGraph vaeEncoder;
  private final OnnxGraph vaeDecoder;
  private final OnnxGraph textEncoder;
  private final TextTokenizer tokenizer;
  private final Resolution resolution;
  private final EulerSampler.StepListener listener;
  private final int latentChannels;
  private final int pooledDim;

  private OnnxEditor(Builder b, OnnxEditorConfig config, List<OnnxGraph> graphs) {
    this.config = config;
    this.denoiser = graphs.get(0);
    this.vaeEncoder = graphs.get(1);
    this.vaeDecoder = graphs.get(2);
    this.textEncoder = graphs.get(3);
    this.tokenizer = b.tokenizer;
    this.resolution = b.resolution;
    this.listener = b.listener;
    this.latentChannels = (int) config.vaeEncoder().outputs().get("latents").shape()[1];
    this.pooledDim = (int) config.denoiser().inputs().get("pooled_projections").shape()[1];
  }

  /**
   * Returns a builder for the editor in {@code folder}.
   *
   * @param folder the folder holding {@value OnnxEditorConfig#FILE_NAME} and the graphs
   * @return a new builder
   */
  public static Builder builder(Path folder) {
    return new Builder(folder);
  }

  /**
   * Returns the config the editor was loaded with.
   *
   * @return the config
   */
  public OnnxEditorConfig config() {
    return config;
  }

  @Override
  public String name() {
    return "onnx-kontext";
  }

  @Override
  public synchronized RgbImage edit(RgbImage input, String instruction, EditOptions options) {
    try {
      // The DJL arrays here are host-side glue (noise, packing, ids, the Euler update) between ONNX Runtime calls,
      // which read and write host buffers whatever their execution provider: on the CPU by name, not on the
      // engine's default device, so a CUDA libtorch does not copy every step to a GPU and back.
      return KontextSampling.edit(
          new Models(), input, instruction, options, resolution, config.vaeSpatialFactor() * 2, listener,
          Device.cpu());
    } catch (EngineException | IllegalArgumentException | IllegalStateException | OnnxGraphException e) {
      throw new EditException("ONNX Kontext edit failed: " + e.getMessage(), false, e);
    }
  }

  /** The four networks as ONNX graphs. */
  private final class Models implements KontextSampling.Models {
    @Override
    public NDArray encode(NDArray image, NDManager manager) {
      return vaeEncoder.run(inputs(vaeEncoder, "image", image), Map.of(), manager).get("latents");
    }

    @Override
    public TextConditioning text(RgbImage image, String instruction, NDManager manager) {
      int[] ids = tokenizer.encode(instruction, config.maxTextTokens());
      Map<String, OnnxTensor> in = new LinkedHashMap<>();
      try {
        in.put("input_ids", textEncoder.tokenIds(ids));
      } catch (OrtException e) {
        throw new OnnxGraphException(textEncoder.file() + ": cannot create input_ids: " + e.getMessage(), e);
      }
      Map<String, NDArray> out = textEncoder.run(in, Map.of(), manager);
      NDArray pooled = out.get("pooled");
      if (pooled == null) {
        // Like TextFusion: no CLIP, so Flux's pooled input is zero.
        pooled = manager.zeros(new Shape(1, pooledDim));
      }
      return new TextConditioning(out.get("hidden_states"), pooled);
    }

    @Override
    public NDArray denoise(FluxInput in, NDManager scope) {
      Map<String, OnnxTensor> feed = new LinkedHashMap<>();
      try {
        feed.put("hidden_states", denoiser.floats("hidden_states", in.hidden()));
        feed.put("encoder_hidden_states", denoiser.floats("encoder_hidden_states", in.encoderHidden()));
        feed.put("pooled_projections", denoiser.floats("pooled_projections", in.pooled()));
        feed.put("timestep", denoiser.floats("timestep", scope.create(in.timesteps())));
        feed.put("guidance", denoiser.floats("guidance", scope.create(in.guidance())));
        feed.put("img_ids", denoiser.ids(in.imageIds()));
        feed.put("txt_ids", denoiser.ids(in.textIds()));
      } catch (OrtException | RuntimeException e) {
        closeAll(feed);
        throw new OnnxGraphException(denoiser.file() + ": cannot create the denoiser inputs: " + e.getMessage(), e);
      }
      return denoiser.run(feed, Map.of("sample", in.hidden().getShape().getShape()), scope).get("sample");
    }

    @Override
    public NDArray decode(NDArray latents, NDManager manager) {
      return vaeDecoder.run(inputs(vaeDecoder, "latents", latents), Map.of(), manager).get("image");
    }

    // Here, not in OnnxEditor: a catch of an ONNX Runtime type in OnnxEditor itself would make the class fail
    // to link without ONNX Runtime, before build() can say which dependency is missing.
    private Map<String, OnnxTensor> inputs(OnnxGraph graph, String role, NDArray array) {
      try {
        return Map.of(role, graph.floats(role, array));
      } catch (OrtException e) {
        throw new OnnxGraphException(graph.file() + ": cannot create input " + role + ": " + e.getMessage(), e);
      }
    }
  }

  private static void closeAll(Map<String, OnnxTensor> tensors) {
    tensors.values().forEach(OnnxTensor::close);
  }

  @Override
  public void close() {
    closeGraphs(List.of(denoiser, vaeEncoder, vaeDecoder, textEncoder));
  }

  private static void closeGraphs(List<OnnxGraph> graphs) {
    RuntimeException first = null;
    for (OnnxGraph g : graphs) {
      try {
        g.close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** Cross-checks between the graphs' configs that the sampling code relies on. */
  private static void checkConsistency(Path file, OnnxEditorConfig c) {
    long[] latents = c.vaeEncoder().outputs().get("latents").shape();
    if (latents.length != 4 || latents[1] < 0) {
      throw new OnnxConfigException(
          file + ": field 'vae_encoder.outputs.latents.shape' must be (1, C, -1, -1) with a fixed C");
    }
    long[] dec = c.vaeDecoder().inputs().get("latents").shape();
    if (dec.length != 4 || (dec[1] >= 0 && dec[1] != latents[1])) {
      throw new OnnxConfigException(
          file + ": field 'vae_decoder.inputs.latents.shape' must be rank 4 with " + latents[1] + " channels");
    }
    long[] hidden = c.denoiser().inputs().get("hidden_states").shape();
    if (hidden.length != 3 || (hidden[2] >= 0 && hidden[2] != 4 * latents[1])) {
      throw new OnnxConfigException(file + ": field 'denoiser.inputs.hidden_states.shape' must be (1, -1, "
          + 4 * latents[1] + ") for 2x2-packed " + latents[1] + "-channel latents");
    }
    long[] pooled = c.denoiser().inputs().get("pooled_projections").shape();
    if (pooled.length != 2 || pooled[1] < 0) {
      throw new OnnxConfigException(
          file + ": field 'denoiser.inputs.pooled_projections.shape' must be (1, P) with a fixed P");
    }
    for (String role : List.of("timestep", "guidance")) {
      if (c.denoiser().inputs().get(role).shape().length != 1) {
        throw new OnnxConfigException(file + ": field 'denoiser.inputs." + role + ".shape' must be [1]");
      }
    }
    for (String role : List.of("img_ids", "txt_ids")) {
      long[] s = c.denoiser().inputs().get(role).shape();
      if (s.length != 2 || s[1] != 3) {
        throw new OnnxConfigException(file + ": field 'denoiser.inputs." + role + ".shape' must be [-1, 3]");
      }
    }
  }

  /** Builds an {@link OnnxEditor}: reads the config, checks the provider, opens and validates the graphs. */
  public static final class Builder {
    private final Path folder;
    private OnnxDevice device = OnnxDevice.CPU;
    private TextTokenizer tokenizer;
    private Resolution resolution = Resolution.KONTEXT_PREFERRED;
    private EulerSampler.StepListener listener = (s, n) -> {};
    private int threads;

    private Builder(Path folder) {
      this.folder = requireNonNull(folder, "folder");
    }

    /**
     * Sets the execution provider (default {@link OnnxDevice#CPU}).
     *
     * @param device CPU or CUDA
     * @return this builder
     */
    public Builder optDevice(OnnxDevice device) {
      this.device = requireNonNull(device, "device");
      return this;
    }

    /**
     * Sets the number of intra-op threads of every session (default 0: ONNX Runtime's choice, one per core).
     *
     * @param threads a positive count, or 0 for the default
     * @return this builder
     */
    public Builder optIntraOpThreads(int threads) {
      if (threads < 0) {
        throw new IllegalArgumentException("threads must be >= 0, got " + threads);
      }
      this.threads = threads;
      return this;
    }

    /**
     * Sets the text encoder's tokenizer (required).
     *
     * @param tokenizer for example {@code ByteTokenizer} for byte-level encoders
     * @return this builder
     */
    public Builder setTokenizer(TextTokenizer tokenizer) {
      this.tokenizer = tokenizer;
      return this;
    }

    /**
     * Sets the working-resolution policy (default {@link Resolution#KONTEXT_PREFERRED}).
     *
     * @param resolution the policy
     * @return this builder
     */
    public Builder optResolution(Resolution resolution) {
      this.resolution = requireNonNull(resolution, "resolution");
      return this;
    }

    /**
     * Sets a progress listener called after every sampling step.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder optListener(EulerSampler.StepListener listener) {
      this.listener = requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Loads the editor.
     *
     * @return the editor; close it to release the sessions
     * @throws OnnxConfigException if the config is malformed or inconsistent
     * @throws OnnxGraphException if a graph is missing, cannot be loaded or does not match the config
     * @throws OnnxProviderException if ONNX Runtime (an optional dependency) is not on the class path or does not
     *     load, or CUDA was asked for and is not available
     */
    public OnnxEditor build() {
      requireNonNull(tokenizer, "tokenizer");
      OnnxProviderException.requireRuntime("the ONNX editor in " + folder);
      Path file = folder.resolve(OnnxEditorConfig.FILE_NAME);
      OnnxEditorConfig config = OnnxEditorConfig.read(file);
      checkConsistency(file, config);
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      if (device == OnnxDevice.CUDA) {
        EnumSet<OrtProvider> available = OrtEnvironment.getAvailableProviders();
        if (!available.contains(OrtProvider.CUDA)) {
          throw new OnnxProviderException(
              "the CUDA execution provider was requested for " + folder + " but this ONNX Runtime build offers only "
                  + available + "; use the com.microsoft.onnxruntime:onnxruntime_gpu artifact with CUDA and cuDNN"
                  + " on the library path, or run on OnnxDevice.CPU");
        }
      }
      List<OnnxGraph> graphs = new ArrayList<>();
      try {
        graphs.add(OnnxGraph.open(env, folder, "denoiser", config.denoiser(), device, threads));
        graphs.add(OnnxGraph.open(env, folder, "vae_encoder", config.vaeEncoder(), device, threads));
        graphs.add(OnnxGraph.open(env, folder, "vae_decoder", config.vaeDecoder(), device, threads));
        graphs.add(OnnxGraph.open(env, folder, "text_encoder", config.textEncoder(), device, threads));
      } catch (RuntimeException e) {
        try {
          closeGraphs(graphs);
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
      return new OnnxEditor(this, config, graphs);
    }
  }
}
