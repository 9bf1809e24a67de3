package io.gptedit.models.mllm;

import static java.util.Objects.requireNonNull;

import io.gptedit.models.nn.WeightLoadException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Hyper-parameters of Qwen2.5-VL ({@code Qwen2_5_VLForConditionalGeneration}): the language model, the vision
 * tower and the vision token ids. {@link #fromTransformers} reads both config layouts: the published flat one
 * (text fields at the top, {@code rope_scaling.mrope_section}) and transformers 5's nested {@code text_config}.
 *
 * @param text the language model
 * @param vision the vision tower
 * @param imageTokenId {@code <|image_pad|>}
 * @param visionStartTokenId {@code <|vision_start|>}
 * @param visionEndTokenId {@code <|vision_end|>}
 * @since 0.1
 */
public record QwenVlConfig(Text text, Vision vision, int imageTokenId, int visionStartTokenId,
    int visionEndTokenId) {

  /**
   * The language model (a Qwen2 decoder with multimodal rotary positions).
   *
   * @param vocabSize vocabulary (152064 for 7B)
   * @param hiddenSize width (3584)
   * @param intermediateSize SwiGLU width (18944)
   * @param layers decoder layers (28)
   * @param heads query heads (28)
   * @param kvHeads key/value heads (4)
   * @param rmsNormEps RMSNorm epsilon (1e-6)
   * @param ropeTheta rotary base (1e6)
   * @param mropeSection rotary frequencies per axis (temporal, height, width), summing to half the head size
   *     ({16, 24, 24})
   */
  public record Text(int vocabSize, int hiddenSize, int intermediateSize, int layers, int heads, int kvHeads,
      float rmsNormEps, double ropeTheta, int[] mropeSection) {
    /**
     * Validates the sizes.
     *
     * @throws IllegalArgumentException if a size is not positive, the heads do not divide the width or the kv
     *     heads, or the M-RoPE sections do not cover half the head size
     */
    public Text {
      requireNonNull(mropeSection, "mropeSection");
      mropeSection = mropeSection.clone();
      if (vocabSize <= 0 || hiddenSize <= 0 || intermediateSize <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0
          || !(rmsNormEps > 0) || !(ropeTheta > 0)) {
        throw new IllegalArgumentException("Qwen2.5-VL text sizes must be positive");
      }
      if (hiddenSize % heads != 0 || heads % kvHeads != 0) {
        throw new IllegalArgumentException(
            "hidden " + hiddenSize + ", heads " + heads + " and kv heads " + kvHeads + " do not divide");
      }
      if (mropeSection.length != 3 || Arrays.stream(mropeSection).sum() * 2 != hiddenSize / heads) {
        throw new IllegalArgumentException("mrope_section " + Arrays.toString(mropeSection)
            + " must be 3 numbers summing to half the head size " + hiddenSize / heads);
      }
    }

    /**
     * Returns the head size.
     *
     * @return {@code hiddenSize / heads}
     */
    public int headDim() {
      return hiddenSize / heads;
    }

    @Override
    public int[] mropeSection() {
      return mropeSection.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Text t && t.vocabSize == vocabSize && t.hiddenSize == hiddenSize
          && t.intermediateSize == intermediateSize && t.layers == layers && t.heads == heads && t.kvHeads == kvHeads
          && t.rmsNormEps == rmsNormEps && t.ropeTheta == ropeTheta && Arrays.equals(t.mropeSection, mropeSection);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(new int[] {vocabSize, hiddenSize, intermediateSize, layers, heads, kvHeads})
          + 31 * Arrays.hashCode(mropeSection);
    }

    @Override
    public String toString() {
      return "Text[vocab=" + vocabSize + ", hidden=" + hiddenSize + ", intermediate=" + intermediateSize + ", layers="
          + layers + ", heads=" + heads + "/" + kvHeads + ", mrope=" + Arrays.toString(mropeSection) + "]";
    }
  }

  /**
   * The vision tower (a windowed-attention ViT with 2-D rotary positions and a 2x2 patch merger).
   *
   * @param depth blocks (32)
   * @param hiddenSize width (1280)
   * @param intermediateSize SwiGLU width (3420)
   * @param heads attention heads (16)
   * @param outHiddenSize the merger's output, the LLM width (3584)
   * @param patchSize patch side (14)
   * @param temporalPatchSize frames per patch (2)
   * @param spatialMergeSize merge (2)
   * @param windowSize attention window side in pixels (112)
   * @param fullAttentionBlocks blocks with full attention ({7, 15, 23, 31}); the others attend within windows
   */
  public record Vision(int depth, int hiddenSize, int intermediateSize, int heads, int outHiddenSize, int patchSize,
      int temporalPatchSize, int spatialMergeSize, int windowSize, int[] fullAttentionBlocks) {
    /**
     * Validates the sizes.
     *
     * @throws IllegalArgumentException if a size is not positive, the heads do not divide the width (into a
     *     multiple of 4), the window is not a multiple of {@code patch * merge}, or a full-attention index is
     *     outside the depth
     */
    public Vision {
      requireNonNull(fullAttentionBlocks, "fullAttentionBlocks");
      fullAttentionBlocks = fullAttentionBlocks.clone();
      if (depth <= 0 || hiddenSize <= 0 || intermediateSize <= 0 || heads <= 0 || outHiddenSize <= 0
          || patchSize <= 0 || temporalPatchSize <= 0 || spatialMergeSize <= 0 || windowSize <= 0) {
        throw new IllegalArgumentException("Qwen2.5-VL vision sizes must be positive");
      }
      if (hiddenSize % heads != 0 || (hiddenSize / heads) % 4 != 0) {
        throw new IllegalArgumentException("vision head size " + hiddenSize + "/" + heads + " must be a multiple of 4");
      }
      if (windowSize % (patchSize * spatialMergeSize) != 0) {
        throw new IllegalArgumentException("window " + windowSize + " is not a multiple of patch x merge");
      }
      for (int b : fullAttentionBlocks) {
        if (b < 0 || b >= depth) {
          throw new IllegalArgumentException("full-attention block " + b + " outside depth " + depth);
        }
      }
    }

    /**
     * Returns the head size.
     *
     * @return {@code hiddenSize / heads}
     */
    public int headDim() {
      return hiddenSize / heads;
    }

    /**
     * Returns the values per patch ({@code 3 * temporalPatchSize * patchSize^2}).
     *
     * @return 1176 for the released model
     */
    public int patchDim() {
      return 3 * temporalPatchSize * patchSize * patchSize;
    }

    /**
     * Returns whether a block attends over the whole image.
     *
     * @param block the block index
     * @return true for full attention, false for windowed
     */
    public boolean fullAttention(int block) {
      return Arrays.stream(fullAttentionBlocks).anyMatch(b -> b == block);
    }

    @Override
    public int[] fullAttentionBlocks() {
      return fullAttentionBlocks.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Vision v && v.depth == depth && v.hiddenSize == hiddenSize
          && v.intermediateSize == intermediateSize && v.heads == heads && v.outHiddenSize == outHiddenSize
          && v.patchSize == patchSize && v.temporalPatchSize == temporalPatchSize
          && v.spatialMergeSize == spatialMergeSize && v.windowSize == windowSize
          && Arrays.equals(v.fullAttentionBlocks, fullAttentionBlocks);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(new int[] {depth, hiddenSize, intermediateSize, heads, outHiddenSize, windowSize})
          + 31 * Arrays.hashCode(fullAttentionBlocks);
    }

    @Override
    public String toString() {
      return "Vision[depth=" + depth + ", hidden=" + hiddenSize + ", intermediate=" + intermediateSize + ", heads="
          + heads + ", out=" + outHiddenSize + ", window=" + windowSize + ", full="
          + Arrays.toString(fullAttentionBlocks) + "]";
    }
  }

  /**
   * Validates the parts.
   *
   * @throws IllegalArgumentException if the merger's output is not the LLM width or a token id is outside the
   *     vocabulary
   */
  public QwenVlConfig {
    requireNonNull(text, "text");
    requireNonNull(vision, "vision");
    if (vision.outHiddenSize() != text.hiddenSize()) {
      throw new IllegalArgumentException(
          "vision out_hidden_size " + vision.outHiddenSize() + " != text hidden_size " + text.hiddenSize());
    }
    for (int id : new int[] {imageTokenId, visionStartTokenId, visionEndTokenId}) {
      if (id < 0 || id >= text.vocabSize()) {
        throw new IllegalArgumentException("vision token id " + id + " outside the vocabulary " + text.vocabSize());
      }
    }
  }

  /**
   * Qwen2.5-VL-7B-Instruct, the paper's frozen MLLM.
   *
   * @return the preset
   */
  public static QwenVlConfig qwen25Vl7bInstruct() {
    return new QwenVlConfig(
        new Text(152064, 3584, 18944, 28, 28, 4, 1e-6f, 1e6, new int[] {16, 24, 24}),
        new Vision(32, 1280, 3420, 16, 3584, 14, 2, 2, 112, new int[] {7, 15, 23, 31}),
        151655, 151652, 151653);
  }

  /**
   * Reads a {@code config.json} of a {@code Qwen2_5_VLForConditionalGeneration}, or the Qwen part of the
   * GPT-Image-Edit (UniWorld) release's {@code UnivaQwen2p5VLForConditionalGeneration} config.
   *
   * @param configJson the file
   * @return the config
   * @throws WeightLoadException if the file is unreadable, describes another model or a field is missing,
   *     mistyped or unsupported
   */
  public static QwenVlConfig fromTransformers(Path configJson) {
    PreprocessorJson root = PreprocessorJson.read(configJson);
    String type = root.string("model_type", null);
    if (!"qwen2_5_vl".equals(type) && !"univa_qwen2p5vl".equals(type)) {
      throw root.error("model_type must be qwen2_5_vl (or univa_qwen2p5vl, the GPT-Image-Edit release), got " + type);
    }
    PreprocessorJson t = root.has("text_config") ? root.child("text_config") : root;
    PreprocessorJson v = root.child("vision_config");
    if (v == null) {
      throw root.error("no vision_config");
    }
    for (PreprocessorJson part : new PreprocessorJson[] {t, v}) {
      String act = part.string("hidden_act", "silu");
      if (!act.equals("silu")) {
        throw root.error("hidden_act '" + act + "' is not supported (Qwen2.5-VL uses silu)");
      }
    }
    if (t.bool("use_sliding_window", false)) {
      throw root.error("use_sliding_window true is not supported");
    }
    PreprocessorJson rope = t.has("rope_parameters") ? t.child("rope_parameters")
        : root.has("rope_parameters") ? root.child("rope_parameters") : t.child("rope_scaling");
    if (rope == null) {
      rope = root.child("rope_scaling");
    }
    int[] section = rope == null ? new int[] {16, 24, 24} : rope.integers("mrope_section", new int[] {16, 24, 24});
    double theta = rope != null && rope.has("rope_theta") ? rope.number("rope_theta", 1e6)
        : t.number("rope_theta", root.number("rope_theta", 1e6));
    try {
      Text text = new Text(t.integer("vocab_size"), t.integer("hidden_size"), t.integer("intermediate_size"),
          t.integer("num_hidden_layers"), t.integer("num_attention_heads"), t.integer("num_key_value_heads"),
          (float) t.number("rms_norm_eps", 1e-6), theta, section);
      if (v.integer("in_chans", v.integer("in_channels", 3)) != 3) {
        throw root.error("vision in_channels must be 3");
      }
      Vision vision = new Vision(v.integer("depth"), v.integer("hidden_size"), v.integer("intermediate_size"),
          v.integer("num_heads"), v.integer("out_hidden_size"), v.integer("patch_size", 14),
          v.integer("temporal_patch_size", 2), v.integer("spatial_merge_size", 2), v.integer("window_size", 112),
          v.integers("fullatt_block_indexes", new int[] {7, 15, 23, 31}));
      return new QwenVlConfig(text, vision, root.integer("image_token_id", 151655),
          root.integer("vision_start_token_id", 151652), root.integer("vision_end_token_id", 151653));
    } catch (IllegalArgumentException e) {
      throw root.error(e.getMessage());
    }
  }
}
