package io.gptedit.models.flux;

import io.gptedit.models.safetensors.SafetensorsFile;
import java.util.List;

/**
 * The naming scheme of a Flux transformer checkpoint, recognised from its tensor names.
 *
 * @since 0.1
 */
public enum FluxCheckpointFormat {
  /** diffusers {@code FluxTransformer2DModel} names ({@code transformer_blocks.N.attn.to_q}, ...). */
  DIFFUSERS,
  /** Black Forest Labs' original names ({@code double_blocks.N.img_attn.qkv}, fused q/k/v, ...). */
  BFL_ORIGINAL,
  /** Neither: no recognisable Flux tensor under the prefix. */
  UNKNOWN;

  /**
   * Recognises the format of the tensors under a prefix.
   *
   * @param shards the checkpoint shards
   * @param prefix the key prefix
   * @return the format
   */
  public static FluxCheckpointFormat detect(List<SafetensorsFile> shards, String prefix) {
    boolean diffusers = false;
    boolean bfl = false;
    for (SafetensorsFile f : shards) {
      for (String name : f.tensors().keySet()) {
        if (!name.startsWith(prefix)) {
          continue;
        }
        String n = name.substring(prefix.length());
        diffusers |= n.startsWith("x_embedder.") || n.startsWith("transformer_blocks.");
        bfl |= n.startsWith("img_in.") || n.startsWith("double_blocks.") || n.startsWith("single_blocks.");
      }
    }
    if (diffusers && !bfl) {
      return DIFFUSERS;
    }
    return bfl && !diffusers ? BFL_ORIGINAL : UNKNOWN;
  }

  /**
   * Explains why a checkpoint in this format cannot be loaded as diffusers naming.
   *
   * @param shards the shards, named in the message
   * @return the message
   */
  String rejection(List<SafetensorsFile> shards) {
    String files = shards.stream().map(f -> f.path().toString()).toList().toString();
    return switch (this) {
      case BFL_ORIGINAL -> "checkpoint " + files + " uses the original Black Forest Labs naming (double_blocks.N."
          + "img_attn.qkv, single_blocks.N.linear1, ...)";
      case UNKNOWN -> "checkpoint " + files + " has no recognisable Flux transformer naming: found neither "
          + "diffusers tensors (x_embedder, transformer_blocks) alone nor BFL tensors (img_in, double_blocks) alone "
          + "under the given prefix";
      case DIFFUSERS -> "checkpoint " + files + " is in diffusers naming";
    };
  }
}
