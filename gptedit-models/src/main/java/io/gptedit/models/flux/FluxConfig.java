package io.gptedit.models.flux;

import java.util.Arrays;

/**
 * Hyper-parameters of a Flux transformer, with the published presets.
 *
 * @param inChannels input features per image token (16 latent channels x 2x2 packing = 64)
 * @param outChannels output features per image token
 * @param numLayers double-stream blocks
 * @param numSingleLayers single-stream blocks
 * @param heads attention heads
 * @param headDim channels per head (the sum of {@code axesDims})
 * @param jointAttentionDim text-token features (T5-XXL: 4096)
 * @param pooledProjectionDim pooled text features (CLIP-L: 768)
 * @param guidanceEmbeds whether the model has a guidance embedding (the dev models do)
 * @param axesDims RoPE channels per position axis
 * @param theta RoPE base
 * @param mlpRatio MLP hidden size over model width
 * @since 0.1
 */
public record FluxConfig(
    int inChannels,
    int outChannels,
    int numLayers,
    int numSingleLayers,
    int heads,
    int headDim,
    int jointAttentionDim,
    int pooledProjectionDim,
    boolean guidanceEmbeds,
    int[] axesDims,
    double theta,
    int mlpRatio) {

  /** LayerNorm and RMSNorm epsilon of every Flux norm. */
  public static final float EPS = 1e-6f;

  /** Width of the sinusoidal timestep projection. */
  public static final int TIMESTEP_PROJECTION_DIM = 256;

  /** Validates the config. */
  public FluxConfig {
    axesDims = axesDims.clone();
    if (Arrays.stream(axesDims).sum() != headDim) {
      throw new IllegalArgumentException(
          "RoPE axes dims " + Arrays.toString(axesDims) + " must sum to the head dim " + headDim);
    }
    if (inChannels <= 0 || outChannels <= 0 || heads <= 0 || headDim <= 0 || numLayers < 0 || numSingleLayers < 0) {
      throw new IllegalArgumentException("sizes must be positive");
    }
  }

  /**
   * FLUX.1-dev (12 B): 19 double and 38 single blocks, 24 heads x 128, T5-XXL and CLIP-L inputs.
   *
   * @return the preset
   */
  public static FluxConfig flux1Dev() {
    return new FluxConfig(64, 64, 19, 38, 24, 128, 4096, 768, true, new int[] {16, 56, 56}, 10000, 4);
  }

  /**
   * FLUX.1-Kontext-dev: the same architecture as FLUX.1-dev.
   *
   * @return the preset
   */
  public static FluxConfig flux1KontextDev() {
    return flux1Dev();
  }

  /**
   * A tiny config with the real structure for tests: 2 heads x 16, 1 double and 1 single block.
   *
   * @return the preset
   */
  public static FluxConfig tiny() {
    return new FluxConfig(16, 16, 1, 1, 2, 16, 32, 24, true, new int[] {4, 6, 6}, 10000, 4);
  }

  /**
   * diffusers' default {@code axes_dims_rope} for {@code FluxTransformer2DModel}; FLUX.1-dev's published
   * {@code config.json} omits the field and relies on it.
   */
  private static final int[] DIFFUSERS_AXES_DIMS_ROPE = {16, 56, 56};

  /**
   * Reads a diffusers {@code FluxTransformer2DModel} {@code config.json}; the checkpoint's own config wins over
   * any preset. Absent {@code out_channels} means {@code in_channels} and absent {@code axes_dims_rope} means
   * diffusers' default (16, 56, 56), as in FLUX.1-dev's published file.
   *
   * @param configJson the transformer's {@code config.json}
   * @return the config it describes
   * @throws io.gptedit.models.nn.WeightLoadException if a field is missing, mistyped or unsupported (patch size
   *     other than 1)
   */
  public static FluxConfig fromDiffusers(java.nio.file.Path configJson) {
    io.gptedit.models.nn.DiffusersConfig j = io.gptedit.models.nn.DiffusersConfig.read(configJson);
    j.require("patch_size", 1, j.integer("patch_size", 1));
    int in = j.integer("in_channels");
    return new FluxConfig(
        in,
        j.integer("out_channels", in),
        j.integer("num_layers"),
        j.integer("num_single_layers"),
        j.integer("num_attention_heads"),
        j.integer("attention_head_dim"),
        j.integer("joint_attention_dim"),
        j.integer("pooled_projection_dim"),
        j.bool("guidance_embeds", false),
        j.integers("axes_dims_rope", DIFFUSERS_AXES_DIMS_ROPE.clone()),
        10000,
        4);
  }

  /**
   * Returns a copy with other block counts and width (for benchmarks).
   *
   * @param doubleBlocks double-stream blocks
   * @param singleBlocks single-stream blocks
   * @param heads heads
   * @param headDim channels per head
   * @param axes RoPE axes dims summing to headDim
   * @return the new config
   */
  public FluxConfig resized(int doubleBlocks, int singleBlocks, int heads, int headDim, int[] axes) {
    return new FluxConfig(
        inChannels, outChannels, doubleBlocks, singleBlocks, heads, headDim, jointAttentionDim,
        pooledProjectionDim, guidanceEmbeds, axes, theta, mlpRatio);
  }

  /**
   * Returns the model width.
   *
   * @return heads x headDim
   */
  public int hidden() {
    return heads * headDim;
  }

  @Override
  public int[] axesDims() {
    return axesDims.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FluxConfig c
        && inChannels == c.inChannels
        && outChannels == c.outChannels
        && numLayers == c.numLayers
        && numSingleLayers == c.numSingleLayers
        && heads == c.heads
        && headDim == c.headDim
        && jointAttentionDim == c.jointAttentionDim
        && pooledProjectionDim == c.pooledProjectionDim
        && guidanceEmbeds == c.guidanceEmbeds
        && Arrays.equals(axesDims, c.axesDims)
        && theta == c.theta
        && mlpRatio == c.mlpRatio;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(new int[] {inChannels, numLayers, numSingleLayers, heads, headDim, jointAttentionDim})
        + Arrays.hashCode(axesDims);
  }

  @Override
  public String toString() {
    return "FluxConfig[in=" + inChannels + ", out=" + outChannels + ", double=" + numLayers + ", single="
        + numSingleLayers + ", heads=" + heads + "x" + headDim + ", joint=" + jointAttentionDim + ", pooled="
        + pooledProjectionDim + ", guidance=" + guidanceEmbeds + ", axes=" + Arrays.toString(axesDims) + "]";
  }
}
