package io.gptedit.models.text;

import static io.gptedit.models.nn.Layers.geluTanh;
import static io.gptedit.models.nn.Layers.layerNorm;
import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.gptedit.models.nn.DeviceException;
import io.gptedit.models.nn.Devices;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.nn.ParameterSpec.Init;
import io.gptedit.models.nn.ParameterSpec;
import io.gptedit.models.nn.WeightLoadException;
import io.gptedit.models.safetensors.SafetensorsFile;
import io.gptedit.models.safetensors.SafetensorsShards;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * CLIP's text tower (transformers' {@code CLIPTextModel} and {@code CLIPTextModelWithProjection}): token plus
 * learned position embeddings, pre-LayerNorm blocks of causal self-attention and an MLP (quick GELU or GELU as the
 * config says), a final LayerNorm, the pooled state at the end-of-text token and, with a projection, the projected
 * {@code text_embeds}.
 *
 * <p>Flux and Kontext read CLIP-L's pooled output (768); SD3 reads the penultimate hidden states and the projected
 * pooled vectors of CLIP-L and OpenCLIP bigG (the conditioning package's SD3 conditioner combines them).
 * Parameters carry the checkpoint names ({@code text_model.embeddings.token_embedding.weight}, ...,
 * {@code text_projection.weight}); {@link #load} also accepts transformers 5's prefix-less {@code CLIPTextModel}
 * files and ignores the old {@code position_ids} buffer. Parameters may be stored as float16 (half the memory);
 * the forward always computes in float32.
 *
 * @since 0.1
 */
public final class ClipTextEncoder implements AutoCloseable {
  /** The prefix of every tower parameter in the published checkpoints. */
  public static final String PREFIX = "text_model.";
  /** The position-id buffer older checkpoints saved with the weights. */
  private static final String POSITION_IDS = "embeddings.position_ids";
  /** What a masked attention score gets: float32's lowest value, as transformers adds. */
  private static final float MASKED = -Float.MAX_VALUE;
  /** The quick-GELU constant of OpenAI's CLIP. */
  private static final float QUICK_GELU = 1.702f;

  private final ClipTextConfig config;
  private final ModelWeights params;
  private final String root;

  /**
   * Wraps parameters that match a config.
   *
   * @param config the hyper-parameters
   * @param params parameters declared by {@link #spec(ClipTextConfig)}
   */
  public ClipTextEncoder(ClipTextConfig config, ModelWeights params) {
    this(config, params, PREFIX);
  }

  private ClipTextEncoder(ClipTextConfig config, ModelWeights params, String root) {
    this.config = requireNonNull(config, "config");
    this.params = requireNonNull(params, "params");
    this.root = root;
  }

  /**
   * Creates an encoder with seeded random weights.
   *
   * @param config the hyper-parameters
   * @param seed the seed
   * @return the encoder
   */
  public static ClipTextEncoder random(ClipTextConfig config, long seed) {
    return new ClipTextEncoder(config, ModelWeights.random(spec(config), seed));
  }

  /**
   * Declares every parameter in the published checkpoints' names.
   *
   * @param c the config
   * @return the spec
   */
  public static ParameterSpec spec(ClipTextConfig c) {
    return spec(c, PREFIX);
  }

  private static ParameterSpec spec(ClipTextConfig c, String root) {
    ParameterSpec s = new ParameterSpec();
    s.add(root + "embeddings.token_embedding.weight", Init.SMALL, c.vocabSize(), c.hiddenSize());
    s.add(root + "embeddings.position_embedding.weight", Init.SMALL, c.maxPositions(), c.hiddenSize());
    for (int i = 0; i < c.layers(); i++) {
      String l = root + "encoder.layers." + i + ".";
      for (String p : new String[] {"k_proj", "v_proj", "q_proj", "out_proj"}) {
        s.linear(l + "self_attn." + p, c.hiddenSize(), c.hiddenSize(), true);
      }
      s.norm(l + "layer_norm1", c.hiddenSize());
      s.linear(l + "mlp.fc1", c.hiddenSize(), c.intermediateSize(), true);
      s.linear(l + "mlp.fc2", c.intermediateSize(), c.hiddenSize(), true);
      s.norm(l + "layer_norm2", c.hiddenSize());
    }
    s.norm(root + "final_layer_norm", c.hiddenSize());
    if (c.projection()) {
      s.linear("text_projection", c.hiddenSize(), c.projectionDim(), false);
    }
    return s;
  }

  /**
   * Loads an encoder from safetensors shards, strictly: any missing or unexpected tensor (other than the old
   * {@code position_ids} buffer) fails with every name listed.
   *
   * @param config the hyper-parameters
   * @param shards the shards
   * @param storage FLOAT32, or FLOAT16 for half the memory
   * @return the encoder
   * @throws WeightLoadException if the checkpoint does not fit
   */
  public static ClipTextEncoder load(ClipTextConfig config, List<SafetensorsFile> shards, DataType storage) {
    return load(config, shards, storage, Devices.defaultDevice());
  }

  /**
   * Loads an encoder like {@link #load(ClipTextConfig, List, DataType)} onto a device.
   *
   * @param config the hyper-parameters
   * @param shards the shards
   * @param storage FLOAT32, or FLOAT16 for half the memory
   * @param device where the weights live ({@link Devices#require checked} first)
   * @return the encoder
   * @throws DeviceException if the engine does not have the device
   * @throws WeightLoadException if the checkpoint does not fit
   */
  public static ClipTextEncoder load(
      ClipTextConfig config, List<SafetensorsFile> shards, DataType storage, Device device) {
    Devices.require(device);
    Set<String> names = CheckpointFolder.names(shards);
    // transformers 5 saves CLIPTextModel without the historical prefix (and strips it on load); accept both.
    boolean prefixless = !config.projection() && names.contains("embeddings.token_embedding.weight")
        && names.stream().noneMatch(n -> n.startsWith(PREFIX));
    String root = prefixless ? "" : PREFIX;
    ParameterSpec spec = spec(config, root);
    String model = config.projection() ? "CLIPTextModelWithProjection" : "CLIPTextModel";
    CheckpointFolder.checkNames(spec, shards, Set.of(root + POSITION_IDS), model);
    return new ClipTextEncoder(config, ModelWeights.load(spec, shards, "", false, 0, storage, device), root);
  }

  /**
   * Loads a transformers model folder such as {@code text_encoder/} of FLUX.1-Kontext-dev or SD3-Medium:
   * {@code config.json} plus {@code model.safetensors} or {@code model.safetensors.index.json} and its shards.
   *
   * @param folder the folder
   * @param storage FLOAT32, or FLOAT16 for half the memory
   * @return the encoder
   * @throws WeightLoadException if a file is missing or the checkpoint does not fit its config
   */
  public static ClipTextEncoder fromFolder(Path folder, DataType storage) {
    return fromFolder(folder, storage, Devices.defaultDevice());
  }

  /**
   * Loads a transformers model folder like {@link #fromFolder(Path, DataType)} onto a device.
   *
   * @param folder the folder
   * @param storage FLOAT32, or FLOAT16 for half the memory
   * @param device where the weights live ({@link Devices#require checked} first)
   * @return the encoder
   * @throws DeviceException if the engine does not have the device (before any file is read)
   * @throws WeightLoadException if a file is missing or the checkpoint does not fit its config
   */
  public static ClipTextEncoder fromFolder(Path folder, DataType storage, Device device) {
    Devices.require(device);
    ClipTextConfig config = ClipTextConfig.fromTransformers(CheckpointFolder.config(folder));
    try (SafetensorsShards shards = CheckpointFolder.open(folder)) {
      return load(config, shards.files(), storage, device);
    }
  }

  /**
   * Returns the config.
   *
   * @return the config
   */
  public ClipTextConfig config() {
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

  /**
   * Encodes without an attention mask (as the Flux and SD3 pipelines call it), keeping the penultimate layer.
   *
   * @param ids one row of ids per sample, all of the same length (at most the position count)
   * @param out the manager of the results
   * @return the outputs
   */
  public ClipTextOutput encode(int[][] ids, NDManager out) {
    return encode(ids, null, 0, out);
  }

  /**
   * Encodes a batch.
   *
   * @param ids one row of ids per sample, all of the same length (at most the position count)
   * @param attentionMask 1 for tokens to attend to, 0 for padding (or null: causal only, as the pipelines do)
   * @param clipSkip which hidden state {@link ClipTextOutput#hiddenState()} is: {@code hidden_states[-(clipSkip
   *     + 2)]} in transformers' terms, so 0 is the penultimate layer's output (SD3's default)
   * @param out the manager of the results
   * @return the outputs
   * @throws IllegalArgumentException if the rows differ in length, are too long, hold ids outside the vocabulary,
   *     the mask does not fit, or {@code clipSkip} is outside {@code [0, layers - 1]}
   */
  public ClipTextOutput encode(int[][] ids, int[][] attentionMask, int clipSkip, NDManager out) {
    int batch = ids.length;
    if (batch == 0) {
      throw new IllegalArgumentException("no sequences to encode");
    }
    int len = ids[0].length;
    if (len == 0 || len > config.maxPositions()) {
      throw new IllegalArgumentException("sequence length " + len + " outside [1, " + config.maxPositions() + "]");
    }
    if (clipSkip < 0 || clipSkip > config.layers() - 1) {
      throw new IllegalArgumentException("clipSkip " + clipSkip + " outside [0, " + (config.layers() - 1) + "]");
    }
    float[] tokens = new float[batch * len];
    for (int b = 0; b < batch; b++) {
      if (ids[b].length != len || (attentionMask != null && attentionMask[b].length != len)) {
        throw new IllegalArgumentException("all sequences and masks must have the same length");
      }
      for (int i = 0; i < len; i++) {
        if (ids[b][i] < 0 || ids[b][i] >= config.vocabSize()) {
          throw new IllegalArgumentException("token id " + ids[b][i] + " outside the vocabulary " + config.vocabSize());
        }
        tokens[b * len + i] = ids[b][i];
      }
    }
    if (attentionMask != null && attentionMask.length != batch) {
      throw new IllegalArgumentException("the mask has " + attentionMask.length + " rows for " + batch + " sequences");
    }
    try (NDManager scope = out.newSubManager()) {
      NDArray tokenEmb = Fp32View.get(params, root + "embeddings.token_embedding.weight", scope);
      NDArray posEmb = Fp32View.get(params, root + "embeddings.position_embedding.weight", scope);
      // Embedding rows as one-hot products keep the parameters the second operand.
      NDArray x = scope.create(tokens).oneHot(config.vocabSize(), DataType.FLOAT32).matMul(tokenEmb)
          .reshape(batch, len, config.hiddenSize());
      float[] positions = new float[len];
      for (int i = 0; i < len; i++) {
        positions[i] = i;
      }
      x = x.add(scope.create(positions).oneHot(config.maxPositions(), DataType.FLOAT32).matMul(posEmb));
      NDArray bias = attentionBias(scope, batch, len, attentionMask);
      int keep = config.layers() - 2 - clipSkip; // the layer whose output is hidden_states[-(clipSkip + 2)]
      NDArray hidden = keep < 0 ? x : null;
      for (int i = 0; i < config.layers(); i++) {
        x = layer(x, root + "encoder.layers." + i + ".", bias, scope);
        if (i == keep) {
          hidden = x;
        }
      }
      NDArray last = norm(x, root + "final_layer_norm", scope);
      NDArray select = scope.create(endPositions(ids), new Shape(batch, 1, len));
      NDArray pooled = select.matMul(last).reshape(batch, config.hiddenSize());
      NDArray textEmbeds = config.projection() ? Fp32View.linear(pooled, params, "text_projection", scope) : null;
      last.attach(out);
      hidden.attach(out);
      pooled.attach(out);
      if (textEmbeds != null) {
        textEmbeds.attach(out);
      }
      return new ClipTextOutput(last, hidden, pooled, textEmbeds);
    }
  }

  /**
   * The pooled position of each row as a one-hot row: the first end-of-text id, or with the legacy
   * {@code eos_token_id} 2 the first largest id (transformers' two rules).
   */
  private float[] endPositions(int[][] ids) {
    int len = ids[0].length;
    float[] select = new float[ids.length * len];
    for (int b = 0; b < ids.length; b++) {
      int at = 0;
      for (int i = 0; i < len; i++) {
        boolean better = config.eosTokenId() == ClipTextConfig.LEGACY_EOS_TOKEN_ID
            ? ids[b][i] > ids[b][at]
            : ids[b][i] == config.eosTokenId() && ids[b][at] != config.eosTokenId();
        if (better) {
          at = i;
        }
      }
      select[b * len + at] = 1;
    }
    return select;
  }

  /** Causal mask plus the padding mask: 0 where attention is allowed, float32's lowest value elsewhere. */
  private static NDArray attentionBias(NDManager scope, int batch, int len, int[][] mask) {
    int rows = mask == null ? 1 : batch;
    float[] bias = new float[rows * len * len];
    for (int b = 0; b < rows; b++) {
      for (int q = 0; q < len; q++) {
        for (int k = 0; k < len; k++) {
          boolean masked = k > q || (mask != null && mask[b][k] == 0);
          bias[(b * len + q) * len + k] = masked ? MASKED : 0f;
        }
      }
    }
    return scope.create(bias, new Shape(rows, 1, len, len));
  }

  private NDArray layer(NDArray x, String l, NDArray bias, NDManager scope) {
    NDArray h = norm(x, l + "layer_norm1", scope);
    x = x.add(attention(h, l + "self_attn.", bias, scope));
    h = norm(x, l + "layer_norm2", scope);
    NDArray m = Fp32View.linear(h, params, l + "mlp.fc1", scope);
    m = switch (config.activation()) {
      case QUICK_GELU -> m.mul(Activation.sigmoid(m.mul(QUICK_GELU)));
      case GELU -> Activation.gelu(m);
      case GELU_TANH -> geluTanh(m);
    };
    return x.add(Fp32View.linear(m, params, l + "mlp.fc2", scope));
  }

  private NDArray attention(NDArray h, String p, NDArray bias, NDManager scope) {
    Shape s = h.getShape();
    int heads = config.heads();
    int headDim = config.hiddenSize() / heads;
    NDArray q = split(Fp32View.linear(h, params, p + "q_proj", scope), s, heads, headDim);
    NDArray k = split(Fp32View.linear(h, params, p + "k_proj", scope), s, heads, headDim);
    NDArray v = split(Fp32View.linear(h, params, p + "v_proj", scope), s, heads, headDim);
    NDArray scores = q.matMul(k.swapAxes(2, 3)).mul((float) (1 / Math.sqrt(headDim))).add(bias);
    NDArray a = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(s.get(0), s.get(1), config.hiddenSize());
    return Fp32View.linear(a, params, p + "out_proj", scope);
  }

  private static NDArray split(NDArray x, Shape s, int heads, int headDim) {
    return x.reshape(s.get(0), s.get(1), heads, headDim).transpose(0, 2, 1, 3);
  }

  private NDArray norm(NDArray x, String prefix, NDManager scope) {
    return layerNorm(x, config.layerNormEps())
        .mul(Fp32View.get(params, prefix + ".weight", scope))
        .add(Fp32View.get(params, prefix + ".bias", scope));
  }

  @Override
  public void close() {
    params.close();
  }
}
