package io.gptedit.models.flux;

import ai.djl.Device;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.nn.ParameterSpec;
import io.gptedit.models.nn.WeightLoadException;
import io.gptedit.models.safetensors.SafetensorsFile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Converts Black Forest Labs' original Flux checkpoint naming to the diffusers names our model declares: fused
 * {@code qkv} (and, in single blocks, {@code linear1} = q, k, v, MLP-in) are split along the output dimension,
 * {@code final_layer.adaLN_modulation.1} has its (shift, scale) halves swapped to diffusers' (scale, shift), and
 * every other tensor is renamed one to one.
 */
final class BflFluxNames {
  private static final Pattern DOUBLE = Pattern.compile("transformer_blocks\\.(\\d+)\\.(.+)");
  private static final Pattern SINGLE = Pattern.compile("single_transformer_blocks\\.(\\d+)\\.(.+)");

  /** Where a diffusers tensor comes from: a BFL tensor, the row range taken from it, and whether halves swap. */
  private record Source(String name, int part, int[] rowSplits, boolean swapHalves) {}

  private BflFluxNames() {}

  static ModelWeights load(FluxConfig c, List<SafetensorsFile> shards, String prefix, Device device) {
    Map<String, SafetensorsFile> where = new HashMap<>();
    for (SafetensorsFile f : shards) {
      for (String n : f.tensors().keySet()) {
        if (n.startsWith(prefix)) {
          where.put(n.substring(prefix.length()), f);
        }
      }
    }
    ParameterSpec spec = FluxTransformer.spec(c);
    Map<String, Source> sources = new HashMap<>();
    List<String> missing = new ArrayList<>();
    for (ParameterSpec.Entry e : spec.entries().values()) {
      Source s = source(e.name(), c);
      if (s == null || !where.containsKey(s.name())) {
        missing.add(e.name() + (s == null ? "" : " (from " + s.name() + ")"));
      } else {
        sources.put(e.name(), s);
      }
    }
    TreeSet<String> unexpected = new TreeSet<>(where.keySet());
    sources.values().forEach(s -> unexpected.remove(s.name()));
    if (!missing.isEmpty() || !unexpected.isEmpty()) {
      throw new WeightLoadException(
          "BFL-format checkpoint does not match the model (strict): missing " + missing.size() + " " + missing
              + ", unexpected " + unexpected.size() + " " + unexpected);
    }
    Map<String, float[]> cache = new HashMap<>();
    return ModelWeights.fromValues(
        spec,
        e -> {
          Source s = sources.get(e.name());
          float[] all = cache.computeIfAbsent(s.name(), n -> where.get(n).readFloats(prefix + n));
          long[] shape = where.get(s.name()).info(prefix + s.name()).shape();
          long[] want = e.shape().getShape();
          boolean fits =
              s.rowSplits().length == 0
                  ? Arrays.equals(shape, want)
                  : shape.length == want.length && (want.length == 1 || shape[1] == want[1]);
          if (!fits) {
            throw new WeightLoadException(
                "'" + prefix + s.name() + "' has shape " + Arrays.toString(shape) + " but '" + e.name()
                    + "' needs " + Arrays.toString(want));
          }
          long rowWidth = shape.length > 1 ? shape[1] : 1;
          int from = 0;
          for (int i = 0; i < s.part(); i++) {
            from += s.rowSplits()[i];
          }
          int rows = s.rowSplits().length == 0 ? (int) shape[0] : s.rowSplits()[s.part()];
          if (s.rowSplits().length > 0 && Arrays.stream(s.rowSplits()).sum() != shape[0]) {
            throw new WeightLoadException(
                "'" + prefix + s.name() + "' has " + shape[0] + " rows, expected " + Arrays.stream(s.rowSplits()).sum());
          }
          float[] out = Arrays.copyOfRange(all, (int) (from * rowWidth), (int) ((from + rows) * rowWidth));
          if (s.swapHalves()) {
            int half = out.length / 2;
            float[] swapped = new float[out.length];
            System.arraycopy(out, half, swapped, 0, half);
            System.arraycopy(out, 0, swapped, half, half);
            out = swapped;
          }
          return out;
        },
        device);
  }

