package io.gptedit.models.text;

import static io.gptedit.models.nn.Layers.geluTanh;
import static io.gptedit.models.nn.Layers.linear;
import static io.gptedit.models.nn.Layers.rmsNorm;
import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.gptedit.models.nn.ParameterSpec;
import io.gptedit.models.nn.ParameterSpec.Init;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.nn.WeightLoadException;
import io.gptedit.models.safetensors.SafetensorsFile;
import java.util.List;
import java.util.Set;

/**
 * The T5 v1.1 encoder (HF {@code T5EncoderModel}): token embedding, blocks of pre-norm self-attention with a
 * relative position bias (computed in block 0 and shared by all blocks, no 1/sqrt(d) score scaling) and a
 * gated-GELU (tanh) feed-forward, all with RMS LayerNorm, then a final norm. Runs without an attention mask, as
 * Flux's pipeline does with its padded prompts.
 */
public final class T5Encoder implements AutoCloseable {
  /** The tied duplicate of {@code shared.weight} that HF checkpoints may carry. */
  private static final String TIED_EMBEDDING = "encoder.embed_tokens.weight";

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
    return new T5Encoder(config, ModelWeights.random(spec(config), seed));
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
    ModelWeights p = ModelWeights.load(spec(config), shards, "", false, 0);
    List<String> unexpected = p.loadReport().unexpected().stream().filter(n -> !n.equals(TIED_EMBEDDING)).toList();
    if (!p.loadReport().missing().isEmpty() || !unexpected.isEmpty()) {
      p.close();
      throw new WeightLoadException(
          "T5 checkpoint does not match: missing " + p.loadReport().missing() + ", unexpected " + unexpected);
    }
    return new T5Encoder(config, p);
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
   * Encodes a batch of equally long token sequences.
   *
   * @param ids one row of token ids per sample, all of the same length
   * @param out the manager of the result
   * @return hidden states (B, L, d_model)
   */
  public NDArray encode(int[][] ids, NDManager out) {
    int batch = ids.length;
    int len = ids[0].length;
    try (NDManager scope = out.newSubManager()) {
      long[] flat = new long[batch * len];
      for (int b = 0; b < batch; b++) {
        if (ids[b].length != len) {
          throw new IllegalArgumentException("all sequences must have the same length");
        }
        for (int i = 0; i < len; i++) {
          if (ids[b][i] < 0 || ids[b][i] >= config.vocab()) {
            throw new IllegalArgumentException("token id " + ids[b][i] + " outside the vocabulary " + config.vocab());
          }
          flat[b * len + i] = ids[b][i];
        }
      }
      NDArray index = scope.create(flat);
      // Embedding lookup as a one-hot product keeps the parameter the second operand.
      NDArray x = index.oneHot(config.vocab(), DataType.FLOAT32).matMul(params.get("shared.weight"));
      x = x.reshape(batch, len, config.dModel());
      NDArray bias = positionBias(scope, len);
      for (int i = 0; i < config.layers(); i++) {
        String b = "encoder.block." + i + ".layer.";
        NDArray h = rmsNorm(x, params.get(b + "0.layer_norm.weight"), T5Config.EPS);
        x = x.add(selfAttention(h, b + "0.SelfAttention", bias));
        h = rmsNorm(x, params.get(b + "1.layer_norm.weight"), T5Config.EPS);
        String f = b + "1.DenseReluDense";
        NDArray gated = geluTanh(linear(h, params, f + ".wi_0")).mul(linear(h, params, f + ".wi_1"));
        x = x.add(linear(gated, params, f + ".wo"));
      }
      NDArray result = rmsNorm(x, params.get("encoder.final_layer_norm.weight"), T5Config.EPS);
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
    NDArray table = oneHot.matMul(params.get("encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"));
    return table.reshape(len, len, config.heads()).transpose(2, 0, 1).expandDims(0); // (1, H, q, k)
  }

  private NDArray selfAttention(NDArray h, String p, NDArray bias) {
    Shape s = h.getShape();
    NDArray q = heads(linear(h, params, p + ".q"), s);
    NDArray k = heads(linear(h, params, p + ".k"), s);
    NDArray v = heads(linear(h, params, p + ".v"), s);
    NDArray a = q.matMul(k.swapAxes(2, 3)).add(bias).softmax(-1).matMul(v);
    NDArray merged = a.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(1), (long) config.heads() * config.dKv());
    return linear(merged, params, p + ".o");
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
