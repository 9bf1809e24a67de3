package io.gptedit.models.sd3;

/**
 * Hyper-parameters of an SD3 MMDiT.
 *
 * @param sampleSize the latent side the position grid was built for (128 for SD3-Medium)
 * @param patchSize the patch side (2)
 * @param inChannels input latent channels (16; 32 for InstructPix2Pix; 48 with a mask)
 * @param outChannels output latent channels (16)
 * @param layers joint blocks (the last one is context-pre-only)
 * @param heads attention heads
 * @param headDim channels per head
 * @param jointAttentionDim text-token features (4096)
 * @param captionProjectionDim text width inside the blocks (1536)
 * @param pooledProjectionDim pooled text features (2048: CLIP-L + CLIP-G)
 * @param posEmbedMaxSize side of the position-embedding grid (192)
 * @since 0.1
 */
public record Sd3Config(
    int sampleSize,
    int patchSize,
    int inChannels,
    int outChannels,
    int layers,
    int heads,
    int headDim,
    int jointAttentionDim,
    int captionProjectionDim,
    int pooledProjectionDim,
    int posEmbedMaxSize) {

  /** LayerNorm epsilon. */
  public static final float EPS = 1e-6f;

  /** Validates the config. */
  public Sd3Config {
    if (heads * headDim != captionProjectionDim) {
      throw new IllegalArgumentException("caption projection dim must equal heads x head dim");
    }
    if (layers < 1 || patchSize < 1 || sampleSize % patchSize != 0) {
      throw new IllegalArgumentException("need at least one layer and a sample size divisible by the patch");
    }
  }

  /**
   * SD3-Medium: 24 layers, 24 heads x 64, 16 latent channels.
   *
   * @return the preset
   */
  public static Sd3Config sd3Medium() {
    return new Sd3Config(128, 2, 16, 16, 24, 24, 64, 4096, 1536, 2048, 192);
  }

  /**
   * SD3-Medium grown to the InstructPix2Pix input (noisy + source latents: 32 channels).
   *
   * @return the preset
   */
  public static Sd3Config sd3MediumInstructPix2Pix() {
    return new Sd3Config(128, 2, 32, 16, 24, 24, 64, 4096, 1536, 2048, 192);
  }

  /**
   * Reads a diffusers {@code SD3Transformer2DModel} {@code config.json} (SD3-Medium's, or an InstructPix2Pix
   * fine-tune's such as UltraEdit's with {@code in_channels} 32).
   *
   * @param configJson the transformer's {@code config.json}
   * @return the config it describes
   * @throws io.gptedit.models.nn.WeightLoadException naming the file and field if a field is missing or mistyped,
   *     or if the config asks for SD3.5's query/key normalisation or dual-attention layers (not implemented)
   */
  public static Sd3Config fromDiffusers(java.nio.file.Path configJson) {
    io.gptedit.models.nn.DiffusersConfig j = io.gptedit.models.nn.DiffusersConfig.read(configJson);
    j.require("qk_norm", "null", j.string("qk_norm", "null"));
    j.require("dual_attention_layers", 0, j.integers("dual_attention_layers", new int[0]).length);
    int in = j.integer("in_channels");
    return new Sd3Config(
        j.integer("sample_size"),
        j.integer("patch_size"),
        in,
        j.integer("out_channels", in),
        j.integer("num_layers"),
        j.integer("num_attention_heads"),
        j.integer("attention_head_dim"),
        j.integer("joint_attention_dim"),
        j.integer("caption_projection_dim"),
        j.integer("pooled_projection_dim"),
        j.integer("pos_embed_max_size"));
  }

  /**
   * A tiny InstructPix2Pix config for tests: 4 latent channels (8 in), 2 layers, 2 heads x 8.
   *
   * @return the preset
   */
  public static Sd3Config tinyInstructPix2Pix() {
    return new Sd3Config(8, 2, 8, 4, 2, 2, 8, 32, 16, 24, 16);
  }

  /**
   * Returns the model width.
   *
   * @return heads x headDim
   */
  public int hidden() {
    return heads * headDim;
  }
}
