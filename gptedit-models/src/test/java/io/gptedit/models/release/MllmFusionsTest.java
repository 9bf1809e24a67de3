package io.gptedit.models.release;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.conditioning.TextConditioning;
import io.gptedit.models.conditioning.TextFusion;
import io.gptedit.models.editor.DiffusionEditor;
import io.gptedit.models.editor.Resolution;
import io.gptedit.models.editor.SamplingConfig;
import io.gptedit.models.editor.SiglipTokenDenoiser;
import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.mllm.QwenVlEncoder;
import io.gptedit.models.mllm.QwenVlPrompt;
import io.gptedit.models.mllm.SiglipVisionTower;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.text.WordHashTextEncoder;
import io.gptedit.models.vae.AutoencoderKL;
import io.gptedit.models.vae.VaeConfig;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The paper's fusions and the SigLIP-token paradigm through the existing API with the real towers at tiny size:
 * Qwen2.5-VL (fixtures/mllm/qwen) feeds TextFusion's projection, concatenation and MetaQuery modes (MetaQuery's
 * queries train through the frozen MLLM); the SigLIP tower (fixtures/mllm/siglip) is the vision encoder of a
 * SigLIP-token editor.
 */
class MllmFusionsTest {
  private static Path fixture(String name) throws URISyntaxException {
    return Path.of(MllmFusionsTest.class.getResource("/io/gptedit/models/fixtures/mllm/" + name).toURI());
  }

