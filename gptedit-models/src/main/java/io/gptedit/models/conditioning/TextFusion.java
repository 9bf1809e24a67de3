package io.gptedit.models.conditioning;

import static io.gptedit.models.nn.Layers.geluTanh;
import static io.gptedit.models.nn.Layers.linear;
import static io.gptedit.models.nn.Layers.rmsNorm;
import static io.gptedit.models.nn.Layers.silu;
import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.nn.ParameterSpec;
import io.gptedit.models.nn.ParameterSpec.Init;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.text.T5Encoder;
import io.gptedit.models.text.TextTokenizer;

/**
 * The paper's four text-encoder fusions (section 3.3), producing the denoiser's text tokens; the encoders are
 * frozen and only the connector parameters ({@link #parameters()}) train.
 *
 * <ul>
 *   <li>{@link Mode#T5_ONLY}: {@code E_t5}.
 *   <li>{@link Mode#MLLM_PROJECTION}: {@code connector(E_mllm)} with a linear map {@code W} (d_m to d), or the
 *       released 2-layer MLP {@code Linear -> SiLU -> Linear}.
 *   <li>{@link Mode#MLLM_T5_CONCAT}: {@code [connector(E_mllm) ; E_t5]} along tokens (projected MLLM tokens
 *       first, as in the released code), plus an optional learned type embedding per source (row 0 for MLLM
 *       tokens, row 1 for T5 tokens; the paper describes it, the released checkpoint has none).
 *   <li>{@link Mode#METAQUERY}: N learned query vectors ({@code meta_queries.weight}, N x d_m) are appended to
 *       the MLLM input by the caller's MLLM; their output states go through
 *       {@code Linear -> GELU(tanh) -> Linear -> RMSNorm} to d (the released MetaQuery connector also has a
 *       24-layer encoder before this head, which this module does not include).
 * </ul>
 *
 * <p>Parameter names: {@code connector.0} and (MLP, MetaQuery) {@code connector.2}, {@code connector_norm},
 * {@code type_embedding} and {@code meta_queries}; the released checkpoint's
 * {@code denoise_tower.denoise_projector.{0,2}} map to {@code connector.{0,2}}.
 */
public final class TextFusion implements Conditioner, AutoCloseable {
  /** The four fusions. */
  public enum Mode {
    /** T5 tokens only. */
    T5_ONLY,
    /** Projected MLLM hidden states only. */
    MLLM_PROJECTION,
    /** Projected MLLM tokens then T5 tokens. */
    MLLM_T5_CONCAT,
    /** N learned queries read out of the MLLM. */
    METAQUERY
  }

  /** The connector's shape for the projection modes. */
  public enum Connector {
    /** One linear map W. */
    LINEAR,
    /** Linear, SiLU, Linear (the released UniWorld / GPT-Image-Edit connector). */
    MLP
  }

  /**
   * Sizes of a fusion.
   *
   * @param mode the fusion
   * @param connector the projection's shape (ignored for T5_ONLY and METAQUERY)
   * @param mllmDim the MLLM hidden size d_m (3584 for Qwen2.5-VL-7B)
   * @param hiddenDim the MLP and MetaQuery hidden size (12288 in the release)
   * @param textDim the denoiser's text-token size d (4096 for Flux)
   * @param pooledDim the denoiser's pooled size
   * @param typeEmbedding whether MLLM_T5_CONCAT adds a learned type embedding
   * @param metaQueries the number N of MetaQuery tokens (256 in the paper)
   * @param maxT5Tokens the T5 token budget (512 for Flux)
   */
  public record Config(
      Mode mode,
      Connector connector,
      int mllmDim,
      int hiddenDim,
      int textDim,
      int pooledDim,
      boolean typeEmbedding,
      int metaQueries,
      int maxT5Tokens) {
    /** Validates the sizes. */
    public Config {
      requireNonNull(mode, "mode");
      requireNonNull(connector, "connector");
      if (textDim <= 0 || pooledDim <= 0 || maxT5Tokens <= 0) {
        throw new IllegalArgumentException("textDim, pooledDim and maxT5Tokens must be positive");
      }
    }
  }

  private final Config config;
  private final ModelWeights params;
  private final T5Encoder t5;
  private final TextTokenizer tokenizer;
  private final MllmHiddenStates mllm;

  /**
   * Creates a fusion.
   *
   * @param config the sizes
   * @param params parameters declared by {@link #spec(Config)}
   * @param t5 the frozen T5 encoder (null for MLLM_PROJECTION and METAQUERY)
   * @param tokenizer the T5 tokenizer (null when t5 is null)
   * @param mllm the MLLM hidden-state source (null for T5_ONLY)
   */
  public TextFusion(Config config, ModelWeights params, T5Encoder t5, TextTokenizer tokenizer, MllmHiddenStates mllm) {
    this.config = requireNonNull(config, "config");
    this.params = requireNonNull(params, "params");
    boolean needsT5 = config.mode() == Mode.T5_ONLY || config.mode() == Mode.MLLM_T5_CONCAT;
    if (needsT5 && (t5 == null || tokenizer == null)) {
      throw new IllegalArgumentException(config.mode() + " needs a T5 encoder and tokenizer");
    }
    if (config.mode() != Mode.T5_ONLY && mllm == null) {
      throw new IllegalArgumentException(config.mode() + " needs MLLM hidden states");
    }
    if (needsT5 && t5.config().dModel() != config.textDim()) {
      throw new IllegalArgumentException(
          "T5 d_model " + t5.config().dModel() + " differs from the text dim " + config.textDim());
    }
    this.t5 = t5;
    this.tokenizer = tokenizer;
    this.mllm = mllm;
  }

