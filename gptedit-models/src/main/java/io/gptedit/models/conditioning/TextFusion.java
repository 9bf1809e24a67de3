package io.gptedit.models.conditioning;

import static com.google.common.base.Preconditions.checkArgument;
import static io.gptedit.models.nn.Layers.geluTanh;
import static io.gptedit.models.nn.Layers.linear;
import static io.gptedit.models.nn.Layers.rmsNorm;
import static io.gptedit.models.nn.Layers.silu;
import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.nn.DeviceException;
import io.gptedit.models.nn.Devices;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.nn.ParameterSpec.Init;
import io.gptedit.models.nn.ParameterSpec;
import io.gptedit.models.nn.Qwen2Layer;
import io.gptedit.models.text.EncodedText;
import io.gptedit.models.text.TextEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The paper's four text-encoder fusions (section 3.3), producing the denoiser's text tokens; the encoders are
 * frozen and only the connector parameters ({@link #trainableParameters()}) train.
 *
 * <ul>
 *   <li>{@link Mode#T5_ONLY}: {@code E_t5}.
 *   <li>{@link Mode#MLLM_PROJECTION}: {@code connector(E_mllm)} with a linear map {@code W} (d_m to d), or the
 *       released 2-layer MLP {@code Linear -> SiLU -> Linear}.
 *   <li>{@link Mode#MLLM_T5_CONCAT}: {@code [connector(E_mllm) ; E_t5]} along tokens (projected MLLM tokens
 *       first, as in the released code), plus an optional learned type embedding per source (row 0 for MLLM
 *       tokens, row 1 for T5 tokens; the paper describes it, the released checkpoint has none).
 *   <li>{@link Mode#METAQUERY}: N learned query vectors ({@code meta_queries.weight}, N x d_m) are appended to
 *       the MLLM's input ({@link QueryingMllm}); their output states go through
 *       {@code Linear -> GELU(tanh) -> Linear -> RMSNorm} to d (the released MetaQuery connector also has a
 *       24-layer encoder before this head, which this class does not include).
 * </ul>
 *
 * <p>Two entry points share one implementation. {@link #encode} (the {@link Conditioner} an editor calls) encodes
 * one request; training runs the frozen encoders once per sample ({@link #prepare}, whose result can be cached)
 * and fuses whole batches under autograd ({@link #fuse}). The pooled vector is the text encoder's (a CLIP-style
 * pooled output) when it has one of the configured size, else zeros (the neutral input of Flux's pooled
 * embedder). Batches whose samples have MLLM states of different lengths are zero-padded to the longest.
 *
 * <p>Parameter names: {@code connector.0} and (MLP, MetaQuery) {@code connector.2}, {@code connector_norm},
 * {@code type_embedding}, {@code meta_queries} and (MetaQuery with an encoder) {@code connector_encoder.layers.{i}.*},
 * {@code connector_encoder.norm.weight}; the released checkpoint's
 * {@code denoise_tower.denoise_projector.{0,2}} map to {@code connector.{0,2}}.
 *
 * @since 0.1
 */
public final class TextFusion implements Conditioner, AutoCloseable {
  private static final String ENCODER = "connector_encoder.";
  /** The four fusions. */
  public enum Mode {
    /** T5 tokens only. */
    T5_ONLY,
    /** Projected MLLM hidden states only. */
    MLLM_PROJECTION,
    /** Projected MLLM tokens then T5 tokens. */
    MLLM_T5_CONCAT,
    /** N learned queries read out of the MLLM. */
    METAQUERY;

    /**
     * Returns whether the mode reads T5 (text encoder) tokens.
     *
     * @return true for T5_ONLY and MLLM_T5_CONCAT
     */
    public boolean usesTextTokens() {
      return this == T5_ONLY || this == MLLM_T5_CONCAT;
    }
  }

  /** The connector's shape for the projection modes. */
  public enum Connector {
    /** One linear map W. */
    LINEAR,
    /** Linear, SiLU, Linear (the released UniWorld / GPT-Image-Edit connector). */
    MLP
  }

  /**
   * MetaQuery's connector encoder: {@code layers} bidirectional Qwen2 decoder layers (every query sees every query;
   * rotary positions 0..N-1) at the MLLM's width, then a final RMSNorm, in front of the
   * {@code Linear -> GELU(tanh) -> Linear -> RMSNorm} head. Parameters: {@code connector_encoder.layers.{i}.*} in
   * transformers' Qwen2 layer names and {@code connector_encoder.norm.weight}.
   *
   * @param layers the number of layers (0: no encoder; 24 in the paper)
   * @param heads the attention heads (divides the MLLM hidden size)
   * @param kvHeads the key and value heads (divides {@code heads})
   * @param intermediateSize the MLP width
   * @param ropeTheta the rotary base
   * @param rmsNormEps the RMSNorm epsilon
   * @since 0.1
   */
  public record QueryEncoder(int layers, int heads, int kvHeads, int intermediateSize, double ropeTheta,
      float rmsNormEps) {
    /** No encoder: the head reads the MLLM's query states directly. */
    public static final QueryEncoder NONE = new QueryEncoder(0, 1, 1, 1, 10000, 1e-6f);

    /** Validates the sizes. */
    public QueryEncoder {
      checkArgument(layers >= 0, "layers must not be negative, got %s", layers);
      checkArgument(heads > 0 && kvHeads > 0 && heads % kvHeads == 0,
          "kvHeads %s must be positive and divide heads %s", kvHeads, heads);
      checkArgument(intermediateSize > 0, "intermediateSize must be positive");
      checkArgument(ropeTheta > 0 && rmsNormEps > 0, "ropeTheta and rmsNormEps must be positive");
    }

    /**
     * The shape of one of the encoder's layers at the MLLM width.
     *
     * @param width the MLLM hidden size
     * @return the layer
     */
    public Qwen2Layer layer(int width) {
      return new Qwen2Layer(width, heads, kvHeads, width / heads, intermediateSize, rmsNormEps);
    }
  }

  /**
   * Sizes of a fusion.
   *
   * @param mode the fusion
   * @param connector the projection's shape (ignored for T5_ONLY and METAQUERY)
   * @param mllmDim the MLLM hidden size d_m (3584 for Qwen2.5-VL-7B; ignored for T5_ONLY)
   * @param hiddenDim the MLP and MetaQuery hidden size (12288 in the release)
   * @param textDim the denoiser's text-token size d (4096 for Flux)
   * @param pooledDim the denoiser's pooled size
   * @param typeEmbedding whether MLLM_T5_CONCAT adds a learned type embedding
   * @param metaQueries the number N of MetaQuery tokens (256 in the paper)
   * @param queryEncoder METAQUERY's connector encoder in front of its head ({@link QueryEncoder#NONE}: none)
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
      QueryEncoder queryEncoder) {
    /** Validates the sizes. */
    public Config {
      requireNonNull(mode, "mode");
      requireNonNull(queryEncoder, "queryEncoder");
      checkArgument(queryEncoder.layers() == 0 || mode == Mode.METAQUERY,
          "only METAQUERY has a connector encoder, not %s", mode);
      checkArgument(queryEncoder.layers() == 0 || (mllmDim % queryEncoder.heads() == 0
              && mllmDim / queryEncoder.heads() % 2 == 0),
          "the connector encoder's %s heads must divide the MLLM hidden size %s into even head sizes",
          queryEncoder.heads(), mllmDim);
      requireNonNull(connector, "connector");
      checkArgument(textDim > 0 && pooledDim > 0, "textDim and pooledDim must be positive");
      checkArgument(mode == Mode.T5_ONLY || mllmDim > 0, "%s needs the MLLM hidden size", mode);
      checkArgument(
          mode == Mode.T5_ONLY || (mode != Mode.METAQUERY && connector == Connector.LINEAR) || hiddenDim > 0,
          "%s with an MLP connector needs a hidden size",
          mode);
      checkArgument(mode != Mode.METAQUERY || metaQueries > 0, "METAQUERY needs at least one query");
    }

    /**
     * A config without a connector encoder (the head alone for METAQUERY).
     *
     * @param mode the fusion
     * @param connector the projection's shape
     * @param mllmDim the MLLM hidden size
     * @param hiddenDim the MLP and MetaQuery hidden size
     * @param textDim the denoiser's text-token size
     * @param pooledDim the denoiser's pooled size
     * @param typeEmbedding whether MLLM_T5_CONCAT adds a learned type embedding
     * @param metaQueries the number of MetaQuery tokens
     */
    public Config(Mode mode, Connector connector, int mllmDim, int hiddenDim, int textDim, int pooledDim,
        boolean typeEmbedding, int metaQueries) {
      this(mode, connector, mllmDim, hiddenDim, textDim, pooledDim, typeEmbedding, metaQueries, QueryEncoder.NONE);
    }

    /**
     * The MetaQuery fusion with an L-layer bidirectional Qwen2-style encoder in front of its head.
     *
     * @param queries the number of learned queries
     * @param mllmDim the MLLM hidden size (the encoder's width)
     * @param hiddenDim the head's hidden size
     * @param textDim the denoiser's text-token size
     * @param pooledDim the denoiser's pooled size
     * @param encoder the encoder's shape
     * @return the config
     */
    public static Config metaQuery(int queries, int mllmDim, int hiddenDim, int textDim, int pooledDim,
        QueryEncoder encoder) {
      return new Config(Mode.METAQUERY, Connector.MLP, mllmDim, hiddenDim, textDim, pooledDim, false, queries,
          encoder);
    }

    /**
     * The T5-only fusion: no connector, the text encoder's tokens as they are.
     *
     * @param textDim the denoiser's text-token size (the text encoder's width)
     * @param pooledDim the denoiser's pooled size
     * @return the config
     */
    public static Config t5Only(int textDim, int pooledDim) {
      return new Config(Mode.T5_ONLY, Connector.LINEAR, 0, 0, textDim, pooledDim, false, 0);
    }

    /**
     * A projection fusion (MLLM_PROJECTION, or MLLM_T5_CONCAT with a type embedding) through the released MLP.
     *
     * @param mode MLLM_PROJECTION or MLLM_T5_CONCAT
     * @param mllmDim the MLLM hidden size
     * @param hiddenDim the MLP hidden size
     * @param textDim the denoiser's text-token size
     * @param pooledDim the denoiser's pooled size
     * @return the config
     */
    public static Config mlp(Mode mode, int mllmDim, int hiddenDim, int textDim, int pooledDim) {
      checkArgument(mode == Mode.MLLM_PROJECTION || mode == Mode.MLLM_T5_CONCAT, "not a projection mode: %s", mode);
      return new Config(mode, Connector.MLP, mllmDim, hiddenDim, textDim, pooledDim, mode == Mode.MLLM_T5_CONCAT, 0);
    }

    /**
     * The MetaQuery fusion.
     *
     * @param queries the number of learned queries
     * @param mllmDim the MLLM hidden size
     * @param hiddenDim the head's hidden size
     * @param textDim the denoiser's text-token size
     * @param pooledDim the denoiser's pooled size
     * @return the config
     */
    public static Config metaQuery(int queries, int mllmDim, int hiddenDim, int textDim, int pooledDim) {
      return new Config(Mode.METAQUERY, Connector.MLP, mllmDim, hiddenDim, textDim, pooledDim, false, queries);
    }
  }

  /**
   * What the frozen encoders made of one sample: computed once ({@link #prepare}) and fused per batch.
   *
   * @param text the text encoder's output, or null when the mode has no text encoder
   * @param mllm the MLLM's hidden states, row-major {@code (mllmTokens, mllmDim)}, or null when not used (or
   *     computed per batch, for METAQUERY)
   * @param mllmTokens the number of MLLM tokens
   * @param image the input image (METAQUERY runs the MLLM per batch), or null
   * @param instruction the instruction
   */
  public record Prepared(EncodedText text, float[] mllm, int mllmTokens, RgbImage image, String instruction) {
    /** Checks the instruction is present. */
    public Prepared {
      requireNonNull(instruction, "instruction");
    }
  }

  private final Config config;
  private final ModelWeights params;
  private final TextEncoder text;
  private final MllmHiddenStates mllm;

  /**
   * Creates a fusion.
   *
   * @param config the sizes
   * @param params parameters declared by {@link #spec(Config)} (the connector; empty for T5_ONLY)
   * @param text the frozen text encoder (required for T5_ONLY and MLLM_T5_CONCAT; in the MLLM-only modes it
   *     supplies just the pooled vector, and may be null)
   * @param mllm the frozen MLLM (null for T5_ONLY; a {@link QueryingMllm} for METAQUERY)
   * @throws IllegalArgumentException if a component the mode needs is missing or has the wrong size
   */
  public TextFusion(Config config, ModelWeights params, TextEncoder text, MllmHiddenStates mllm) {
    this.config = requireNonNull(config, "config");
    this.params = requireNonNull(params, "params");
    checkArgument(
        !config.mode().usesTextTokens() || text != null, "%s needs a text encoder", config.mode());
    checkArgument(config.mode() == Mode.T5_ONLY || mllm != null, "%s needs an MLLM", config.mode());
    checkArgument(
        config.mode() != Mode.METAQUERY || mllm instanceof QueryingMllm,
        "METAQUERY needs an MLLM that reads query tokens (a QueryingMllm)");
    if (text != null && config.mode().usesTextTokens()) {
      checkArgument(
          text.dim() == config.textDim(),
          "text encoder width %s differs from the text dim %s",
          text.dim(),
          config.textDim());
    }
    checkArgument(
        params.asMap().keySet().equals(spec(config).entries().keySet()),
        "connector parameters %s do not match the %s spec %s",
        params.asMap().keySet(),
        config.mode(),
        spec(config).entries().keySet());
    this.text = text;
    this.mllm = mllm;
  }

  /**
   * The T5-only fusion over a text encoder (no trainable parameters).
   *
   * @param text the frozen text encoder
   * @param pooledDim the denoiser's pooled size (the encoder's pooled vector is used when it has this size)
   * @return the fusion
   */
  public static TextFusion t5Only(TextEncoder text, int pooledDim) {
    return t5Only(text, pooledDim, Devices.defaultDevice());
  }

  /**
   * The T5-only fusion over a text encoder, with its (empty) parameter store on a device, which
   * {@link #parameters()}{@code .device()} reports; {@link #fuse} builds the conditioning under the caller's
   * manager.
   *
   * @param text the frozen text encoder
   * @param pooledDim the denoiser's pooled size (the encoder's pooled vector is used when it has this size)
   * @param device the device
   * @return the fusion
   * @throws DeviceException if the engine does not have the device
   */
  public static TextFusion t5Only(TextEncoder text, int pooledDim, Device device) {
    Devices.require(device);
    Config c = Config.t5Only(text.dim(), pooledDim);
    return new TextFusion(c, ModelWeights.random(spec(c), 0, device), text, null);
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
        QueryEncoder e = c.queryEncoder();
        for (int i = 0; i < e.layers(); i++) {
          e.layer(c.mllmDim()).declare(s, ENCODER + "layers." + i + ".");
        }
        if (e.layers() > 0) {
          s.add(ENCODER + "norm.weight", Init.NEAR_ONE, c.mllmDim());
        }
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
   * Returns the connector parameters by name (empty for T5_ONLY).
   *
   * @return an unmodifiable view
   */
  public Map<String, NDArray> trainableParameters() {
    return params.asMap();
  }

  /**
   * Returns this fusion over other arrays for some or all of its connector parameters, such as a trainer's float16
   * compute copies ({@code FineTuner.StepContext.parameters()}), so that gradients reach the trainer's copies. The
   * same encoders and config; closing the view closes nothing. When the connector is read in float16, {@link #fuse}
   * casts its data inputs (the frozen encoders' states) to float16 too and returns float16 tokens; the T5-only fusion
   * has no connector and returns its tokens as they are. METAQUERY cannot fuse in float16: its queries run through
   * the frozen MLLM, which computes in float32.
   *
   * @param replacements arrays by parameter name (same shapes); names the connector does not have are ignored, so a
   *     map that also holds the denoiser's parameters can be passed
   * @return the view
   * @throws IllegalArgumentException if a replacement has another shape than the parameter it replaces
   */
  public TextFusion withParameters(Map<String, NDArray> replacements) {
    return new TextFusion(config, params.withValues(params.ownOf(replacements)), text, mllm);
  }

  /**
   * Returns the sizes.
   *
   * @return the config
   */
  public Config config() {
    return config;
  }

  /**
   * Returns a description of the frozen encoders, for caches and checkpoints.
   *
   * @return the identity of the text encoder and the MLLM
   */
  public String encoderId() {
    return config.mode() + "(" + (text == null ? "none" : text.id()) + " + " + (mllm == null ? "none" : mllm.id())
        + ")";
  }

  /**
   * Runs the frozen encoders on one sample (once: the result can be cached and reused at every step).
   *
   * @param image the input image (read by the MLLM modes)
   * @param instruction the instruction
   * @return the frozen encodings
   */
  public Prepared prepare(RgbImage image, String instruction) {
    requireNonNull(instruction, "instruction");
    EncodedText t = text == null ? null : text.encode(instruction);
    float[] states = null;
    int statesTokens = 0;
    if (config.mode() == Mode.MLLM_PROJECTION || config.mode() == Mode.MLLM_T5_CONCAT) {
      requireNonNull(image, "image");
      try (NDManager m = NDManager.newBaseManager(params.device())) { // the connector's device, the MLLM's too
        NDArray h = mllm.hiddenStates(image, instruction, m);
        checkMllmDim(h);
        statesTokens = Math.toIntExact(h.getShape().get(1));
        states = h.toFloatArray();
      }
    }
    return new Prepared(t, states, statesTokens, config.mode() == Mode.METAQUERY ? image : null, instruction);
  }

  /**
   * Fuses a batch of prepared samples into the denoiser's text conditioning. Every array, intermediates included,
   * is attached to {@code manager}, so under a gradient collector gradients reach the connector; close the manager
   * only after the backward pass.
   *
   * @param batch the prepared samples
   * @param manager the manager of the result and every intermediate
   * @return tokens (B, L, textDim) and pooled (B, pooledDim)
   */
  public TextConditioning fuse(List<Prepared> batch, NDManager manager) {
    checkArgument(!batch.isEmpty(), "empty batch");
    int b = batch.size();
    NDArray tokens =
        switch (config.mode()) {
          case T5_ONLY -> textTokens(batch, manager);
          case MLLM_PROJECTION -> project(asConnector(mllmStates(batch, manager)));
          case MLLM_T5_CONCAT ->
              concat(project(asConnector(mllmStates(batch, manager))), asConnector(textTokens(batch, manager)));
          case METAQUERY -> metaQuery(batch, manager);
        };
    NDArray pooled;
    if (text != null && text.pooledDim() == config.pooledDim()) {
      float[] p = new float[b * config.pooledDim()];
      for (int i = 0; i < b; i++) {
        EncodedText e = requireNonNull(batch.get(i).text(), "sample prepared without the text encoder");
        System.arraycopy(e.pooled(), 0, p, i * config.pooledDim(), config.pooledDim());
      }
      pooled = manager.create(p, new Shape(b, config.pooledDim()));
    } else {
      pooled = manager.zeros(new Shape(b, config.pooledDim()));
    }
    return new TextConditioning(tokens, asConnector(pooled));
  }

  @Override
  public TextConditioning encode(RgbImage image, String instruction, NDManager manager) {
    Prepared p = prepare(image, instruction);
    try (NDManager scope = manager.newSubManager()) {
      TextConditioning c = fuse(List.of(p), scope);
      c.tokens().attach(manager);
      c.pooled().attach(manager);
      return c;
    }
  }

  private NDArray textTokens(List<Prepared> batch, NDManager m) {
    int b = batch.size();
    EncodedText first = requireNonNull(batch.get(0).text(), "sample prepared without the text encoder");
    int l = first.length();
    int d = first.dim();
    float[] out = new float[b * l * d];
    for (int i = 0; i < b; i++) {
      EncodedText e = batch.get(i).text();
      checkArgument(e.length() == l && e.dim() == d, "text encodings of one batch must have equal shapes");
      System.arraycopy(e.tokens(), 0, out, i * l * d, l * d);
    }
    return m.create(out, new Shape(b, l, d));
  }

  private NDArray mllmStates(List<Prepared> batch, NDManager m) {
    int b = batch.size();
    int d = config.mllmDim();
    int l = 0;
    for (Prepared p : batch) {
      requireNonNull(p.mllm(), "sample prepared without MLLM states");
      l = Math.max(l, p.mllmTokens());
    }
    float[] out = new float[b * l * d]; // zero-padded to the longest sample
    for (int i = 0; i < b; i++) {
      Prepared p = batch.get(i);
      System.arraycopy(p.mllm(), 0, out, i * l * d, p.mllmTokens() * d);
    }
    return m.create(out, new Shape(b, l, d));
  }

  private NDArray project(NDArray hidden) {
    NDArray h = linear(hidden, params, "connector.0");
    return config.connector() == Connector.LINEAR ? h : linear(silu(h), params, "connector.2");
  }

  private NDArray concat(NDArray mllmTokens, NDArray textTokens) {
    if (params.has("type_embedding.weight")) {
      NDArray types = params.get("type_embedding.weight");
      NDManager scope = mllmTokens.getManager();
      // Row selection as a one-hot product keeps the parameter the second operand (nothing attaches to it).
      mllmTokens = mllmTokens.add(asConnector(scope.create(new float[][] {{1, 0}})).matMul(types));
      textTokens = textTokens.add(asConnector(scope.create(new float[][] {{0, 1}})).matMul(types));
    }
    return mllmTokens.concat(textTokens, 1);
  }

  private NDArray metaQuery(List<Prepared> batch, NDManager m) {
    List<RgbImage> images = new ArrayList<>();
    List<String> instructions = new ArrayList<>();
    for (Prepared p : batch) {
      images.add(requireNonNull(p.image(), "METAQUERY sample prepared without its image"));
      instructions.add(p.instruction());
    }
    NDArray states = ((QueryingMllm) mllm).queryStates(images, instructions, params.get("meta_queries.weight"), m);
    checkMllmDim(states);
    checkArgument(
        states.getShape().get(1) == config.metaQueries(),
        "MetaQuery expects the MLLM states at its %s query positions, got %s tokens",
        config.metaQueries(),
        states.getShape().get(1));
    states = encodeQueries(config.queryEncoder(), config.mllmDim(), states, params, m);
    NDArray h = linear(geluTanh(linear(states, params, "connector.0")), params, "connector.2");
    return rmsNorm(h, params.get("connector_norm.weight"), 1e-6f);
  }

  /** The connector encoder over (B, N, width) query states; the states themselves with no layers. */
  static NDArray encodeQueries(QueryEncoder e, int width, NDArray states, ModelWeights params, NDManager m) {
    if (e.layers() == 0) {
      return states;
    }
    Qwen2Layer layer = e.layer(width);
    NDArray[] rope = Qwen2Layer.rope((int) states.getShape().get(1), layer.headDim(), e.ropeTheta(), m);
    NDArray x = states;
    for (int i = 0; i < e.layers(); i++) {
      x = layer.forward(x, params, ENCODER + "layers." + i + ".", rope, false, m);
    }
    return rmsNorm(x, params.get(ENCODER + "norm.weight"), e.rmsNormEps());
  }

  /**
   * Casts data (encoder states, constants) to the connector's type: a no-op for a float32 connector, float16 for a
   * view over a trainer's float16 copies. Not differentiable (data only).
   */
  private NDArray asConnector(NDArray data) {
    NDArray first = params.asMap().values().stream().findFirst().orElse(null);
    DataType type = first == null ? DataType.FLOAT32 : first.getDataType();
    if (data.getDataType() == type) {
      return data;
    }
    NDArray cast = data.toType(type, false);
    cast.attach(data.getManager());
    return cast;
  }

  private void checkMllmDim(NDArray hidden) {
    checkArgument(
        hidden.getShape().get(2) == config.mllmDim(),
        "MLLM hidden size %s differs from the configured %s",
        hidden.getShape().get(2),
        config.mllmDim());
  }

  @Override
  public void close() {
    params.close();
  }

}
