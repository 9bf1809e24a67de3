package io.gptedit.models.mllm;

import static io.gptedit.models.nn.Layers.geluTanh;
import static io.gptedit.models.nn.Layers.layerNorm;
import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.conditioning.ImageFeatures;
import io.gptedit.models.nn.DeviceException;
import io.gptedit.models.nn.Devices;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.nn.ParameterSpec;
import io.gptedit.models.nn.ParameterSpec.Init;
import io.gptedit.models.nn.WeightLoadException;
import io.gptedit.models.safetensors.SafetensorsFile;
import io.gptedit.models.safetensors.SafetensorsShards;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * SigLIP's vision tower (transformers' {@code SiglipVisionModel}; siglip-so400m-patch14-384,
 * siglip2-so400m-patch16-512): a patch-embedding convolution plus learned position embeddings, pre-LayerNorm
 * encoder layers (attention with biases, GELU-tanh MLP), a final LayerNorm ({@code last_hidden_state}) and the
 * attention-pooling head ({@code pooler_output}).
 *
 * <p>As an {@link ImageFeatures} it gives UniWorld's SigLIP-token features: the image preprocessed by its
 * {@link SiglipImageProcessor}, then {@code last_hidden_state} (1, tokens, hidden). Parameters carry the published
 * names ({@code vision_model.embeddings.patch_embedding.weight}, ...); {@link #load} also accepts transformers 5's
 * prefix-less {@code SiglipVisionModel} files and ignores the text tower of a full {@code SiglipModel} file
 * ({@code text_model.*}, {@code logit_scale}, {@code logit_bias}). Parameters may be stored as float16; the forward
 * computes in float32.
 *
 * <p>Every factory has an overload that takes a device ({@link Devices#require checked} before any file is read):
 * the weights are created there, and the forward works under the caller's manager, which must be on the same
 * device; without one they go to the engine's default.
 *
 * @since 0.1
 */
public final class SiglipVisionTower implements ImageFeatures, AutoCloseable {
  /** The prefix of the vision tensors in the published checkpoints. */
  public static final String PREFIX = "vision_model.";

  private final SiglipVisionConfig config;
  private final ModelWeights params;
  private final SiglipImageProcessor processor;

  /**
   * Wraps parameters that match a config.
   *
   * @param config the hyper-parameters
   * @param params parameters declared by {@link #spec(SiglipVisionConfig)} (without the prefix)
   * @param processor the image preprocessing
   */
  public SiglipVisionTower(SiglipVisionConfig config, ModelWeights params, SiglipImageProcessor processor) {
    this.config = requireNonNull(config, "config");
    this.params = requireNonNull(params, "params");
    this.processor = requireNonNull(processor, "processor");
    if (processor.height() != config.imageSize() || processor.width() != config.imageSize()) {
      throw new IllegalArgumentException("the processor gives " + processor.width() + "x" + processor.height()
          + " but the tower takes " + config.imageSize() + "x" + config.imageSize());
    }
  }

  /**
   * Creates a tower with seeded random weights and the released preprocessing at its size.
   *
   * @param config the hyper-parameters
   * @param seed the seed
   * @return the tower
   */
  public static SiglipVisionTower random(SiglipVisionConfig config, long seed) {
    return random(config, seed, Devices.defaultDevice());
  }

  /**
   * Creates a tower with seeded random weights on a device (the same values as {@link
   * #random(SiglipVisionConfig, long)}: they are drawn in Java).
   *
   * @param config the hyper-parameters
   * @param seed the seed
   * @param device where the weights live
   * @return the tower
   * @throws DeviceException if the engine does not have the device
   */
  public static SiglipVisionTower random(SiglipVisionConfig config, long seed, Device device) {
    Devices.require(device);
    return new SiglipVisionTower(config, ModelWeights.random(spec(config), seed, device),
        SiglipImageProcessor.square(config.imageSize()));
  }

  /**
   * Declares every parameter, in the published names less {@link #PREFIX}.
   *
   * @param c the config
   * @return the spec
   */
  public static ParameterSpec spec(SiglipVisionConfig c) {
    ParameterSpec s = new ParameterSpec();
    int h = c.hiddenSize();
    s.add("embeddings.patch_embedding.weight", Init.SMALL, h, 3, c.patchSize(), c.patchSize());
    s.add("embeddings.patch_embedding.bias", Init.ZERO, h);
    s.add("embeddings.position_embedding.weight", Init.SMALL, c.tokens(), h);
    for (int i = 0; i < c.layers(); i++) {
      String l = "encoder.layers." + i + ".";
      s.norm(l + "layer_norm1", h);
      for (String p : new String[] {"k_proj", "v_proj", "q_proj", "out_proj"}) {
        s.linear(l + "self_attn." + p, h, h, true);
      }
      s.norm(l + "layer_norm2", h);
      s.linear(l + "mlp.fc1", h, c.intermediateSize(), true);
      s.linear(l + "mlp.fc2", c.intermediateSize(), h, true);
    }
    s.norm("post_layernorm", h);
    if (c.head()) {
      s.add("head.probe", Init.SMALL, 1, 1, h);
      s.add("head.attention.in_proj_weight", Init.SMALL, 3L * h, h);
      s.add("head.attention.in_proj_bias", Init.ZERO, 3L * h);
      s.linear("head.attention.out_proj", h, h, true);
      s.norm("head.layernorm", h);
      s.linear("head.mlp.fc1", h, c.intermediateSize(), true);
      s.linear("head.mlp.fc2", c.intermediateSize(), h, true);
    }
    return s;
  }

  /**
   * Loads a tower strictly: any missing or unexpected vision tensor fails with every name listed.
   *
   * @param config the hyper-parameters
   * @param shards the shards of a {@code SiglipVisionModel} or {@code SiglipModel}
   * @param processor the preprocessing
   * @param storage FLOAT32, or FLOAT16 for half the memory
   * @return the tower
   * @throws WeightLoadException if the checkpoint does not fit
   */
  public static SiglipVisionTower load(SiglipVisionConfig config, List<SafetensorsFile> shards,
      SiglipImageProcessor processor, DataType storage) {
    return load(config, shards, processor, storage, Devices.defaultDevice());
  }

  /**
   * Loads a tower strictly, like {@link #load(SiglipVisionConfig, List, SiglipImageProcessor, DataType)}, onto a
   * device.
   *
   * @param config the hyper-parameters
   * @param shards the shards of a {@code SiglipVisionModel} or {@code SiglipModel}
   * @param processor the preprocessing
   * @param storage FLOAT32, or FLOAT16 for half the memory
   * @param device where the weights live ({@link Devices#require checked} before any tensor is read)
   * @return the tower
   * @throws DeviceException if the engine does not have the device
   * @throws WeightLoadException if the checkpoint does not fit
   */
  public static SiglipVisionTower load(SiglipVisionConfig config, List<SafetensorsFile> shards,
      SiglipImageProcessor processor, DataType storage, Device device) {
    Devices.require(device);
    Set<String> names = Weights.names(shards);
    boolean prefixless = names.contains("embeddings.patch_embedding.weight");
    String root = prefixless ? "" : PREFIX;
    ParameterSpec spec = spec(config);
    Weights.checkNames(spec, shards, root,
        n -> n.startsWith("text_model.") || n.equals("logit_scale") || n.equals("logit_bias"),
        "SiglipVisionModel");
    return new SiglipVisionTower(config, ModelWeights.load(spec, shards, root, false, 0, storage, device),
        processor);
  }

  /**
   * Loads a transformers folder: {@code config.json} (of a {@code SiglipVisionModel} or {@code SiglipModel}),
   * {@code preprocessor_config.json} when present (else the released square bicubic preprocessing), and
   * {@code model.safetensors} or a sharded index.
   *
   * @param folder the folder
   * @param storage FLOAT32 or FLOAT16
   * @return the tower
   * @throws WeightLoadException if a file is missing or does not fit
   */
  public static SiglipVisionTower fromFolder(Path folder, DataType storage) {
    return fromFolder(folder, storage, Devices.defaultDevice());
  }

  /**
   * Loads a transformers folder like {@link #fromFolder(Path, DataType)} onto a device.
   *
   * @param folder the folder
   * @param storage FLOAT32 or FLOAT16
   * @param device where the weights live ({@link Devices#require checked} before any file is read)
   * @return the tower
   * @throws DeviceException if the engine does not have the device
   * @throws WeightLoadException if a file is missing or does not fit
   */
  public static SiglipVisionTower fromFolder(Path folder, DataType storage, Device device) {
    Devices.require(device);
    SiglipVisionConfig config = SiglipVisionConfig.fromTransformers(folder.resolve("config.json"));
    Path pre = folder.resolve("preprocessor_config.json");
    SiglipImageProcessor processor = Files.isRegularFile(pre) ? SiglipImageProcessor.fromFile(pre)
        : SiglipImageProcessor.square(config.imageSize());
    try (SafetensorsShards shards = Weights.open(folder)) {
      return load(config, shards.files(), processor, storage, device);
    }
  }

  /**
   * Returns the config.
   *
   * @return the config
   */
  public SiglipVisionConfig config() {
    return config;
  }

  /**
   * Returns the preprocessing.
   *
   * @return the processor
   */
  public SiglipImageProcessor processor() {
    return processor;
  }

  /**
   * Returns the parameters.
   *
   * @return the store
   */
  public ModelWeights parameters() {
    return params;
  }

  /** The tower's two outputs. */
  public record Output(NDArray lastHiddenState, NDArray pooled) {}

  /**
   * Runs the tower on preprocessed pixels.
   *
   * @param pixelValues (B, 3, imageSize, imageSize)
   * @param out the manager of the results
   * @return {@code last_hidden_state} (B, tokens, hidden) and, with a head, {@code pooler_output} (B, hidden);
   *     the pooled output is null without a head
   * @throws IllegalArgumentException if the pixels are not of the tower's size
   * @throws DeviceException if {@code out} is not on the weights' device
   */
  public Output forward(NDArray pixelValues, NDManager out) {
    Shape s = pixelValues.getShape();
    int size = config.imageSize();
    if (s.dimension() != 4 || s.get(1) != 3 || s.get(2) != size || s.get(3) != size) {
      throw new IllegalArgumentException("pixel values must be (B, 3, " + size + ", " + size + "), got " + s);
    }
    Weights.requireOn(out, params, "SigLIP");
    int b = (int) s.get(0);
    int p = config.patchSize();
    int side = size / p;
    int h = config.hiddenSize();
    try (NDManager scope = out.newSubManager()) {
      // The stride-p convolution as a linear map of each patch's (channel, row, column) values; like the
      // convolution it ignores the pixels past the last whole patch.
      NDArray cropped = side * p == size ? pixelValues : pixelValues.get(":, :, :" + side * p + ", :" + side * p);
      NDArray patches = cropped.reshape(b, 3, side, p, side, p).transpose(0, 2, 4, 1, 3, 5)
          .reshape(b, side * side, 3L * p * p);
      NDArray w = Weights.get(params, "embeddings.patch_embedding.weight", scope).reshape(h, 3L * p * p);
      NDArray x = patches.getNDArrayInternal()
          .linear(patches, w, Weights.get(params, "embeddings.patch_embedding.bias", scope)).singletonOrThrow();
      x = x.add(Weights.get(params, "embeddings.position_embedding.weight", scope));
      for (int i = 0; i < config.layers(); i++) {
        x = layer(x, "encoder.layers." + i + ".", scope);
      }
      NDArray last = norm(x, "post_layernorm", scope);
      NDArray pooled = config.head() ? head(last, scope) : null;
      last.attach(out);
      if (pooled != null) {
        pooled.attach(out);
      }
      return new Output(last, pooled);
    }
  }

  @Override
  public NDArray features(RgbImage image, NDManager manager) {
    Weights.requireOn(manager, params, "SigLIP");
    try (NDManager scope = manager.newSubManager()) {
      NDArray last = forward(processor.pixelValues(image, scope), scope).lastHiddenState();
      last.attach(manager);
      return last;
    }
  }

  private NDArray layer(NDArray x, String l, NDManager scope) {
    NDArray h = norm(x, l + "layer_norm1", scope);
    NDArray q = heads(Weights.linear(h, params, l + "self_attn.q_proj", scope));
    NDArray k = heads(Weights.linear(h, params, l + "self_attn.k_proj", scope));
    NDArray v = heads(Weights.linear(h, params, l + "self_attn.v_proj", scope));
    x = x.add(Weights.linear(merge(Weights.attention(q, k, v, null)), params, l + "self_attn.out_proj", scope));
    return x.add(mlp(norm(x, l + "layer_norm2", scope), l + "mlp.", scope));
  }

  private NDArray mlp(NDArray x, String p, NDManager scope) {
    return Weights.linear(geluTanh(Weights.linear(x, params, p + "fc1", scope)), params, p + "fc2", scope);
  }

  /** The attention-pooling head: one learned probe attends over the tokens, then a residual MLP. */
  private NDArray head(NDArray x, NDManager scope) {
    long b = x.getShape().get(0);
    int h = config.hiddenSize();
    NDArray inW = Weights.get(params, "head.attention.in_proj_weight", scope);
    NDArray inB = Weights.get(params, "head.attention.in_proj_bias", scope);
    NDArray probe = Weights.get(params, "head.probe", scope).broadcast(b, 1, h);
    NDArray q = heads(linearSlice(probe, inW, inB, 0));
    NDArray k = heads(linearSlice(x, inW, inB, 1));
    NDArray v = heads(linearSlice(x, inW, inB, 2));
    NDArray a = Weights.linear(merge(Weights.attention(q, k, v, null)), params, "head.attention.out_proj", scope);
    a = a.add(mlp(norm(a, "head.layernorm", scope), "head.mlp.", scope));
    return a.reshape(b, h);
  }

  /** One of the three projections packed in {@code in_proj_weight} (q, k, v in that order). */
  private NDArray linearSlice(NDArray x, NDArray w, NDArray bias, int part) {
    int h = config.hiddenSize();
    NDArray wp = w.get(part * h + ":" + (part + 1) * h);
    NDArray bp = bias.get(part * h + ":" + (part + 1) * h);
    return x.getNDArrayInternal().linear(x, wp, bp).singletonOrThrow();
  }

  private NDArray heads(NDArray x) {
    Shape s = x.getShape();
    int heads = config.heads();
    return x.reshape(s.get(0), s.get(1), heads, config.hiddenSize() / heads).transpose(0, 2, 1, 3);
  }

  private NDArray merge(NDArray x) {
    Shape s = x.getShape();
    return x.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), config.hiddenSize());
  }

  private NDArray norm(NDArray x, String prefix, NDManager scope) {
    return layerNorm(x, config.layerNormEps())
        .mul(Weights.get(params, prefix + ".weight", scope))
        .add(Weights.get(params, prefix + ".bias", scope));
  }

  @Override
  public void close() {
    params.close();
  }
}