  /** Returns the BFL source of a diffusers parameter name, or null if there is none. */
  private static Source source(String name, FluxConfig c) {
    int d = c.hidden();
    int mlp = d * c.mlpRatio();
    int dot = name.lastIndexOf('.');
    String layer = name.substring(0, dot);
    String kind = name.substring(dot + 1); // weight or bias
    Map<String, String> top =
        Map.of(
            "x_embedder", "img_in",
            "context_embedder", "txt_in",
            "time_text_embed.timestep_embedder.linear_1", "time_in.in_layer",
            "time_text_embed.timestep_embedder.linear_2", "time_in.out_layer",
            "time_text_embed.guidance_embedder.linear_1", "guidance_in.in_layer",
            "time_text_embed.guidance_embedder.linear_2", "guidance_in.out_layer",
            "time_text_embed.text_embedder.linear_1", "vector_in.in_layer",
            "time_text_embed.text_embedder.linear_2", "vector_in.out_layer",
            "proj_out", "final_layer.linear");
    if (top.containsKey(layer)) {
      return whole(top.get(layer) + "." + kind);
    }
    if (layer.equals("norm_out.linear")) {
      return new Source("final_layer.adaLN_modulation.1." + kind, 0, new int[0], true);
    }
    Matcher m = DOUBLE.matcher(layer);
    if (m.matches()) {
      String b = "double_blocks." + m.group(1) + ".";
      int[] qkv = {d, d, d};
      return switch (m.group(2)) {
        case "norm1.linear" -> whole(b + "img_mod.lin." + kind);
        case "norm1_context.linear" -> whole(b + "txt_mod.lin." + kind);
        case "attn.to_q" -> new Source(b + "img_attn.qkv." + kind, 0, qkv, false);
        case "attn.to_k" -> new Source(b + "img_attn.qkv." + kind, 1, qkv, false);
        case "attn.to_v" -> new Source(b + "img_attn.qkv." + kind, 2, qkv, false);
        case "attn.add_q_proj" -> new Source(b + "txt_attn.qkv." + kind, 0, qkv, false);
        case "attn.add_k_proj" -> new Source(b + "txt_attn.qkv." + kind, 1, qkv, false);
        case "attn.add_v_proj" -> new Source(b + "txt_attn.qkv." + kind, 2, qkv, false);
        case "attn.norm_q" -> whole(b + "img_attn.norm.query_norm.scale");
        case "attn.norm_k" -> whole(b + "img_attn.norm.key_norm.scale");
        case "attn.norm_added_q" -> whole(b + "txt_attn.norm.query_norm.scale");
        case "attn.norm_added_k" -> whole(b + "txt_attn.norm.key_norm.scale");
        case "attn.to_out.0" -> whole(b + "img_attn.proj." + kind);
        case "attn.to_add_out" -> whole(b + "txt_attn.proj." + kind);
        case "ff.net.0.proj" -> whole(b + "img_mlp.0." + kind);
        case "ff.net.2" -> whole(b + "img_mlp.2." + kind);
        case "ff_context.net.0.proj" -> whole(b + "txt_mlp.0." + kind);
        case "ff_context.net.2" -> whole(b + "txt_mlp.2." + kind);
        default -> null;
      };
    }
    m = SINGLE.matcher(layer);
    if (m.matches()) {
      String b = "single_blocks." + m.group(1) + ".";
      int[] linear1 = {d, d, d, mlp};
      return switch (m.group(2)) {
        case "norm.linear" -> whole(b + "modulation.lin." + kind);
        case "attn.to_q" -> new Source(b + "linear1." + kind, 0, linear1, false);
        case "attn.to_k" -> new Source(b + "linear1." + kind, 1, linear1, false);
        case "attn.to_v" -> new Source(b + "linear1." + kind, 2, linear1, false);
        case "proj_mlp" -> new Source(b + "linear1." + kind, 3, linear1, false);
        case "attn.norm_q" -> whole(b + "norm.query_norm.scale");
        case "attn.norm_k" -> whole(b + "norm.key_norm.scale");
        case "proj_out" -> whole(b + "linear2." + kind);
        default -> null;
      };
    }
    return null;
  }

  private static Source whole(String name) {
    return new Source(name, 0, new int[0], false);
  }
}
