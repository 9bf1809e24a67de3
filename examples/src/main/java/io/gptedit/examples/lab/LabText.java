package io.gptedit.examples.lab;

import static io.gptedit.models.nn.Layers.geluTanh;
import static io.gptedit.models.nn.Layers.linear;
import static io.gptedit.models.nn.Layers.rmsNorm;
import static io.gptedit.models.nn.Layers.silu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gptedit.models.conditioning.TextFusion;
import io.gptedit.models.nn.ModelWeights;
import java.util.Map;

/**
 * The lab editor's text side under one of the four fusions ({@link LabConfig.Fusion}): the frozen T5-style
 * {@link TinyTextEncoder}, the frozen {@link TinyMllm} stand-in, and the trainable connector.
 *
 * <p>The connector is declared by {@link TextFusion#spec} (same names, shapes and modes as the models module's
 * fusion: {@code connector.0/2}, {@code type_embedding}, {@code meta_queries}, {@code connector_norm}) and computes
 * the same formulas, but batched and without a closed scope: {@link TextFusion#encode} is a batch-1 {@code
 * Conditioner} that needs a {@code T5Encoder}, returns a zero pooled vector and frees its intermediates before the
 * caller's backward pass. The pooled vector here is always the T5-style encoder's mean (the CLIP stand-in), so the
 * fusions differ only in the token stream.
 */
final class LabText implements AutoCloseable {
  /** Learned MetaQuery tokens (the paper uses 256 at full scale). */
  static final int META_QUERIES = 16;
  private static final int CONNECTOR_HIDDEN = 64;

  private final LabConfig.Fusion mode;
  private final TinyTextEncoder t5;
  private final int side;
  private final TinyMllm mllm;
  private final ModelWeights connector;
  private final int tokens;

  LabText(LabConfig config, TinyTextEncoder t5) {
    this.mode = config.textFusion();
    this.t5 = t5;
    this.side = config.size();
    TextFusion.Config fc = fusionConfig(mode, t5);
    this.connector = fc == null ? null : ModelWeights.random(TextFusion.spec(fc), config.seed() ^ 0xF05EL);
    this.mllm = mode == LabConfig.Fusion.T5 ? null : new TinyMllm(config.seed() ^ 0x3117L);
    this.tokens =
        switch (mode) {
          case T5 -> t5.tokens();
          case MLLM -> mllm.tokens();
          case MLLM_T5 -> mllm.tokens() + t5.tokens();
          case METAQUERY -> META_QUERIES;
        };
  }

  /** The models module's fusion config this mode corresponds to, or null for T5 (no connector). */
  static TextFusion.Config fusionConfig(LabConfig.Fusion mode, TinyTextEncoder t5) {
    int d = t5.dim();
    return switch (mode) {
      case T5 -> null;
      case MLLM -> new TextFusion.Config(
          TextFusion.Mode.MLLM_PROJECTION, TextFusion.Connector.MLP, TinyMllm.DIM, CONNECTOR_HIDDEN, d, d, false, 0,
          t5.tokens());
      case MLLM_T5 -> new TextFusion.Config(
          TextFusion.Mode.MLLM_T5_CONCAT, TextFusion.Connector.MLP, TinyMllm.DIM, CONNECTOR_HIDDEN, d, d, true, 0,
          t5.tokens());
      case METAQUERY -> new TextFusion.Config(
          TextFusion.Mode.METAQUERY, TextFusion.Connector.MLP, TinyMllm.DIM, CONNECTOR_HIDDEN, d, d, false,
          META_QUERIES, t5.tokens());
    };
  }

  /** Text tokens per sample. */
  int tokens() {
    return tokens;
  }

  /** Features per text token (the editor's joint-attention input size). */
  int dim() {
    return t5.dim();
  }

  /** The trainable connector parameters (empty for T5). */
  Map<String, NDArray> parameters() {
    return connector == null ? Map.of() : connector.asMap();
  }

  /** The frozen stand-in MLLM, or null for T5. */
  TinyMllm mllm() {
    return mllm;
  }

  /**
   * A batch's text conditioning.
   *
   * @param tokens (B, tokens(), dim())
   * @param pooled (B, dim())
   */
  record Conditioning(NDArray tokens, NDArray pooled) {}

  /**
   * Computes a batch's text conditioning; every array lives in {@code m} (keep it open until after a backward pass).
   */
  Conditioning condition(NDManager m, LabExample[] batch) {
    int b = batch.length;
    int l = t5.tokens();
    int d = t5.dim();
    float[] text = new float[b * l * d];
    float[] pooled = new float[b * d];
    for (int i = 0; i < b; i++) {
      System.arraycopy(batch[i].text(), 0, text, i * l * d, l * d);
      System.arraycopy(batch[i].pooled(), 0, pooled, i * d, d);
    }
    NDArray t5Tokens = m.create(text, new Shape(b, l, d));
    NDArray pooledArray = m.create(pooled, new Shape(b, d));
    NDArray out =
        switch (mode) {
          case T5 -> t5Tokens;
          case MLLM -> project(mllm.hiddenStates(m, batch, side, null));
          case MLLM_T5 -> {
            // Row selection as one-hot products keeps the parameter the second operand (as TextFusion does).
            NDArray types = connector.get("type_embedding.weight");
            NDArray mllmTokens =
                project(mllm.hiddenStates(m, batch, side, null)).add(m.create(new float[][] {{1, 0}}).matMul(types));
            yield mllmTokens.concat(t5Tokens.add(m.create(new float[][] {{0, 1}}).matMul(types)), 1);
          }
          case METAQUERY -> {
            NDArray states = mllm.hiddenStates(m, batch, side, connector.get("meta_queries.weight"));
            NDArray h = linear(geluTanh(linear(states, connector, "connector.0")), connector, "connector.2");
            yield rmsNorm(h, connector.get("connector_norm.weight"), 1e-6f);
          }
        };
    return new Conditioning(out, pooledArray);
  }

  private NDArray project(NDArray hidden) {
    return linear(silu(linear(hidden, connector, "connector.0")), connector, "connector.2");
  }

  @Override
  public void close() {
    if (connector != null) {
      connector.close();
    }
    if (mllm != null) {
      mllm.close();
    }
  }
}
