package io.gptedit.models.train;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Which parameters a training stage updates, by diffusers parameter name.
 *
 * <p>The paper's recipe (appendix E, and the released UniWorld-based trainer): stage 1 trains the connector only;
 * stage 2 trains the connector and, in every double- and single-stream block, the image branch's attention
 * ({@code attn.norm_q/norm_k}, {@code attn.to_q/to_k/to_v}, and in double blocks {@code attn.to_out.0}) and its
 * modulation ({@code norm1.linear} in double blocks, {@code norm.linear} in single blocks). Text-branch weights
 * ({@code add_*_proj}, {@code norm_added_*}, {@code to_add_out}, {@code norm1_context}, {@code ff_context}), the
 * MLPs, embedders and output layer stay frozen.
 *
 * @param description what the selection means, for logs and run provenance
 * @param predicate true for the names to train
 * @since 0.1
 */
public record ParameterSelection(String description, Predicate<String> predicate) {

  private static final Pattern DOUBLE_IMAGE_BRANCH =
      Pattern.compile(
          "transformer_blocks\\.\\d+\\.(attn\\.(norm_q|norm_k|to_q|to_k|to_v|to_out\\.0)|norm1\\.linear)\\.(weight|bias)");
  private static final Pattern SINGLE_IMAGE_BRANCH =
      Pattern.compile(
          "single_transformer_blocks\\.\\d+\\.(attn\\.(norm_q|norm_k|to_q|to_k|to_v)|norm\\.linear)\\.(weight|bias)");

  /** Validates the selection. */
  public ParameterSelection {
    requireNonNull(description, "description");
    requireNonNull(predicate, "predicate");
  }

  /**
   * Stage 1: the connector only.
   *
   * @param connectorPrefix the connector's name prefix, such as {@code connector.}
   * @return the selection
   */
  public static ParameterSelection connectorOnly(String connectorPrefix) {
    requireNonNull(connectorPrefix, "connectorPrefix");
    return new ParameterSelection(
        "stage 1: connector only (" + connectorPrefix + "*)", n -> n.startsWith(connectorPrefix));
  }

  /**
   * Stage 2 as the paper ran it: the connector plus the image branch of every block (see the class comment).
   *
   * @param connectorPrefix the connector's name prefix; the backbone's names are expected without a prefix
   * @return the selection
   */
  public static ParameterSelection paperStage2(String connectorPrefix) {
    requireNonNull(connectorPrefix, "connectorPrefix");
    return new ParameterSelection(
        "stage 2: connector + image-branch attention and modulation in every block",
        n -> n.startsWith(connectorPrefix)
            || DOUBLE_IMAGE_BRANCH.matcher(n).matches()
            || SINGLE_IMAGE_BRANCH.matcher(n).matches());
  }

  /**
   * LoRA adapters only (the {@code *.lora_A.weight} and {@code *.lora_B.weight} that
   * {@code ModelWeights.addLora} adds): the base weights stay bit-identical.
   *
   * @return the selection
   */
  public static ParameterSelection loraOnly() {
    return new ParameterSelection(
        "LoRA adapters only", n -> n.endsWith(".lora_A.weight") || n.endsWith(".lora_B.weight"));
  }

  /**
   * The linear layers LoRA usually adapts in a Flux or SD3 transformer: every attention projection ({@code to_q},
   * {@code to_k}, {@code to_v}, {@code to_out.0}, {@code add_*_proj}, {@code to_add_out}) and every MLP projection
   * ({@code ff.*}, {@code ff_context.*}, {@code proj_mlp}, and a single block's {@code proj_out}).
   *
   * @param parameterNames the model's parameter names
   * @return the layer prefixes (names without {@code .weight}), in model order
   */
  public static List<String> loraTargets(Collection<String> parameterNames) {
    Pattern target =
        Pattern.compile(
            "(.*\\.attn\\.(to_q|to_k|to_v|to_out\\.0|add_q_proj|add_k_proj|add_v_proj|to_add_out)"
                + "|.*\\.(ff|ff_context)\\.net\\.(0\\.proj|2)"
                + "|single_transformer_blocks\\.\\d+\\.(proj_mlp|proj_out))\\.weight");
    List<String> out = new ArrayList<>();
    for (String n : parameterNames) {
      if (target.matcher(n).matches()) {
        out.add(n.substring(0, n.length() - ".weight".length()));
      }
    }
    return out;
  }

  /**
   * Everything: connector and the whole backbone.
   *
   * @return the selection
   */
  public static ParameterSelection all() {
    return new ParameterSelection("all parameters", n -> true);
  }

  /**
   * Names matching a regular expression (whole-name match).
   *
   * @param regex the expression
   * @return the selection
   */
  public static ParameterSelection matching(String regex) {
    Pattern p = Pattern.compile(regex);
    return new ParameterSelection("names matching /" + regex + "/", n -> p.matcher(n).matches());
  }

  /**
   * Applies the selection to a model's parameter names.
   *
   * @param names every parameter name
   * @return the selected names, in the order given
   * @throws IllegalArgumentException if nothing is selected (almost always a wrong prefix)
   */
  public List<String> select(Collection<String> names) {
    List<String> out = new ArrayList<>();
    for (String n : names) {
      if (predicate.test(n)) {
        out.add(n);
      }
    }
    checkArgument(!out.isEmpty(), "selection '%s' matches none of the %s parameters", description, names.size());
    return out;
  }
}
