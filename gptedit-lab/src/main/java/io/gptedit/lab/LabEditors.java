package io.gptedit.lab;

import ai.djl.ndarray.NDArray;
import io.gptedit.core.GpteditException;
import io.gptedit.models.conditioning.MllmHiddenStates;
import io.gptedit.models.conditioning.PooledPatchEncoder;
import io.gptedit.models.conditioning.TextFusion;
import io.gptedit.models.editor.Paradigm;
import io.gptedit.models.editor.Resolution;
import io.gptedit.models.editor.SamplingConfig;
import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.text.WordHashTextEncoder;
import io.gptedit.models.train.EditorSpec;
import java.util.Map;

/**
 * The lab's tiny editor presets: a FLUX-family backbone over pixels packed 2x2 into 12-channel
 * tokens (no VAE at 16x16), 16 channels per head, a weightless word-hash text encoder in T5's role (16 tokens x
 * 32, pooled = mean), and for the MLLM fusions the lab's {@link TinyMllm}. Every paradigm's backbone starts from
 * the same seed, so same-shaped tensors start equal.
 */
final class LabEditors {
  /** Text tokens and width of the word-hash encoder. */
  static final int TEXT_TOKENS = 16;
  static final int TEXT_DIM = 32;
  /** Learned MetaQuery tokens (the paper uses 256 at full scale). */
  static final int META_QUERIES = 16;
  private static final int CONNECTOR_HIDDEN = 64;
  private static final int VISION_DIM = 32;
  private static final int PROJECTOR_HIDDEN = 64;

  private LabEditors() {}

  /** The frozen text encoder of a lab seed. */
  static WordHashTextEncoder textEncoder(long seed) {
    return new WordHashTextEncoder(TEXT_TOKENS, TEXT_DIM, seed ^ 0x7E47L);
  }

  /** The tiny Flux config of a paradigm. */
  static FluxConfig flux(LabConfig c, Paradigm p) {
    int in = p == Paradigm.CHANNEL_WISE ? 24 : 12;
    return new FluxConfig(
        in, 12, c.doubleBlocks(), c.singleBlocks(), c.heads(), 16, TEXT_DIM, TEXT_DIM, false, new int[] {4, 6, 6},
        c.ropeTheta(), 4);
  }

  /** The text fusion's sizes for a lab fusion. */
  static TextFusion.Config fusion(LabConfig.Fusion f) {
    return switch (f) {
      case T5 -> TextFusion.Config.t5Only(TEXT_DIM, TEXT_DIM);
      case MLLM -> TextFusion.Config.mlp(TextFusion.Mode.MLLM_PROJECTION, TinyMllm.DIM, CONNECTOR_HIDDEN, TEXT_DIM, TEXT_DIM);
      case MLLM_T5 -> TextFusion.Config.mlp(TextFusion.Mode.MLLM_T5_CONCAT, TinyMllm.DIM, CONNECTOR_HIDDEN, TEXT_DIM, TEXT_DIM);
      case METAQUERY -> TextFusion.Config.metaQuery(META_QUERIES, TinyMllm.DIM, CONNECTOR_HIDDEN, TEXT_DIM, TEXT_DIM);
    };
  }

  /**
   * The editor spec of a lab config with a paradigm.
   *
   * @param c the config (its own paradigm is ignored)
   * @param p the paradigm
   * @param mllm the frozen MLLM for the MLLM fusions (its identity is recorded), or null for T5
   * @return the spec
   */
  static EditorSpec spec(LabConfig c, Paradigm p, LabMllm mllm) {
    EditorSpec.Vision vision =
        p == Paradigm.SIGLIP_TOKEN
            ? new EditorSpec.Vision(
                new PooledPatchEncoder(4, VISION_DIM, c.seed() ^ 0x516L), null, VISION_DIM, PROJECTOR_HIDDEN,
                c.seed() ^ 0x9A0FL)
            : null;
    String mllmId = c.textFusion() == LabConfig.Fusion.T5 ? null : mllm.id();
    return new EditorSpec(
        p,
        EditorSpec.Backbone.flux(flux(c, p), c.seed() ^ 0x5EEDL),
        c.conditionIds() == LabConfig.ConditionIds.KONTEXT ? 1 : 0,
        true,
        vision,
        EditorSpec.Codec.pixel(),
        new EditorSpec.Text(fusion(c.textFusion()), c.seed() ^ 0xF05EL, textEncoder(c.seed()), null, mllmId),
        SamplingConfig.unguided(c.sampleSteps()),
        Resolution.FLOOR_TO_MULTIPLE);
  }

  /** Resolves the lab's tiny MLLM by the identity a spec records. */
  static EditorSpec.Resolver resolver(LabMllm mllm) {
    return new EditorSpec.Resolver() {
      @Override
      public MllmHiddenStates mllm(String id) {
        if (mllm == null || !mllm.id().equals(id)) {
          throw new GpteditException("the spec needs the MLLM '" + id + "', which this lab run does not have");
        }
        return mllm.mllm();
      }
    };
  }

  /** Multiplies every attention query/key norm scale by {@code scale} (no-op at 1). */
  static void scaleQueryKeyNorms(Map<String, NDArray> denoiserParameters, double scale) {
    if (scale == 1) {
      return;
    }
    denoiserParameters.forEach((name, p) -> {
      if (name.matches(".*attn\\.norm_(added_)?[qk]\\.weight")) {
        p.muli(scale);
      }
    });
  }

  /** Zeroes the output projection (adaLN-Zero style), when the config asks for it. */
  static void zeroHead(Map<String, NDArray> denoiserParameters) {
    for (String name : new String[] {"proj_out.weight", "proj_out.bias"}) {
      NDArray p = denoiserParameters.get(name);
      p.subi(p);
    }
  }
}
