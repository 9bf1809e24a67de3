package io.gptedit.models.text;

import io.gptedit.models.nn.DiffusersConfig;
import io.gptedit.models.nn.WeightLoadException;
import java.nio.file.Path;

/**
 * Hyper-parameters of a T5 v1.1 encoder.
 *
 * @param vocab vocabulary size
 * @param dModel model width
 * @param dKv channels per head
 * @param heads attention heads
 * @param dFf gated-GELU hidden width
 * @param layers encoder blocks
 * @param buckets relative position buckets
 * @param maxDistance relative distance where buckets stop growing
 *
 * @since 0.1
 */
public record T5Config(int vocab, int dModel, int dKv, int heads, int dFf, int layers, int buckets, int maxDistance) {
  /** RMS LayerNorm epsilon. */
  public static final float EPS = 1e-6f;

  /** Validates the config. */
  public T5Config {
    if (vocab <= 0 || dModel <= 0 || dKv <= 0 || heads <= 0 || dFf <= 0 || layers <= 0 || buckets < 4) {
      throw new IllegalArgumentException("T5 sizes must be positive (buckets >= 4)");
    }
  }

  /**
   * T5-XXL v1.1 encoder (Flux's text encoder): d_model 4096, 24 layers, 64 heads x 64, FFN 10240.
   *
   * @return the preset
   */
  public static T5Config xxl() {
    return new T5Config(32128, 4096, 64, 64, 10240, 24, 32, 128);
  }

  /**
   * Reads a transformers {@code config.json} of a T5 v1.1 encoder ({@code T5EncoderModel}, e.g.
   * {@code text_encoder_2/} of FLUX.1-Kontext-dev or {@code text_encoder_3/} of SD3).
   *
   * @param configJson the file
   * @return the config it describes
   * @throws WeightLoadException if a field is missing or mistyped, or the model is not a gated-GELU T5 with
   *     LayerNorm epsilon 1e-6
   */
  public static T5Config fromTransformers(Path configJson) {
    DiffusersConfig j = DiffusersConfig.read(configJson);
    String arch = j.firstString("architectures", "T5EncoderModel");
    if (!arch.startsWith("T5")) {
      throw new WeightLoadException(configJson + ": architectures names " + arch + ", not a T5 model");
    }
    String ff = j.string("feed_forward_proj", "relu");
    if (!ff.equals("gated-gelu")) {
      throw new WeightLoadException(
          configJson + ": feed_forward_proj is '" + ff + "', but only T5 v1.1's gated-gelu is supported");
    }
    j.require("dense_act_fn", "gelu_new", j.string("dense_act_fn", "gelu_new"));
    if (Math.abs(j.number("layer_norm_epsilon") - EPS) > 1e-12) {
      throw new WeightLoadException(configJson + ": layer_norm_epsilon " + j.number("layer_norm_epsilon")
          + " is not T5's " + EPS);
    }
    try {
      return new T5Config(
          j.integer("vocab_size"), j.integer("d_model"), j.integer("d_kv"), j.integer("num_heads"),
          j.integer("d_ff"), j.integer("num_layers"), j.integer("relative_attention_num_buckets", 32),
          j.integer("relative_attention_max_distance", 128));
    } catch (IllegalArgumentException e) {
      throw new WeightLoadException(configJson + ": " + e.getMessage());
    }
  }

  /**
   * A tiny encoder for tests: 2 layers, d_model 32, 4 heads x 8, byte-level vocabulary.
   *
   * @return the preset
   */
  public static T5Config tiny() {
    return new T5Config(ByteTokenizer.VOCAB, 32, 8, 4, 64, 2, 32, 128);
  }
}
