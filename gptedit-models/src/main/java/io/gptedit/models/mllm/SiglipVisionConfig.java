package io.gptedit.models.mllm;

import io.gptedit.models.nn.WeightLoadException;
import java.nio.file.Path;

/**
 * Hyper-parameters of a SigLIP vision tower, as transformers' {@code SiglipVisionConfig} names them. The MLP
 * activation is GELU with the tanh approximation ({@code gelu_pytorch_tanh}), the only one SigLIP checkpoints use.
 *
 * @param hiddenSize model width (1152 for so400m)
 * @param intermediateSize MLP width (4304 for so400m)
 * @param layers encoder layers (27 for so400m)
 * @param heads attention heads (16)
 * @param imageSize input side in pixels (384 or 512)
 * @param patchSize patch side in pixels (14 or 16)
 * @param layerNormEps LayerNorm epsilon (1e-6)
 * @param head whether the attention-pooling head ({@code vision_use_head}) is present
 * @since 0.1
 */
public record SiglipVisionConfig(
    int hiddenSize, int intermediateSize, int layers, int heads, int imageSize, int patchSize, float layerNormEps,
    boolean head) {

  /**
   * Validates the sizes.
   *
   * @throws IllegalArgumentException if a size is not positive, the heads do not divide the width or the patch
   *     is larger than the image
   */
  public SiglipVisionConfig {
    if (hiddenSize <= 0 || intermediateSize <= 0 || layers <= 0 || heads <= 0 || imageSize <= 0 || patchSize <= 0
        || !(layerNormEps > 0)) {
      throw new IllegalArgumentException("SigLIP sizes and epsilon must be positive");
    }
    if (hiddenSize % heads != 0) {
      throw new IllegalArgumentException("hidden size " + hiddenSize + " is not a multiple of " + heads + " heads");
    }
    if (patchSize > imageSize) {
      throw new IllegalArgumentException("patch " + patchSize + " is larger than the image " + imageSize);
    }
  }

  /**
   * google/siglip-so400m-patch14-384's vision tower.
   *
   * @return the preset
   */
  public static SiglipVisionConfig so400mPatch14x384() {
    return new SiglipVisionConfig(1152, 4304, 27, 16, 384, 14, 1e-6f, true);
  }

  /**
   * google/siglip2-so400m-patch16-512's vision tower (UniWorld's SigLIP).
   *
   * @return the preset
   */
  public static SiglipVisionConfig so400mPatch16x512() {
    return new SiglipVisionConfig(1152, 4304, 27, 16, 512, 16, 1e-6f, true);
  }

  /**
   * Returns the number of patch tokens ({@code floor(imageSize / patchSize)^2}: the stride-{@code patchSize}
   * convolution drops a remainder, so 384 / 14 gives 27 x 27 = 729).
   *
   * @return tokens per image
   */
  public int tokens() {
    int side = imageSize / patchSize;
    return side * side;
  }

  /**
   * Reads a {@code config.json} of a {@code SiglipVisionModel} or of a {@code SiglipModel} (its
   * {@code vision_config}); absent fields take transformers' {@code SiglipVisionConfig} defaults.
   *
   * @param configJson the file
   * @return the config
   * @throws WeightLoadException if the file is unreadable, describes another model or has an unsupported field
   */
  public static SiglipVisionConfig fromTransformers(Path configJson) {
    PreprocessorJson root = PreprocessorJson.read(configJson);
    String type = root.string("model_type", null);
    PreprocessorJson v;
    if ("siglip".equals(type)) {
      v = root.child("vision_config");
      if (v == null) {
        throw root.error("a SiglipModel config without vision_config");
      }
    } else if ("siglip_vision_model".equals(type)) {
      v = root;
    } else {
      throw root.error("model_type must be siglip or siglip_vision_model, got " + type);
    }
    String act = v.string("hidden_act", "gelu_pytorch_tanh");
    if (!act.equals("gelu_pytorch_tanh") && !act.equals("gelu_new")) {
      throw root.error("hidden_act '" + act + "' is not supported (SigLIP uses gelu_pytorch_tanh)");
    }
    if (v.integer("num_channels", 3) != 3) {
      throw root.error("num_channels must be 3");
    }
    try {
      return new SiglipVisionConfig(v.integer("hidden_size", 768), v.integer("intermediate_size", 3072),
          v.integer("num_hidden_layers", 12), v.integer("num_attention_heads", 12), v.integer("image_size", 224),
          v.integer("patch_size", 16), (float) v.number("layer_norm_eps", 1e-6), v.bool("vision_use_head", true));
    } catch (IllegalArgumentException e) {
      throw root.error(e.getMessage());
    }
  }
}
