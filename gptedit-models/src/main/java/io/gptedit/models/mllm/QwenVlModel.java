package io.gptedit.models.mllm;

import static io.gptedit.models.nn.Layers.silu;
import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.gptedit.models.nn.DeviceException;
import io.gptedit.models.nn.Devices;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.nn.ParameterSpec;
import io.gptedit.models.nn.Qwen2Layer;
import io.gptedit.models.nn.ParameterSpec.Init;
import io.gptedit.models.nn.WeightLoadException;
import io.gptedit.models.safetensors.SafetensorsFile;
import io.gptedit.models.safetensors.SafetensorsShards;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Qwen2.5-VL ({@code Qwen2_5_VLForConditionalGeneration}) up to the language model's last hidden state, the
 * states the paper's connector reads: the vision tower (patch embedding, 2-D rotary positions, blocks with
 * windowed or full attention, the 2x2 patch merger) and the Qwen2 decoder (grouped-query causal attention with
 * multimodal rotary positions, SwiGLU, RMSNorm), with the image embeddings put in place of the
 * {@code <|image_pad|>} tokens.
 *
 * <p>Parameters carry the published checkpoint names ({@code visual.blocks.N.attn.qkv.weight},
 * {@code model.layers.N.self_attn.q_proj.weight}, ..., {@code lm_head.weight}); {@link #fromFolder} reads
 * {@code config.json} and {@code model.safetensors} or the sharded {@code model.safetensors.index.json}, checks the
 * names strictly (missing or unexpected tensors are a {@link WeightLoadException} naming them) and loads everything
 * but {@code lm_head}, which hidden states never use. Parameters may be stored as float16 (the 7B model in about
 * 16 GB); the forward computes in float32, one layer's weights widened at a time.
 *
 * <p>Every factory has an overload that takes a device ({@link Devices#require checked} before any file is read):
 * the weights are created there, and the forward works under the caller's manager, which must be on the same
 * device ({@code TextFusion.prepare} opens one on its connector's); without one they go to the engine's default.
 *
 * @since 0.1
 */
public final class QwenVlModel implements AutoCloseable {
  /** The output head: declared (the checkpoint holds it) but never loaded. */
  static final String LM_HEAD = "lm_head.weight";
  private static final float VISION_EPS = 1e-6f;
  private static final double VISION_THETA = 10000;

  private final QwenVlConfig config;
  private final ModelWeights params;

  /**
   * Wraps parameters that match a config.
   *
   * @param config the hyper-parameters
   * @param params parameters declared by {@link #spec(QwenVlConfig)} less {@code lm_head.weight}
   */
  public QwenVlModel(QwenVlConfig config, ModelWeights params) {
    this.config = requireNonNull(config, "config");
    this.params = requireNonNull(params, "params");
  }

  /**
   * Declares every tensor of the published checkpoint, {@code lm_head.weight} included.
   *
   * @param c the config
   * @return the spec
   */
  public static ParameterSpec spec(QwenVlConfig c) {
    ParameterSpec s = loadedSpec(c);
    s.add(LM_HEAD, Init.SMALL, c.text().vocabSize(), c.text().hiddenSize());
    return s;
  }

  /** The tensors the forward reads (all but {@code lm_head}). */
  static ParameterSpec loadedSpec(QwenVlConfig c) {
    ParameterSpec s = new ParameterSpec();
    QwenVlConfig.Vision v = c.vision();
    int vh = v.hiddenSize();
    s.add("visual.patch_embed.proj.weight", Init.SMALL, vh, 3, v.temporalPatchSize(), v.patchSize(),
        v.patchSize());
    for (int i = 0; i < v.depth(); i++) {
      String b = "visual.blocks." + i + ".";
      s.add(b + "norm1.weight", Init.NEAR_ONE, vh);
      s.add(b + "norm2.weight", Init.NEAR_ONE, vh);
      s.linear(b + "attn.qkv", vh, 3L * vh, true);
      s.linear(b + "attn.proj", vh, vh, true);
      s.linear(b + "mlp.gate_proj", vh, v.intermediateSize(), true);
      s.linear(b + "mlp.up_proj", vh, v.intermediateSize(), true);
      s.linear(b + "mlp.down_proj", v.intermediateSize(), vh, true);
    }
    int merged = vh * v.spatialMergeSize() * v.spatialMergeSize();
    s.add("visual.merger.ln_q.weight", Init.NEAR_ONE, vh);
    s.linear("visual.merger.mlp.0", merged, merged, true);
    s.linear("visual.merger.mlp.2", merged, v.outHiddenSize(), true);
    QwenVlConfig.Text t = c.text();
    int h = t.hiddenSize();
    s.add("model.embed_tokens.weight", Init.SMALL, t.vocabSize(), h);
    Qwen2Layer layer = layer(t);
    for (int i = 0; i < t.layers(); i++) {
      layer.declare(s, "model.layers." + i + ".");
    }
    s.add("model.norm.weight", Init.NEAR_ONE, h);
    return s;
  }

  /**
   * Creates a model with seeded random weights.
   *
   * @param config the hyper-parameters
   * @param seed the seed
   * @return the model
   */
  public static QwenVlModel random(QwenVlConfig config, long seed) {
    return random(config, seed, Devices.defaultDevice());
  }

  /**
   * Creates a model with seeded random weights on a device (the same values as {@link #random(QwenVlConfig,
   * long)}: they are drawn in Java).
   *
   * @param config the hyper-parameters
   * @param seed the seed
   * @param device where the weights live
   * @return the model
   * @throws DeviceException if the engine does not have the device
   */
  public static QwenVlModel random(QwenVlConfig config, long seed, Device device) {
    Devices.require(device);
    return new QwenVlModel(config, ModelWeights.random(loadedSpec(config), seed, device));
  }

  /**
   * Loads a model strictly from shards holding the published names under {@code prefix} (the empty string for a
   * Qwen2.5-VL folder); tensors outside the prefix are ignored, and within it {@code ignoredNames} are too.
   *
   * @param config the hyper-parameters
   * @param shards the shards
   * @param prefix the key prefix of the Qwen tensors
   * @param ignored further names under the prefix that are not Qwen's (a release's connector, say)
   * @param storage FLOAT32, or FLOAT16 for half the memory
   * @param device where the weights live (checked by the public callers)
   * @return the model
   * @throws WeightLoadException if a Qwen tensor is missing, unexpected or misshapen
   */
  static QwenVlModel load(QwenVlConfig config, List<SafetensorsFile> shards, String prefix,
      java.util.function.Predicate<String> ignored, DataType storage, Device device) {
    Devices.require(device);
    Weights.checkNames(spec(config), shards, prefix, n -> !n.startsWith(prefix) || ignored.test(n),
        "Qwen2_5_VLForConditionalGeneration");
    return new QwenVlModel(config,
        ModelWeights.load(loadedSpec(config), shards, prefix, false, 0, storage, device));
  }

  /**
   * Loads the Qwen part of a checkpoint that also holds other models (the GPT-Image-Edit release's
   * {@code denoise_tower.*}): tensors {@code foreign} accepts are skipped, every other tensor must be a declared
   * Qwen tensor and every declared one must be present.
   *
   * @param config the hyper-parameters
   * @param shards the shards
   * @param foreign the names of the other models' tensors
   * @param storage FLOAT32, or FLOAT16 for half the memory
   * @return the model
   * @throws WeightLoadException if a Qwen tensor is missing or misshapen, or a tensor is neither Qwen's nor foreign
   */
  public static QwenVlModel load(QwenVlConfig config, List<SafetensorsFile> shards,
      java.util.function.Predicate<String> foreign, DataType storage) {
    return load(config, shards, foreign, storage, Devices.defaultDevice());
  }

  /**
   * Loads the Qwen part of a checkpoint that also holds other models, like {@link #load(QwenVlConfig, List,
   * java.util.function.Predicate, DataType)}, onto a device.
   *
   * @param config the hyper-parameters
   * @param shards the shards
   * @param foreign the names of the other models' tensors
   * @param storage FLOAT32, or FLOAT16 for half the memory
   * @param device where the weights live ({@link Devices#require checked} before any tensor is read)
   * @return the model
   * @throws DeviceException if the engine does not have the device
   * @throws WeightLoadException if a Qwen tensor is missing or misshapen, or a tensor is neither Qwen's nor foreign
   */
  public static QwenVlModel load(QwenVlConfig config, List<SafetensorsFile> shards,
      java.util.function.Predicate<String> foreign, DataType storage, Device device) {
    Devices.require(device);
    return load(config, shards, "", requireNonNull(foreign, "foreign"), storage, device);
  }

  /**
   * Loads a model strictly from shards in the published names.
   *
   * @param config the hyper-parameters
   * @param shards the shards
   * @param storage FLOAT32, or FLOAT16 for half the memory
   * @return the model
   * @throws WeightLoadException if a tensor is missing, unexpected or misshapen
   */
  public static QwenVlModel load(QwenVlConfig config, List<SafetensorsFile> shards, DataType storage) {
    return load(config, shards, storage, Devices.defaultDevice());
  }

  /**
   * Loads a model strictly from shards in the published names onto a device.
   *
   * @param config the hyper-parameters
   * @param shards the shards
   * @param storage FLOAT32, or FLOAT16 for half the memory
   * @param device where the weights live ({@link Devices#require checked} before any tensor is read)
   * @return the model
   * @throws DeviceException if the engine does not have the device
   * @throws WeightLoadException if a tensor is missing, unexpected or misshapen
   */
  public static QwenVlModel load(QwenVlConfig config, List<SafetensorsFile> shards, DataType storage,
      Device device) {
    Devices.require(device);
    return load(config, shards, "", n -> false, storage, device);
  }

  /**
   * Loads a transformers folder such as Qwen2.5-VL-7B-Instruct's: {@code config.json} plus
   * {@code model.safetensors.index.json} and its shards (or one {@code model.safetensors}).
   *
   * @param folder the folder
   * @param storage FLOAT32 or FLOAT16
   * @return the model
   * @throws WeightLoadException if a file is missing or the checkpoint does not fit its config
   */
  public static QwenVlModel fromFolder(Path folder, DataType storage) {
    return fromFolder(folder, storage, Devices.defaultDevice());
  }

  /**
   * Loads a transformers folder like {@link #fromFolder(Path, DataType)} onto a device.
   *
   * @param folder the folder
   * @param storage FLOAT32 or FLOAT16
   * @param device where the weights live ({@link Devices#require checked} before any file is read)
   * @return the model
   * @throws DeviceException if the engine does not have the device
   * @throws WeightLoadException if a file is missing or the checkpoint does not fit its config
   */
  public static QwenVlModel fromFolder(Path folder, DataType storage, Device device) {
    Devices.require(device);
    QwenVlConfig config = QwenVlConfig.fromTransformers(folder.resolve("config.json"));
    try (SafetensorsShards shards = Weights.open(folder)) {
      return load(config, shards.files(), storage, device);
    }
  }

  /**
   * Returns the config.
   *
   * @return the config
   */
  public QwenVlConfig config() {
    return config;
  }

  /**
   * Returns the parameters.
   *
   * @return the store
   */
  public ModelWeights parameters() {
    return params;
  }

  // ------------------------------------------------------------------------------------------------ vision tower

  /**
   * Runs the vision tower on one image: the merged embeddings that replace its {@code <|image_pad|>} tokens.
   *
   * @param pixels the preprocessed image
   * @param out the manager of the result
   * @return ({@code pixels.imageTokens()}, text hidden size)
   * @throws IllegalArgumentException if the patches do not fit the tower
   * @throws DeviceException if {@code out} is not on the weights' device
   */
  public NDArray imageEmbeddings(QwenVlPixels pixels, NDManager out) {
    Weights.requireOn(out, params, "Qwen2.5-VL");
    QwenVlConfig.Vision v = config.vision();
    if (pixels.patchDim() != v.patchDim() || pixels.mergeSize() != v.spatialMergeSize()) {
      throw new IllegalArgumentException("patches of " + pixels.patchDim() + " values merged by "
          + pixels.mergeSize() + " do not fit a tower of " + v.patchDim() + " merged by " + v.spatialMergeSize());
    }
    int m = v.spatialMergeSize();
    int unit = m * m;
    int n = pixels.patches();
    int[] window = windowOrder(pixels);
    int cells = window.length;
    // Patches in window order: cell window[i]'s m*m patches stay together.
    long[] rows = new long[n];
    for (int i = 0; i < cells; i++) {
      for (int u = 0; u < unit; u++) {
        rows[i * unit + u] = (long) window[i] * unit + u;
      }
    }
    int[] windowLengths = windowLengths(pixels);
    try (NDManager scope = out.newSubManager()) {
      NDArray x = scope.create(pixels.pixelValues(), new Shape(n, v.patchDim()));
      NDArray w = Weights.get(params, "visual.patch_embed.proj.weight", scope).reshape(v.hiddenSize(), v.patchDim());
      x = x.matMul(w.transpose());
      NDArray order = scope.create(rows);
      x = x.get(new NDIndex("{}", order));
      NDArray[] rope = visionRope(pixels, rows, scope);
      for (int i = 0; i < v.depth(); i++) {
        int[] segments = v.fullAttention(i) ? new int[] {n} : windowLengths;
        x = visionBlock(x, "visual.blocks." + i + ".", rope, segments, scope);
      }
      NDArray merged = rms(x, Weights.get(params, "visual.merger.ln_q.weight", scope), VISION_EPS)
          .reshape(cells, (long) unit * v.hiddenSize());
      merged = Weights.linear(merged, params, "visual.merger.mlp.0", scope);
      merged = Activation.gelu(merged);
      merged = Weights.linear(merged, params, "visual.merger.mlp.2", scope);
      long[] inverse = new long[cells];
      for (int i = 0; i < cells; i++) {
        inverse[window[i]] = i;
      }
      NDArray result = merged.get(new NDIndex("{}", scope.create(inverse)));
      result.attach(out);
      return result;
    }
  }

  /** The merged cells in window order: windows row-major, cells row-major inside each window. */
  private int[] windowOrder(QwenVlPixels p) {
    QwenVlConfig.Vision v = config.vision();
    int m = v.spatialMergeSize();
    int lh = p.gridH() / m;
    int lw = p.gridW() / m;
    int win = v.windowSize() / m / v.patchSize();
    int[] order = new int[p.gridT() * lh * lw];
    int k = 0;
    for (int t = 0; t < p.gridT(); t++) {
      for (int wr = 0; wr < lh; wr += win) {
        for (int wc = 0; wc < lw; wc += win) {
          for (int r = wr; r < Math.min(wr + win, lh); r++) {
            for (int c = wc; c < Math.min(wc + win, lw); c++) {
              order[k++] = (t * lh + r) * lw + c;
            }
          }
        }
      }
    }
    return order;
  }

  /** The patch count of each window, in window order. */
  private int[] windowLengths(QwenVlPixels p) {
    QwenVlConfig.Vision v = config.vision();
    int m = v.spatialMergeSize();
    int lh = p.gridH() / m;
    int lw = p.gridW() / m;
    int win = v.windowSize() / m / v.patchSize();
    List<Integer> lengths = new ArrayList<>();
    for (int t = 0; t < p.gridT(); t++) {
      for (int wr = 0; wr < lh; wr += win) {
        for (int wc = 0; wc < lw; wc += win) {
          lengths.add((Math.min(wr + win, lh) - wr) * (Math.min(wc + win, lw) - wc) * m * m);
        }
      }
    }
    return lengths.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * cos and sin (N, headDim) of each patch in window order: the patch's row and column each turn a quarter of
   * the frequencies, the halves repeated (rotate-half layout).
   */
  private NDArray[] visionRope(QwenVlPixels p, long[] rows, NDManager scope) {
    QwenVlConfig.Vision v = config.vision();
    int d = v.headDim();
    int quarter = d / 4;
    int spatial = d / 2;
    float[] inv = new float[quarter];
    for (int j = 0; j < quarter; j++) {
      inv[j] = (float) (1.0 / Math.pow(VISION_THETA, (float) (2 * j) / spatial));
    }
    int m = v.spatialMergeSize();
    int blocksW = p.gridW() / m;
    int perFrame = p.gridH() * p.gridW();
    int n = rows.length;
    float[] cos = new float[n * d];
    float[] sin = new float[n * d];
    for (int i = 0; i < n; i++) {
      int idx = (int) (rows[i] % perFrame);
      int block = idx / (m * m);
      int inBlock = idx % (m * m);
      int hp = (block / blocksW) * m + inBlock / m;
      int wp = (block % blocksW) * m + inBlock % m;
      for (int j = 0; j < quarter; j++) {
        float ah = hp * inv[j];
        float aw = wp * inv[j];
        for (int rep = 0; rep < 2; rep++) {
          int o = i * d + rep * spatial;
          cos[o + j] = (float) Math.cos(ah);
          sin[o + j] = (float) Math.sin(ah);
          cos[o + quarter + j] = (float) Math.cos(aw);
          sin[o + quarter + j] = (float) Math.sin(aw);
        }
      }
    }
    return new NDArray[] {scope.create(cos, new Shape(n, 1, d)), scope.create(sin, new Shape(n, 1, d))};
  }

  private NDArray visionBlock(NDArray x, String b, NDArray[] rope, int[] segments, NDManager scope) {
    QwenVlConfig.Vision v = config.vision();
    long n = x.getShape().get(0);
    int heads = v.heads();
    int hd = v.headDim();
    NDArray h = rms(x, Weights.get(params, b + "norm1.weight", scope), VISION_EPS);
    NDArray qkv = Weights.linear(h, params, b + "attn.qkv", scope).reshape(n, 3, heads, hd);
    NDArray q = rotate(qkv.get(":, 0"), rope).transpose(1, 0, 2);
    NDArray k = rotate(qkv.get(":, 1"), rope).transpose(1, 0, 2);
    NDArray val = qkv.get(":, 2").transpose(1, 0, 2);
    NDList parts = new NDList();
    int start = 0;
    for (int len : segments) {
      String r = ":, " + start + ":" + (start + len);
      parts.add(Weights.attention(q.get(r), k.get(r), val.get(r), null));
      start += len;
    }
    NDArray a = (parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 1)).transpose(1, 0, 2)
        .reshape(n, v.hiddenSize());
    x = x.add(Weights.linear(a, params, b + "attn.proj", scope));
    h = rms(x, Weights.get(params, b + "norm2.weight", scope), VISION_EPS);
    NDArray gate = silu(Weights.linear(h, params, b + "mlp.gate_proj", scope));
    NDArray up = Weights.linear(h, params, b + "mlp.up_proj", scope);
    return x.add(Weights.linear(gate.mul(up), params, b + "mlp.down_proj", scope));
  }

  /** {@code x cos + rotate_half(x) sin} over the last axis; cos and sin broadcast over the axis before it. */
  private static NDArray rotate(NDArray x, NDArray[] rope) {
    long d = x.getShape().get(x.getShape().dimension() - 1);
    NDArray x1 = x.get("..., :" + d / 2);
    NDArray x2 = x.get("..., " + d / 2 + ":");
    NDArray rotated = NDArrays.concat(new NDList(x2.neg(), x1), -1);
    return x.mul(rope[0]).add(rotated.mul(rope[1]));
  }

  private static NDArray rms(NDArray x, NDArray weight, float eps) {
    NDArray ms = x.square().mean(new int[] {-1}, true);
    return x.div(ms.add(eps).sqrt()).mul(weight);
  }

  // ------------------------------------------------------------------------------------------------ language model

  /**
   * Runs the language model on one prompt: token embeddings with each image's embeddings in place of its
   * {@code <|image_pad|>} run, multimodal rotary positions, the decoder, the final norm.
   *
   * @param prompt the ids and M-RoPE positions (see {@link QwenVlPrompt})
   * @param images the prompt's images in order, as preprocessed
   * @param out the manager of the result
   * @return the last hidden state (1, L, hidden)
   * @throws IllegalArgumentException if an id is outside the vocabulary or the image tokens do not match the images
   * @throws DeviceException if {@code out} is not on the weights' device
   */
  public NDArray hiddenStates(QwenVlPrompt prompt, List<QwenVlPixels> images, NDManager out) {
    Weights.requireOn(out, params, "Qwen2.5-VL");
    try (NDManager scope = out.newSubManager()) {
      NDArray last = forward(prompt, images, null, scope);
      last.attach(out);
      return last;
    }
  }

  /**
   * Runs the language model on one prompt followed by {@code appended} input embeddings (MetaQuery's learned
   * queries), whose positions continue the prompt's as text tokens do. Every intermediate stays in
   * {@code manager}, so under a gradient collector the gradients reach {@code appended}; close it after the
   * backward pass.
   *
   * @param prompt the ids and M-RoPE positions
   * @param images the prompt's images in order
   * @param appended (N, hidden) embeddings appended after the prompt
   * @param manager the manager of the result and every intermediate
   * @return the last hidden state (1, L + N, hidden)
   * @throws IllegalArgumentException if the appended embeddings are not (N, hidden)
   * @throws DeviceException if {@code manager} is not on the weights' device
   */
  public NDArray hiddenStates(QwenVlPrompt prompt, List<QwenVlPixels> images, NDArray appended,
      NDManager manager) {
    Weights.requireOn(manager, params, "Qwen2.5-VL");
    Shape s = appended.getShape();
    if (s.dimension() != 2 || s.get(1) != config.text().hiddenSize()) {
      throw new IllegalArgumentException(
          "appended embeddings must be (N, " + config.text().hiddenSize() + "), got " + s);
    }
    return forward(prompt, images, appended, manager);
  }

  private NDArray forward(QwenVlPrompt prompt, List<QwenVlPixels> images, NDArray appended, NDManager scope) {
    QwenVlConfig.Text t = config.text();
    int[] ids = prompt.ids();
    int len = ids.length;
    long[] longIds = new long[len];
    for (int i = 0; i < len; i++) {
      if (ids[i] < 0 || ids[i] >= t.vocabSize()) {
        throw new IllegalArgumentException("token id " + ids[i] + " outside the vocabulary " + t.vocabSize());
      }
      longIds[i] = ids[i];
    }
    int[][] positions = prompt.positionIds();
    int extra = appended == null ? 0 : (int) appended.getShape().get(0);
    if (extra > 0) {
      int next = 0;
      for (int[] axis : positions) {
        for (int p : axis) {
          next = Math.max(next, p + 1);
        }
      }
      for (int a = 0; a < 3; a++) {
        int[] row = java.util.Arrays.copyOf(positions[a], len + extra);
        for (int i = 0; i < extra; i++) {
          row[len + i] = next + i;
        }
        positions[a] = row;
      }
    }
    NDArray table = params.get("model.embed_tokens.weight");
    NDArray x = table.get(new NDIndex("{}", scope.create(longIds)));
    x = x.getDataType() == DataType.FLOAT32 ? x : scope.zeros(new Shape(1)).add(x);
    x = withImages(x, ids, images, scope);
    if (extra > 0) {
      x = x.concat(appended, 0);
    }
    NDArray[] rope = textRope(positions, scope);
    Qwen2Layer layer = layer(t);
    x = x.expandDims(0);
    for (int i = 0; i < t.layers(); i++) {
      x = layer.forward(x, params, "model.layers." + i + ".", rope, true, scope);
    }
    return rms(x, Weights.get(params, "model.norm.weight", scope), t.rmsNormEps())
        .reshape(1, len + extra, t.hiddenSize());
  }

  /** Replaces each run of image tokens with the next image's embeddings. */
  private NDArray withImages(NDArray x, int[] ids, List<QwenVlPixels> images, NDManager scope) {
    int imageId = config.imageTokenId();
    NDList parts = new NDList();
    int next = 0;
    int i = 0;
    int textStart = 0;
    while (i < ids.length) {
      if (ids[i] != imageId) {
        i++;
        continue;
      }
      int j = i;
      while (j < ids.length && ids[j] == imageId) {
        j++;
      }
      if (next >= images.size()) {
        throw new IllegalArgumentException("the prompt has more image-token runs than the " + images.size()
            + " images given");
      }
      QwenVlPixels img = images.get(next++);
      if (img.imageTokens() != j - i) {
        throw new IllegalArgumentException("image " + (next - 1) + " has " + img.imageTokens()
            + " embeddings but the prompt holds " + (j - i) + " image tokens for it");
      }
      if (i > textStart) {
        parts.add(x.get(textStart + ":" + i));
      }
      parts.add(imageEmbeddings(img, scope));
      textStart = j;
      i = j;
    }
    if (next != images.size()) {
      throw new IllegalArgumentException(images.size() + " images given but the prompt has " + next
          + " image-token runs");
    }
    if (parts.isEmpty()) {
      return x;
    }
    if (textStart < ids.length) {
      parts.add(x.get(textStart + ":"));
    }
    // NDArrays.concat of a single array returns a copy outside the autograd graph.
    return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
  }

  /** cos and sin (1, L, headDim): frequency j follows the axis its M-RoPE section gives it. */
  private NDArray[] textRope(int[][] positions, NDManager scope) {
    QwenVlConfig.Text t = config.text();
    int d = t.headDim();
    int half = d / 2;
    int[] section = t.mropeSection();
    int[] axis = new int[half];
    for (int j = 0, s = 0, end = section[0]; j < half; j++) {
      while (j >= end) {
        s++;
        end += section[s];
      }
      axis[j] = s;
    }
    float[] inv = new float[half];
    for (int j = 0; j < half; j++) {
      inv[j] = (float) (1.0 / Math.pow(t.ropeTheta(), (float) (2 * j) / d));
    }
    int len = positions[0].length;
    float[] cos = new float[len * d];
    float[] sin = new float[len * d];
    for (int i = 0; i < len; i++) {
      for (int j = 0; j < half; j++) {
        float a = positions[axis[j]][i] * inv[j];
        float c = (float) Math.cos(a);
        float s = (float) Math.sin(a);
        cos[i * d + j] = c;
        cos[i * d + half + j] = c;
        sin[i * d + j] = s;
        sin[i * d + half + j] = s;
      }
    }
    return new NDArray[] {scope.create(cos, new Shape(1, len, d)), scope.create(sin, new Shape(1, len, d))};
  }

  /** The shape of the language model's decoder layers. */
  private static Qwen2Layer layer(QwenVlConfig.Text t) {
    return new Qwen2Layer(t.hiddenSize(), t.heads(), t.kvHeads(), t.headDim(), t.intermediateSize(), t.rmsNormEps());
  }

  @Override
  public void close() {
    params.close();
  }
}
