package io.gptedit.models.text;

import static java.util.Objects.requireNonNull;

import io.gptedit.models.nn.DiffusersConfig;
import io.gptedit.models.nn.WeightLoadException;
import java.nio.file.Path;

/**
 * Hyper-parameters of a CLIP text tower, as transformers' {@code CLIPTextConfig} names them.
 *
 * @param vocabSize vocabulary size (49408)
 * @param hiddenSize model width (768 for CLIP-L, 1280 for bigG)
 * @param intermediateSize MLP width
 * @param layers encoder layers
 * @param heads attention heads
 * @param maxPositions learned positions (77)
 * @param activation the MLP activation ({@code hidden_act})
 * @param layerNormEps LayerNorm epsilon
 * @param projection whether the checkpoint is a {@code CLIPTextModelWithProjection} (a {@code text_projection})
 * @param projectionDim width of the projection (used only with {@code projection})
 * @param eosTokenId the config's {@code eos_token_id}; 2 selects the legacy pooling at the largest id
 *
 * @since 0.1
 */
public record ClipTextConfig(
    int vocabSize,
    int hiddenSize,
    int intermediateSize,
    int layers,
    int heads,
    int maxPositions,
    Activation activation,
    float layerNormEps,
    boolean projection,
    int projectionDim,
    int eosTokenId) {

  /** transformers' legacy {@code eos_token_id}: configs saved before its PR 24773 pool at the largest id. */
  public static final int LEGACY_EOS_TOKEN_ID = 2;

  /** The MLP activations CLIP configs use. */
  public enum Activation {
    /** {@code quick_gelu}: {@code x * sigmoid(1.702 x)} (OpenAI CLIP, CLIP-L). */
    QUICK_GELU,
    /** {@code gelu}: the exact, erf-based GELU (OpenCLIP bigG). */
    GELU,
    /** {@code gelu_new} / {@code gelu_pytorch_tanh}: the tanh approximation. */
    GELU_TANH;

    /**
     * Maps a config's {@code hidden_act}.
     *
     * @param name the name
     * @return the activation
     * @throws IllegalArgumentException if the name is not one of CLIP's activations
     */
    public static Activation fromConfigName(String name) {
      return switch (name) {
        case "quick_gelu" -> QUICK_GELU;
        case "gelu" -> GELU;
        case "gelu_new", "gelu_pytorch_tanh" -> GELU_TANH;
        default -> throw new IllegalArgumentException("unsupported CLIP hidden_act '" + name + "'");
      };
    }
  }

  /**
   * Validates the sizes.
   *
   * @throws IllegalArgumentException if a size is not positive or the heads do not divide the width
   */
  public ClipTextConfig {
    requireNonNull(activation, "activation");
    if (vocabSize <= 0 || hiddenSize <= 0 || intermediateSize <= 0 || layers <= 0 || heads <= 0 || maxPositions <= 0
        || (projection && projectionDim <= 0) || !(layerNormEps > 0)) {
      throw new IllegalArgumentException("CLIP sizes and epsilon must be positive");
    }
    if (hiddenSize % heads != 0) {
      throw new IllegalArgumentException("hidden size " + hiddenSize + " is not a multiple of " + heads + " heads");
    }
  }

  /**
   * Returns a builder.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * CLIP ViT-L/14's text tower as {@code CLIPTextModel} (FLUX.1-dev / Kontext-dev {@code text_encoder/}).
   *
   * @return the preset
   */
  public static ClipTextConfig clipL() {
    return new ClipTextConfig(49408, 768, 3072, 12, 12, 77, Activation.QUICK_GELU, 1e-5f, false, 768,
        LEGACY_EOS_TOKEN_ID);
  }

  /**
   * CLIP ViT-L/14's text tower with its projection (SD3-Medium {@code text_encoder/}).
   *
   * @return the preset
   */
  public static ClipTextConfig clipLWithProjection() {
    return new ClipTextConfig(49408, 768, 3072, 12, 12, 77, Activation.QUICK_GELU, 1e-5f, true, 768,
        LEGACY_EOS_TOKEN_ID);
  }

  /**
   * OpenCLIP ViT-bigG/14's text tower with its projection (SD3-Medium {@code text_encoder_2/}, SDXL).
   *
   * @return the preset
   */
  public static ClipTextConfig bigG() {
    return new ClipTextConfig(49408, 1280, 5120, 32, 20, 77, Activation.GELU, 1e-5f, true, 1280, LEGACY_EOS_TOKEN_ID);
  }

  /**
   * Reads a transformers {@code config.json} of a {@code CLIPTextModel} or {@code CLIPTextModelWithProjection}.
   *
   * @param configJson the file
   * @return the config it describes
   * @throws WeightLoadException if a field is missing, mistyped or names another architecture or activation
   */
  public static ClipTextConfig fromTransformers(Path configJson) {
    DiffusersConfig j = DiffusersConfig.read(configJson);
    String arch = j.firstString("architectures", null);
    if (arch == null || !(arch.equals("CLIPTextModel") || arch.equals("CLIPTextModelWithProjection"))) {
      throw new WeightLoadException(
          configJson + ": architectures must be CLIPTextModel or CLIPTextModelWithProjection, got " + arch);
    }
    Activation act;
    try {
      act = Activation.fromConfigName(j.string("hidden_act", "quick_gelu"));
    } catch (IllegalArgumentException e) {
      throw new WeightLoadException(configJson + ": " + e.getMessage());
    }
    try {
      return new ClipTextConfig(
          j.integer("vocab_size"), j.integer("hidden_size"), j.integer("intermediate_size"),
          j.integer("num_hidden_layers"), j.integer("num_attention_heads"), j.integer("max_position_embeddings", 77),
          act, (float) j.number("layer_norm_eps"), arch.equals("CLIPTextModelWithProjection"),
          j.integer("projection_dim", 512), j.integer("eos_token_id", LEGACY_EOS_TOKEN_ID));
    } catch (IllegalArgumentException e) {
      throw new WeightLoadException(configJson + ": " + e.getMessage());
    }
  }

  /**
   * Returns the width of the pooled vector the model gives its users: the projection's when it has one (SD3 uses
   * that), otherwise the hidden size (Flux's pooled input).
   *
   * @return the pooled width
   */
  public int pooledDim() {
    return projection ? projectionDim : hiddenSize;
  }

  /** Builds a {@link ClipTextConfig}; every size is required, the rest defaults to CLIP-L's values. */
  public static final class Builder {
    private int vocabSize;
    private int hiddenSize;
    private int intermediateSize;
    private int layers;
    private int heads;
    private int maxPositions = 77;
    private Activation activation = Activation.QUICK_GELU;
    private float layerNormEps = 1e-5f;
    private boolean projection;
    private int projectionDim;
    private int eosTokenId = LEGACY_EOS_TOKEN_ID;

    private Builder() {}

    /**
     * Sets the vocabulary size (required).
     *
     * @param v the size
     * @return this builder
     */
    public Builder setVocabSize(int v) {
      this.vocabSize = v;
      return this;
    }

    /**
     * Sets the model width (required).
     *
     * @param v the width
     * @return this builder
     */
    public Builder setHiddenSize(int v) {
      this.hiddenSize = v;
      return this;
    }

    /**
     * Sets the MLP width (required).
     *
     * @param v the width
     * @return this builder
     */
    public Builder setIntermediateSize(int v) {
      this.intermediateSize = v;
      return this;
    }

    /**
     * Sets the number of layers (required).
     *
     * @param v the count
     * @return this builder
     */
    public Builder setLayers(int v) {
      this.layers = v;
      return this;
    }

    /**
     * Sets the number of heads (required).
     *
     * @param v the count
     * @return this builder
     */
    public Builder setHeads(int v) {
      this.heads = v;
      return this;
    }

    /**
     * Sets the number of learned positions (default 77).
     *
     * @param v the count
     * @return this builder
     */
    public Builder optMaxPositions(int v) {
      this.maxPositions = v;
      return this;
    }

    /**
     * Sets the activation (default quick GELU).
     *
     * @param v the activation
     * @return this builder
     */
    public Builder optActivation(Activation v) {
      this.activation = v;
      return this;
    }

    /**
     * Sets the LayerNorm epsilon (default 1e-5).
     *
     * @param v the epsilon
     * @return this builder
     */
    public Builder optLayerNormEps(float v) {
      this.layerNormEps = v;
      return this;
    }

    /**
     * Adds a {@code text_projection} of the given width (default: none).
     *
     * @param dim the projection width
     * @return this builder
     */
    public Builder optProjection(int dim) {
      this.projection = true;
      this.projectionDim = dim;
      return this;
    }

    /**
     * Sets {@code eos_token_id} (default 2, the legacy largest-id pooling).
     *
     * @param v the id
     * @return this builder
     */
    public Builder optEosTokenId(int v) {
      this.eosTokenId = v;
      return this;
    }

    /**
     * Builds the config.
     *
     * @return the config
     * @throws IllegalArgumentException if a size is missing or invalid
     */
    public ClipTextConfig build() {
      return new ClipTextConfig(vocabSize, hiddenSize, intermediateSize, layers, heads, maxPositions, activation,
          layerNormEps, projection, projection ? projectionDim : hiddenSize, eosTokenId);
    }
  }
}
