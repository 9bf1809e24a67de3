package io.gptedit.models.vae;

import java.util.Arrays;

/**
 * Hyper-parameters of an {@link AutoencoderKL}, with the published presets.
 *
 * @param imageChannels RGB: 3
 * @param latentChannels latent channels (16 for Flux and SD3)
 * @param blockOutChannels channels per resolution level, highest resolution first
 * @param layersPerBlock resnets per encoder level (decoder levels have one more)
 * @param normGroups GroupNorm groups
 * @param scalingFactor latent scale
 * @param shiftFactor latent shift
 * @since 0.1
 */
public record VaeConfig(
    int imageChannels,
    int latentChannels,
    int[] blockOutChannels,
    int layersPerBlock,
    int normGroups,
    double scalingFactor,
    double shiftFactor) {

  /** GroupNorm epsilon in every VAE norm. */
  public static final float EPS = 1e-6f;
  /** Flux VAE latent scale (diffusers config of FLUX.1). */
  public static final double FLUX_SCALING = 0.3611;
  /** Flux VAE latent shift (diffusers config of FLUX.1). */
  public static final double FLUX_SHIFT = 0.1159;
  /** SD3 VAE latent scale. */
  public static final double SD3_SCALING = 1.5305;
  /** SD3 VAE latent shift. */
  public static final double SD3_SHIFT = 0.0609;

  /** Validates the config. */
  public VaeConfig {
    blockOutChannels = blockOutChannels.clone();
    for (int c : blockOutChannels) {
      if (c % normGroups != 0) {
        throw new IllegalArgumentException("channels " + c + " not divisible by " + normGroups + " groups");
      }
    }
  }

  /**
   * The FLUX.1 VAE: 16 latent channels, levels (128, 256, 512, 512), 2 resnets per level, 32 groups.
   *
   * @return the preset
   */
  public static VaeConfig flux() {
    return new VaeConfig(3, 16, new int[] {128, 256, 512, 512}, 2, 32, FLUX_SCALING, FLUX_SHIFT);
  }

  /**
   * The SD3 VAE: the Flux architecture with SD3's latent factors.
   *
   * @return the preset
   */
  public static VaeConfig sd3() {
    return new VaeConfig(3, 16, new int[] {128, 256, 512, 512}, 2, 32, SD3_SCALING, SD3_SHIFT);
  }

  /**
   * A tiny VAE for tests: 2 levels (4, 8), 1 resnet per level, 2 groups, 4 latent channels, Flux factors.
   *
   * @return the preset
   */
  public static VaeConfig tiny() {
    return new VaeConfig(3, 4, new int[] {4, 8}, 1, 2, FLUX_SCALING, FLUX_SHIFT);
  }

  /**
   * Reads a diffusers {@code AutoencoderKL} {@code config.json}; quant convolutions are not supported (Flux and SD3
   * have none) and a config that uses them is rejected.
   *
   * @param configJson the VAE's {@code config.json}
   * @return the config it describes
   * @throws io.gptedit.models.nn.WeightLoadException if a field is missing, mistyped or unsupported
   */
  public static VaeConfig fromDiffusers(java.nio.file.Path configJson) {
    io.gptedit.models.nn.DiffusersConfig j = io.gptedit.models.nn.DiffusersConfig.read(configJson);
    j.require("use_quant_conv", false, j.bool("use_quant_conv", true));
    j.require("use_post_quant_conv", false, j.bool("use_post_quant_conv", true));
    j.require("in_channels", 3, j.integer("in_channels"));
    j.require("out_channels", 3, j.integer("out_channels"));
    return new VaeConfig(
        3,
        j.integer("latent_channels"),
        j.integers("block_out_channels"),
        j.integer("layers_per_block"),
        j.integer("norm_num_groups"),
        j.number("scaling_factor"),
        j.number("shift_factor"));
  }

  /**
   * Returns the spatial downsampling factor.
   *
   * @return 2^(levels - 1)
   */
  public int spatialFactor() {
    return 1 << (blockOutChannels.length - 1);
  }

  @Override
  public int[] blockOutChannels() {
    return blockOutChannels.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VaeConfig c
        && imageChannels == c.imageChannels
        && latentChannels == c.latentChannels
        && Arrays.equals(blockOutChannels, c.blockOutChannels)
        && layersPerBlock == c.layersPerBlock
        && normGroups == c.normGroups
        && scalingFactor == c.scalingFactor
        && shiftFactor == c.shiftFactor;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(blockOutChannels) * 31 + latentChannels;
  }

  @Override
  public String toString() {
    return "VaeConfig[latent=" + latentChannels + ", levels=" + Arrays.toString(blockOutChannels) + ", layers="
        + layersPerBlock + ", groups=" + normGroups + ", scale=" + scalingFactor + ", shift=" + shiftFactor + "]";
  }
}