  private static RgbImage image(int w, int h, int shift) {
    byte[] rgb = new byte[w * h * 3];
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = (byte) (i * 13 + shift * (i % 3));
    }
    return RgbImage.of(w, h, rgb);
  }

  @Test
  void projectionConcatenationAndMetaQueryFusionsRunOnQwen25VlAndMetaQueryTrainsItsQueries() throws Exception {
    try (QwenVlEncoder qwen = QwenVlEncoder.fromFolder(fixture("qwen"), DataType.FLOAT32, QwenVlPrompt.Layout.CHAT);
        NDManager m = NDManager.newBaseManager()) {
      WordHashTextEncoder t5 = new WordHashTextEncoder(8, 16, 3);
      RgbImage input = image(56, 56, 1);
      int mllmTokens = qwen.prepare(input, "make the sky pink").prompt().ids().length;
      for (TextFusion.Mode mode : new TextFusion.Mode[] {TextFusion.Mode.MLLM_PROJECTION,
          TextFusion.Mode.MLLM_T5_CONCAT}) {
        TextFusion.Config c = TextFusion.Config.mlp(mode, 32, 48, 16, 8);
        try (TextFusion fusion = new TextFusion(c, ModelWeights.random(TextFusion.spec(c), 5), t5, qwen)) {
          TextConditioning out = fusion.encode(input, "make the sky pink", m);
          int expected = mllmTokens + (mode == TextFusion.Mode.MLLM_T5_CONCAT ? 8 : 0);
          assertThat(out.tokens().getShape().getShape()).containsExactly(1, expected, 16);
          assertThat(fusion.encoderId()).contains(qwen.id());
        }
      }
      TextFusion.Config mq = TextFusion.Config.metaQuery(4, 32, 48, 16, 8);
      try (TextFusion fusion = new TextFusion(mq, ModelWeights.random(TextFusion.spec(mq), 6), t5, qwen)) {
        NDArray queries = fusion.parameters().get("meta_queries.weight");
        queries.setRequiresGradient(true);
        try (NDManager step = m.newSubManager();
            GradientCollector g = Engine.getInstance().newGradientCollector()) {
          TextConditioning out = fusion.fuse(List.of(fusion.prepare(input, "make the sky pink"),
              fusion.prepare(image(56, 56, 2), "give the cat a red hat")), step);
          assertThat(out.tokens().getShape().getShape()).containsExactly(2, 4, 16);
          g.backward(out.tokens().square().mean());
        }
        assertThat(queries.getGradient().abs().sum().getFloat()).as("the queries' gradient").isGreaterThan(0f);
      }
    }
  }

  @Test
  void aSiglipTokenEditorRunsOnTheRealSiglipTowerAndTheImageReachesTheDenoiserThroughIt() throws Exception {
    FluxConfig flux = FluxConfig.tiny();
    WordHashTextEncoder text = new WordHashTextEncoder(6, flux.jointAttentionDim(), 4);
    try (SiglipVisionTower tower = SiglipVisionTower.fromFolder(fixture("siglip"), DataType.FLOAT32);
        SiglipTokenDenoiser denoiser = new SiglipTokenDenoiser(FluxTransformer.random(flux, 8),
            ModelWeights.random(
                SiglipTokenDenoiser.projectorSpec(tower.config().hiddenSize(), 24, flux.jointAttentionDim()), 9),
            tower);
        TextFusion fusion = TextFusion.t5Only(text, flux.pooledProjectionDim());
        AutoencoderKL vae = AutoencoderKL.random(VaeConfig.tiny(), 2);
        DiffusionEditor editor = DiffusionEditor.builder().setDenoiser(denoiser).setCodec(vae)
            .setConditioner(fusion).optResolution(Resolution.FLOOR_TO_MULTIPLE)
            .optSampling(new SamplingConfig(2, io.gptedit.models.flow.TimeSchedule.BFL,
                SamplingConfig.Guidance.embedded(3.5)))
            .build()) {
      EditOptions options = EditOptions.builder().optSeed(3).build();
      RgbImage a = editor.edit(image(16, 16, 1), "make it red", options);
      assertThat(a.width()).isEqualTo(16);
      assertThat(editor.edit(image(16, 16, 1), "make it red", options)).isEqualTo(a);
      RgbImage b = editor.edit(image(16, 16, 9), "make it red", options);
      assertThat(b).as("another input image gives other SigLIP tokens").isNotEqualTo(a);
    }
  }

  @Test
  void theTinyQwenEncoderTokenizesBytesAndVisionTokensAndFeedsTheFusionsLikeTheLabsTinyMllm() {
    try (QwenVlEncoder qwen = QwenVlEncoder.tiny(5); QwenVlEncoder same = QwenVlEncoder.tiny(5);
        NDManager m = NDManager.newBaseManager()) {
      QwenVlEncoder.Prepared p = qwen.prepare(image(32, 32, 1), "make it red");
      int[] ids = p.prompt().ids();
      // <|im_start|> is 257; "system" is its 6 bytes; the image became 4 <|image_pad|> (268) between 265 and 266.
      assertThat(ids[0]).isEqualTo(257);
      assertThat(java.util.Arrays.copyOfRange(ids, 1, 7)).containsExactly('s', 'y', 's', 't', 'e', 'm');
      assertThat(java.util.Arrays.stream(ids).filter(i -> i == 268).count()).isEqualTo(p.pixels().imageTokens())
          .isEqualTo(4);
      NDArray a = qwen.hiddenStates(image(32, 32, 1), "make it red", m);
      assertThat(a.getShape().getShape()).containsExactly(1, ids.length, 32);
      assertThat(same.hiddenStates(image(32, 32, 1), "make it red", m).toFloatArray())
          .as("the seed fixes the weights").containsExactly(a.toFloatArray());
      TextFusion.Config c = TextFusion.Config.mlp(TextFusion.Mode.MLLM_T5_CONCAT, 32, 48, 16, 8);
      try (TextFusion fusion = new TextFusion(c, ModelWeights.random(TextFusion.spec(c), 5),
          new WordHashTextEncoder(8, 16, 3), qwen)) {
        assertThat(fusion.encode(image(32, 32, 2), "make it red", m).tokens().getShape().get(1))
            .isEqualTo(ids.length + 8);
      }
    }
  }

  @Test
  void uniWorldsSiglipVariantInsertsTheProjectedSiglipTokensRightAfterTheImageEndToken() throws Exception {
    try (QwenVlEncoder qwen = QwenVlEncoder.fromFolder(fixture("qwen"), DataType.FLOAT32, QwenVlPrompt.Layout.CHAT);
        SiglipVisionTower siglip = SiglipVisionTower.fromFolder(fixture("siglip"), DataType.FLOAT32);
        UniWorldConditioner c = new UniWorldConditioner(qwen, siglip, new WordHashTextEncoder(8, 16, 3),
            ModelWeights.random(UniWorldConditioner.spec(32, 16, 48, 16), 4), 8);
        NDManager m = NDManager.newBaseManager()) {
      RgbImage input = image(56, 56, 1);
      TextConditioning out = c.encode(input, "make the sky pink", m);
      QwenVlEncoder.Prepared p = qwen.prepare(input, "make the sky pink");
      int[] ids = p.prompt().ids();
      int end = 0;
      while (ids[end] != qwen.model().config().visionEndTokenId()) {
        end++;
      }
      int sigTokens = siglip.config().tokens();
      assertThat(out.tokens().getShape().getShape()).containsExactly(1, ids.length + sigTokens + 8, 16);
      // The pieces, computed alone: connector(Qwen states), projector(SigLIP features), the text tokens.
      NDArray states = qwen.model().hiddenStates(p.prompt(), List.of(p.pixels()), m);
      ModelWeights w = c.parameters();
      NDArray vlm = io.gptedit.models.nn.Layers.linear(io.gptedit.models.nn.Layers.silu(
          io.gptedit.models.nn.Layers.linear(states, w, "connector.0")), w, "connector.2");
      NDArray sig = io.gptedit.models.nn.Layers.linear(io.gptedit.models.nn.Layers.silu(
          io.gptedit.models.nn.Layers.linear(siglip.features(input, m), w, "siglip_projector.0")), w,
          "siglip_projector.2");
      NDArray tokens = out.tokens();
      assertThat(tokens.get(":, :" + (end + 1) + ", :").toFloatArray())
          .containsExactly(vlm.get(":, :" + (end + 1) + ", :").toFloatArray());
      assertThat(tokens.get(":, " + (end + 1) + ":" + (end + 1 + sigTokens) + ", :").toFloatArray())
          .containsExactly(sig.toFloatArray());
      assertThat(tokens.get(":, " + (end + 1 + sigTokens) + ":" + (ids.length + sigTokens) + ", :").toFloatArray())
          .containsExactly(vlm.get(":, " + (end + 1) + ":, :").toFloatArray());
      assertThat(tokens.get(":, " + (ids.length + sigTokens) + ":, :").toFloatArray())
          .containsExactly(new WordHashTextEncoder(8, 16, 3).encode("make the sky pink").tokens());
    }
  }
}
