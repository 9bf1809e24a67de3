package io.gptedit.models.text;

import static io.gptedit.models.nn.Layers.geluTanh;
import static io.gptedit.models.nn.Layers.rmsNorm;
import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
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
 * The T5 v1.1 encoder (HF {@code T5EncoderModel}): token embedding, blocks of pre-norm self-attention with a
 * relative position bias (computed in block 0 and shared by all blocks, no 1/sqrt(d) score scaling) and a
 * gated-GELU (tanh) feed-forward, all with RMS LayerNorm, then a final norm.
 *
 * <p>{@link #encode(int[][], NDManager)} runs without an attention mask, as the Flux and SD3 pipelines call it on
 * their padded prompts (padding tokens are attended to); {@link #encode(int[][], int[][], NDManager)} takes the
 * tokenizer's attention mask and masks padded keys exactly as transformers' {@code T5EncoderModel} does (float32's
 * lowest value added to their scores). Parameters may be stored as float16 (half the memory; the forward computes
 * in float32, because T5 v1.1's activations overflow float16).
 *
 * @since 0.1
 */
public final class T5Encoder implements AutoCloseable {
  /** The tied duplicate of {@code shared.weight} that HF checkpoints may carry. */
  private static final String TIED_EMBEDDING = "encoder.embed_tokens.weight";
  /** What a masked key's scores get: float32's lowest value, as transformers' extended attention mask adds. */
  private static final float MASKED = -Float.MAX_VALUE;

  private final T5Config config;
  private final ModelWeights params;

  /**
   * Wraps parameters that match a config.
   *
   * @param config the hyper-parameters
   * @param params parameters declared by {@link #spec(T5Config)}
   */
  public T5Encoder(T5Config config, ModelWeights params) {
    this.config = requireNonNull(config, "config");
    this.params = requireNonNull(params, "params");
  }

  /**
   * Creates an encoder with seeded random weights.
   *
   * @param config the hyper-parameters
   * @param seed the seed
   * @return the encoder
   */
  public static T5Encoder random(T5Config config, long seed) {
    return random(config, seed, Devices.defaultDevice());
  }

  /**
   * Creates an encoder with seeded random weights on a device (the same values on every device).
   *
   * @param config the hyper-parameters
   * @param seed the seed
   * @param device where the weights live ({@link Devices#require checked} first)
   * @return the encoder
   * @throws DeviceException if the engine does not have the device
   */
  public static T5Encoder random(T5Config config, long seed, Device device) {
    return new T5Encoder(config, ModelWeights.random(spec(config), seed, device));
  }

  /**
   * Loads an encoder from HF-named shards; the tied {@code encoder.embed_tokens.weight} copy is allowed, any
   * other missing or unexpected tensor fails.
   *
   * @param config the hyper-parameters
   * @param shards the shards
   * @return the encoder
   * @throws WeightLoadException if the checkpoint does not fit
   */
  public static T5Encoder load(T5Config config, List<SafetensorsFile> shards) {
    return load(config, shards, DataType.FLOAT32);
  }

  /**
   * Loads an encoder from HF-named shards, stored as {@code storage}; the tied {@code encoder.embed_tokens.weight}
   * copy is allowed, any other missing or unexpected tensor fails with every name listed, before anything is
   * allocated.
   *
   * @param config the hyper-parameters
   * @param shards the shards
   * @param storage FLOAT32, or FLOAT16 for half the memory
   * @return the encoder
   * @throws WeightLoadException if the checkpoint does not fit
   */
  public static T5Encoder load(T5Config config, List<SafetensorsFile> shards, DataType storage) {
    return load(config, shards, storage, Devices.defaultDevice());
  }

  /**
   * Loads an encoder like {@link #load(T5Config, List, DataType)} onto a device.
   *
   * @param config the hyper-parameters
   * @param shards the shards
   * @param storage FLOAT32, or FLOAT16 for half the memory
   * @param device where the weights live ({@link Devices#require checked} first)
   * @return the encoder
   * @throws DeviceException if the engine does not have the device
   * @throws WeightLoadException if the checkpoint does not fit
   */
  public static T5Encoder load(T5Config config, List<SafetensorsFile> shards, DataType storage, Device device) {
    Devices.require(device);
    ParameterSpec spec = spec(config);
    CheckpointFolder.checkNames(spec, shards, Set.of(TIED_EMBEDDING), "T5EncoderModel");
    return new T5Encoder(config, ModelWeights.load(spec, shards, "", false, 0, storage, device));
  }

  /**
   * Loads a transformers model folder such as {@code text_encoder_2/} of FLUX.1-Kontext-dev or
   * {@code text_encoder_3/} of SD3: {@code config.json} plus {@code model.safetensors} or
   * {@code model.safetensors.index.json} and its shards.
   *
   * @param folder the folder
   * @param storage FLOAT32, or FLOAT16 for half the memory
   * @return the encoder
   * @throws WeightLoadException if a file is missing or the checkpoint does not fit its config
   */
  public static T5Encoder fromFolder(Path folder, DataType storage) {
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
  public static T5Encoder fromFolder(Path folder, DataType storage, Device device) {
    Devices.require(device);
    T5Config config = T5Config.fromTransformers(CheckpointFolder.config(folder));
    try (SafetensorsShards shards = CheckpointFolder.open(folder)) {
      return load(config, shards.files(), storage, device);
    }
  }

  /**
   * Declares every parameter in HF naming.
   *
   * @param c the config
   * @return the spec
   */
  public static ParameterSpec spec(T5Config c) {
    ParameterSpec s = new ParameterSpec();
    long inner = (long) c.heads() * c.dKv();
    s.add("shared.weight", Init.FAN_IN, c.vocab(), c.dModel());
    for (int i = 0; i < c.layers(); i++) {
      String b = "encoder.block." + i + ".layer.";
      s.add(b + "0.layer_norm.weight", Init.NEAR_ONE, c.dModel());
      s.linear(b + "0.SelfAttention.q", c.dModel(), inner, false);
      s.linear(b + "0.SelfAttention.k", c.dModel(), inner, false);
      s.linear(b + "0.SelfAttention.v", c.dModel(), inner, false);
      s.linear(b + "0.SelfAttention.o", inner, c.dModel(), false);
      if (i == 0) {
        s.add(b + "0.SelfAttention.relative_attention_bias.weight", Init.SMALL, c.buckets(), c.heads());
      }
      s.add(b + "1.layer_norm.weight", Init.NEAR_ONE, c.dModel());
      s.linear(b + "1.DenseReluDense.wi_0", c.dModel(), c.dFf(), false);
      s.linear(b + "1.DenseReluDense.wi_1", c.dModel(), c.dFf(), false);
      s.linear(b + "1.DenseReluDense.wo", c.dFf(), c.dModel(), false);
    }
    s.add("encoder.final_layer_norm.weight", Init.NEAR_ONE, c.dModel());
    return s;
  }

  /**
   * Returns the config.
   *
   * @return the config
   */
  public T5Config config() {
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
   * The bidirectional relative position bucket of {@code key - query}: half the buckets per direction; within a
   * direction, distances below half of that half are exact, larger ones share log-spaced buckets up to
   * {@code maxDistance}.
   *
   * @param relative key position minus query position
   * @param buckets the number of buckets
   * @param maxDistance the distance where buckets stop growing
   * @return the bucket index
   */
  public static int relativeBucket(int relative, int buckets, int maxDistance) {
    int half = buckets / 2;
    int bucket = relative > 0 ? half : 0;
    int n = Math.abs(relative);
    int maxExact = half / 2;
    if (n < maxExact) {
      return bucket + n;
    }
    int large =
        maxExact
            + (int) (Math.log((float) n / maxExact) / Math.log((double) maxDistance / maxExact) * (half - maxExact));
    return bucket + Math.min(large, half - 1);
  }

  /**
   * Encodes a batch of equally long token sequences without an attention mask (as Flux's and SD3's pipelines do).
   *
   * @param ids one row of token ids per sample, all of the same length
   * @param out the manager of the result
   * @return hidden states (B, L, d_model)
   * @throws IllegalArgumentException if the rows differ in length or hold ids outside the vocabulary
   */
  public NDArray encode(int[][] ids, NDManager out) {
    return encode(ids, null, out);
  }

  /**
   * Encodes a batch with an attention mask: keys whose mask is 0 get no attention (queries at padded positions are
   * still computed, as in transformers).
   *
   * @param ids one row of token ids per sample, all of the same length
   * @param attentionMask 1 for real tokens, 0 for padding, shaped like {@code ids} (or null for none)
   * @param out the manager of the result
   * @return hidden states (B, L, d_model)
   * @throws IllegalArgumentException if the rows or the mask differ in length, the mask holds values other than 0
   *     and 1, or an id is outside the vocabulary
   */
  public NDArray encode(int[][] ids, int[][] attentionMask, NDManager out) {
    int batch = ids.length;
    if (batch == 0 || ids[0].length == 0) {
      throw new IllegalArgumentException("no tokens to encode");
    }
    int len = ids[0].length;
    if (attentionMask != null && attentionMask.length != batch) {
      throw new IllegalArgumentException("the mask has " + attentionMask.length + " rows for " + batch + " sequences");
    }
    try (NDManager scope = out.newSubManager()) {
      float[] flat = new float[batch * len];
      float[] maskBias = attentionMask == null ? null : new float[batch * len];
      for (int b = 0; b < batch; b++) {
        if (ids[b].length != len || (attentionMask != null && attentionMask[b].length != len)) {
          throw new IllegalArgumentException("all sequences must have the same length");
        }
        for (int i = 0; i < len; i++) {
          if (ids[b][i] < 0 || ids[b][i] >= config.vocab()) {
            throw new IllegalArgumentException("token id " + ids[b][i] + " outside the vocabulary " + config.vocab());
          }
          flat[b * len + i] = ids[b][i];
          if (maskBias != null) {
            int m = attentionMask[b][i];
            if (m != 0 && m != 1) {
              throw new IllegalArgumentException("attention mask values must be 0 or 1, got " + m);
            }
            maskBias[b * len + i] = m == 1 ? 0f : MASKED;
          }
        }
      }
      NDArray index = scope.create(flat);
      // Embedding lookup as a one-hot product keeps the parameter the second operand.
      NDArray x = index.oneHot(config.vocab(), DataType.FLOAT32).matMul(Fp32View.get(params, "shared.weight", scope));
      x = x.reshape(batch, len, config.dModel());
      NDArray bias = positionBias(scope, len);
      if (maskBias != null) {
        // transformers adds the extended mask (B, 1, 1, k) to the shared position bias.
        bias = bias.add(scope.create(maskBias, new Shape(batch, 1, 1, len)));
      }
      for (int i = 0; i < config.layers(); i++) {
        String b = "encoder.block." + i + ".layer.";
        NDArray h = rmsNorm(x, Fp32View.get(params, b + "0.layer_norm.weight", scope), T5Config.EPS);
        x = x.add(selfAttention(h, b + "0.SelfAttention", bias, scope));
        h = rmsNorm(x, Fp32View.get(params, b + "1.layer_norm.weight", scope), T5Config.EPS);
        String f = b + "1.DenseReluDense";
        NDArray gate = geluTanh(Fp32View.linear(h, params, f + ".wi_0", scope));
        NDArray gated = gate.mul(Fp32View.linear(h, params, f + ".wi_1", scope));
        x = x.add(Fp32View.linear(gated, params, f + ".wo", scope));
      }
      NDArray result = rmsNorm(x, Fp32View.get(params, "encoder.final_layer_norm.weight", scope), T5Config.EPS);
      result.attach(out);
      return result;
    }
  }

  private NDArray positionBias(NDManager scope, int len) {
    long[] buckets = new long[len * len];
    for (int q = 0; q < len; q++) {
      for (int k = 0; k < len; k++) {
        buckets[q * len + k] = relativeBucket(k - q, config.buckets(), config.maxDistance());
      }
    }
    NDArray oneHot = scope.create(buckets).oneHot(config.buckets(), DataType.FLOAT32);
    NDArray table = oneHot.matMul(
        Fp32View.get(params, "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", scope));
    return table.reshape(len, len, config.heads()).transpose(2, 0, 1).expandDims(0); // (1, H, q, k)
  }

  private NDArray selfAttention(NDArray h, String p, NDArray bias, NDManager scope) {
    Shape s = h.getShape();
    NDArray q = heads(Fp32View.linear(h, params, p + ".q", scope), s);
    NDArray k = heads(Fp32View.linear(h, params, p + ".k", scope), s);
    NDArray v = heads(Fp32View.linear(h, params, p + ".v", scope), s);
    NDArray a = q.matMul(k.swapAxes(2, 3)).add(bias).softmax(-1).matMul(v);
    NDArray merged = a.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(1), (long) config.heads() * config.dKv());
    return Fp32View.linear(merged, params, p + ".o", scope);
  }

  private NDArray heads(NDArray x, Shape s) {
    return x.reshape(s.get(0), s.get(1), config.heads(), config.dKv()).transpose(0, 2, 1, 3);
  }

  /**
   * Returns parameter names that are not trained when the encoder is frozen (all of them).
   *
   * @return every parameter name
   */
  public Set<String> parameterNames() {
    return params.asMap().keySet();
  }

  @Override
  public void close() {
    params.close();
  }
}