  /**
   * Declares the connector parameters of a fusion.
   *
   * @param c the sizes
   * @return the spec (empty for T5_ONLY)
   */
  public static ParameterSpec spec(Config c) {
    ParameterSpec s = new ParameterSpec();
    switch (c.mode()) {
      case T5_ONLY -> {}
      case MLLM_PROJECTION, MLLM_T5_CONCAT -> {
        if (c.connector() == Connector.LINEAR) {
          s.linear("connector.0", c.mllmDim(), c.textDim(), true);
        } else {
          s.linear("connector.0", c.mllmDim(), c.hiddenDim(), true);
          s.linear("connector.2", c.hiddenDim(), c.textDim(), true);
        }
        if (c.mode() == Mode.MLLM_T5_CONCAT && c.typeEmbedding()) {
          s.add("type_embedding.weight", Init.SMALL, 2, c.textDim());
        }
      }
      case METAQUERY -> {
        s.add("meta_queries.weight", Init.SMALL, c.metaQueries(), c.mllmDim());
        s.linear("connector.0", c.mllmDim(), c.hiddenDim(), true);
        s.linear("connector.2", c.hiddenDim(), c.textDim(), true);
        s.add("connector_norm.weight", Init.NEAR_ONE, c.textDim());
      }
    }
    return s;
  }

  /**
   * Returns the connector parameters (the trainable part).
   *
   * @return the store
   */
  public ModelWeights parameters() {
    return params;
  }

  /**
   * Returns the sizes.
   *
   * @return the config
   */
  public Config config() {
    return config;
  }

  @Override
  public TextConditioning encode(RgbImage image, String instruction, NDManager manager) {
    try (NDManager scope = manager.newSubManager()) {
      NDArray tokens =
          switch (config.mode()) {
            case T5_ONLY -> t5Tokens(instruction, scope);
            case MLLM_PROJECTION -> project(mllm.hiddenStates(image, instruction, scope));
            case MLLM_T5_CONCAT -> concat(
                project(mllm.hiddenStates(image, instruction, scope)), t5Tokens(instruction, scope));
            case METAQUERY -> metaQuery(mllm.hiddenStates(image, instruction, scope));
          };
      // The fusions carry no CLIP encoder: Flux's pooled input is zero (the neutral value of its
      // Linear-SiLU-Linear embedder); callers with a CLIP-L pooled vector build TextConditioning themselves.
      NDArray pooled = scope.zeros(new Shape(tokens.getShape().get(0), config.pooledDim()));
      tokens.attach(manager);
      pooled.attach(manager);
      return new TextConditioning(tokens, pooled);
    }
  }

  private NDArray t5Tokens(String instruction, NDManager scope) {
    int[] ids = tokenizer.encode(instruction, config.maxT5Tokens());
    return t5.encode(new int[][] {ids}, scope);
  }

  private NDArray project(NDArray hidden) {
    checkMllmDim(hidden);
    NDArray h = linear(hidden, params, "connector.0");
    return config.connector() == Connector.LINEAR ? h : linear(silu(h), params, "connector.2");
  }

  private NDArray concat(NDArray mllmTokens, NDArray t5Tokens) {
    if (params.has("type_embedding.weight")) {
      NDArray types = params.get("type_embedding.weight");
      NDManager scope = mllmTokens.getManager();
      // Row selection as a one-hot product keeps the parameter the second operand (nothing attaches to it).
      mllmTokens = mllmTokens.add(scope.create(new float[][] {{1, 0}}).matMul(types));
      t5Tokens = t5Tokens.add(scope.create(new float[][] {{0, 1}}).matMul(types));
    }
    return mllmTokens.concat(t5Tokens, 1);
  }

  private NDArray metaQuery(NDArray queryStates) {
    checkMllmDim(queryStates);
    if (queryStates.getShape().get(1) != config.metaQueries()) {
      throw new IllegalArgumentException(
          "MetaQuery expects the MLLM states at its " + config.metaQueries() + " query positions, got "
              + queryStates.getShape().get(1) + " tokens");
    }
    NDArray h = linear(geluTanh(linear(queryStates, params, "connector.0")), params, "connector.2");
    return rmsNorm(h, params.get("connector_norm.weight"), 1e-6f);
  }

  private void checkMllmDim(NDArray hidden) {
    if (hidden.getShape().get(2) != config.mllmDim()) {
      throw new IllegalArgumentException(
          "MLLM hidden size " + hidden.getShape().get(2) + " differs from the configured " + config.mllmDim());
    }
  }

  @Override
  public void close() {
    params.close();
  }
}
