package io.gptedit.models.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.editor.ImageEditor;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.ImageFormat;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.conditioning.TextConditioning;
import io.gptedit.models.editor.KontextDenoiser;
import io.gptedit.models.editor.Resolution;
import io.gptedit.models.flow.EulerSampler;
import io.gptedit.models.flow.TimeSchedule;
import io.gptedit.models.mllm.QwenVlEncoder;
import io.gptedit.models.nn.WeightLoadException;
import io.gptedit.models.safetensors.DType;
import io.gptedit.models.safetensors.SafetensorsFile;
import io.gptedit.models.safetensors.SafetensorsWriter;
import io.gptedit.models.safetensors.TensorInfo;
import io.gptedit.models.text.TextFixtures;
import io.gptedit.models.train.ParameterSelection;
import io.gptedit.models.vae.AutoencoderKL;
import io.gptedit.models.vae.VaeConfig;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: a tiny GPT-Image-Edit release folder (tools/make_mllm_fixtures.py: tiny Qwen2.5-VL + connector +
 * the tiny Kontext of the Flux fixtures, in the release's names and shards) reproduces what the release's CLI
 * computes in Python: the prompt ids and pixels, the projected VLM tokens, the {@code [VLM ; T5]} prompt
 * embeddings, CLIP's pooled vector, and the latents of a 3-step Kontext loop, within 1e-4.
 */
class GptImageEditReleaseTest {
  private static Path fixture(String name) {
    try {
      return Path.of(GptImageEditReleaseTest.class.getResource("/io/gptedit/models/fixtures/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("missing fixture " + name + " (run tools/make_mllm_fixtures.py)", e);
    }
  }

  /** A tiny FLUX.1-Kontext-dev-shaped folder: transformer config, a VAE, and the text fixtures' T5 and CLIP-L. */
  static Path kontextFolder(Path dir) throws Exception {
    TextFixtures.fluxTextFolders(dir);
    Path tr = Files.createDirectories(dir.resolve("transformer"));
    Files.writeString(tr.resolve("config.json"), """
        {"_class_name": "FluxTransformer2DModel", "patch_size": 1, "in_channels": 16, "out_channels": 16,
         "num_layers": 1, "num_single_layers": 1, "num_attention_heads": 2, "attention_head_dim": 8,
         "joint_attention_dim": 16, "pooled_projection_dim": 8, "guidance_embeds": true, "axes_dims_rope": [2, 2, 4]}
        """);
    Path va = Files.createDirectories(dir.resolve("vae"));
    Files.writeString(va.resolve("config.json"), """
        {"_class_name": "AutoencoderKL", "in_channels": 3, "out_channels": 3, "latent_channels": 4,
         "block_out_channels": [4, 8], "layers_per_block": 1, "norm_num_groups": 2, "scaling_factor": 0.3611,
         "shift_factor": 0.1159, "use_quant_conv": false, "use_post_quant_conv": false}
        """);
    try (AutoencoderKL vae = AutoencoderKL.random(VaeConfig.tiny(), 2)) {
      vae.parameters().save(va.resolve("diffusion_pytorch_model.safetensors"), Map.of());
    }
    return dir;
  }

  private static RgbImage image(SafetensorsFile f, String name) {
    long[] s = f.info(name).shape();
    ByteBuffer b = f.rawBytes(name);
    byte[] rgb = new byte[b.remaining()];
    b.get(rgb);
    return RgbImage.of((int) s[1], (int) s[0], rgb);
  }

  private static double maxAbsDiff(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  private static GptImageEditRelease tiny(Path release, Path kontext, SafetensorsFile io) {
    return GptImageEditRelease.load(release, kontext, DataType.FLOAT16,
        Integer.parseInt(io.metadata().get("t5_length")), Integer.parseInt(io.metadata().get("pixels")));
  }

  @Test
  void theTinyReleaseReproducesTheClisPromptEmbeddingsAndKontextLatentsWithin1e4(@TempDir Path tmp)
      throws Exception {
    Path kontext = kontextFolder(tmp.resolve("FLUX.1-Kontext-dev"));
    try (SafetensorsFile io = SafetensorsFile.open(fixture("mllm/release_io.safetensors"));
        GptImageEditRelease release = tiny(fixture("mllm/release"), kontext, io);
        NDManager m = NDManager.newBaseManager()) {
      String instruction = io.metadata().get("instruction");
      RgbImage input = image(io, "image");
      // The MLLM's input: the CLI's chat text, qwen-vl-utils' resize then the processor's.
      QwenVlEncoder.Prepared p = release.mllm().prepare(input, instruction);
      long[] ids = new long[p.prompt().ids().length];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = p.prompt().ids()[i];
      }
      assertThat(ids).containsExactly(io.load(m, "input_ids").toLongArray());
      assertThat(maxAbsDiff(p.pixels().pixelValues(), io.readFloats("pixel_values"))).isLessThan(1e-6);
      // [connector(Qwen last hidden state) ; T5 tokens] and CLIP's pooled vector.
      TextConditioning c = release.fusion().encode(input, instruction, m);
      assertThat(maxAbsDiff(c.tokens().toFloatArray(), io.readFloats("prompt_embeds"))).isLessThan(1e-4);
      assertThat(maxAbsDiff(c.pooled().toFloatArray(), io.readFloats("pooled"))).isLessThan(1e-4);
      // The Kontext loop on those embeddings from the fixture's noise and source latents.
      KontextDenoiser denoiser = new KontextDenoiser(release.transformer());
      NDArray source = io.load(m, "source");
      float g = Float.parseFloat(io.metadata().get("guidance"));
      NDArray x = EulerSampler.sample(io.load(m, "noise"),
          TimeSchedule.BFL.times(Integer.parseInt(io.metadata().get("steps")), 4),
          (latents, t, scope) -> denoiser.velocity(latents, source, c, new float[] {t}, new float[] {g}, scope),
          (step, steps) -> {});
      assertThat(maxAbsDiff(x.toFloatArray(), io.readFloats("latents"))).isLessThan(1e-4);
      assertThat(maxAbsDiff(io.readFloats("latents"), io.readFloats("noise"))).as("the steps moved the latents")
          .isGreaterThan(0.1);
    }
  }

  @Test
  void theReleaseEditorEditsAnImageAndTheInstructionReachesTheDenoiser(@TempDir Path tmp) throws Exception {
    Path kontext = kontextFolder(tmp.resolve("FLUX.1-Kontext-dev"));
    try (SafetensorsFile io = SafetensorsFile.open(fixture("mllm/release_io.safetensors"))) {
      ImageCodec.write(image(io, "image").crop(0, 0, 32, 32), tmp.resolve("cat.png"), ImageFormat.PNG);
    }
    // docs/models.md's lines, with the tiny release's budgets and a working size the tiny VAE allows.
    Path release = fixture("mllm/release");
    try (GptImageEditRelease model = GptImageEditRelease.load(release, kontext, DataType.FLOAT16, 24, 28 * 28 * 6)) {
      ImageEditor editor = model.editor(Resolution.FLOOR_TO_MULTIPLE);
      RgbImage edited = editor.edit(ImageCodec.read(tmp.resolve("cat.png")), "give the cat a red hat",
          EditOptions.builder().optSeed(7).optSteps(2).build());
      ImageCodec.write(edited, tmp.resolve("cat-hat.png"), ImageFormat.PNG);

      assertThat(ImageCodec.read(tmp.resolve("cat-hat.png")).width()).isEqualTo(32);
      RgbImage input = ImageCodec.read(tmp.resolve("cat.png"));
      EditOptions options = EditOptions.builder().optSeed(7).optSteps(2).build();
      assertThat(editor.edit(input, "give the cat a red hat", options)).isEqualTo(edited);
      assertThat(editor.edit(input, "make the sky pink", options)).as("the instruction reaches the denoiser")
          .isNotEqualTo(edited);
    }
  }

  @Test
  void stageOneSelectsTheConnectorAndStageTwoAddsTheImageBranchOfEveryBlock(@TempDir Path tmp) throws Exception {
    Path kontext = kontextFolder(tmp.resolve("FLUX.1-Kontext-dev"));
    try (SafetensorsFile io = SafetensorsFile.open(fixture("mllm/release_io.safetensors"));
        GptImageEditRelease release = tiny(fixture("mllm/release"), kontext, io)) {
      assertThat(release.trainable(ParameterSelection.connectorOnly("connector."))).containsExactly(
          "connector.0.weight", "connector.0.bias", "connector.2.weight", "connector.2.bias");
      List<String> stage2 = release.trainable(ParameterSelection.paperStage2("connector."));
      assertThat(stage2).containsExactlyInAnyOrder(
          "connector.0.weight", "connector.0.bias", "connector.2.weight", "connector.2.bias",
          "transformer_blocks.0.attn.norm_q.weight", "transformer_blocks.0.attn.norm_k.weight",
          "transformer_blocks.0.attn.to_q.weight", "transformer_blocks.0.attn.to_q.bias",
          "transformer_blocks.0.attn.to_k.weight", "transformer_blocks.0.attn.to_k.bias",
          "transformer_blocks.0.attn.to_v.weight", "transformer_blocks.0.attn.to_v.bias",
          "transformer_blocks.0.attn.to_out.0.weight", "transformer_blocks.0.attn.to_out.0.bias",
          "transformer_blocks.0.norm1.linear.weight", "transformer_blocks.0.norm1.linear.bias",
          "single_transformer_blocks.0.attn.norm_q.weight", "single_transformer_blocks.0.attn.norm_k.weight",
          "single_transformer_blocks.0.attn.to_q.weight", "single_transformer_blocks.0.attn.to_q.bias",
          "single_transformer_blocks.0.attn.to_k.weight", "single_transformer_blocks.0.attn.to_k.bias",
          "single_transformer_blocks.0.attn.to_v.weight", "single_transformer_blocks.0.attn.to_v.bias",
          "single_transformer_blocks.0.norm.linear.weight", "single_transformer_blocks.0.norm.linear.bias");
      assertThat(release.parameters()).containsKeys("context_embedder.weight", "transformer_blocks.0.ff.net.2.weight");
    }
  }

  /** Copies the release folder with one tensor added to its second shard (and the index). */
  private static Path withExtraTensor(Path dir, String extra) throws Exception {
    Path to = Files.createDirectories(dir.resolve("release"));
    try (Stream<Path> files = Files.list(fixture("mllm/release"))) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, to.resolve(f.getFileName().toString()));
      }
    }
    String shard = "model-00002-of-00002.safetensors";
    SafetensorsWriter w = new SafetensorsWriter();
    try (SafetensorsFile f = SafetensorsFile.open(fixture("mllm/release/" + shard))) {
      for (TensorInfo t : f.tensors().values()) {
        w.addFloats(t.name(), t.dtype() == DType.F16 ? DType.F16 : DType.F32, t.shape(), f.readFloats(t.name()));
      }
    }
    w.addFloats(extra, DType.F32, new long[] {2}, new float[] {1, 2});
    w.write(to.resolve(shard));
    Path index = to.resolve("model.safetensors.index.json");
    Files.writeString(index, Files.readString(index).replace("\"weight_map\": {",
        "\"weight_map\": {\"" + extra + "\": \"" + shard + "\", "));
    return to;
  }

  @Test
  void aTensorNoPartOfTheReleaseClaimsIsAnErrorNamingIt(@TempDir Path tmp) throws Exception {
    Path kontext = kontextFolder(tmp.resolve("FLUX.1-Kontext-dev"));
    Path release = withExtraTensor(tmp, "denoise_tower.vae_projector.0.weight");
    try (SafetensorsFile io = SafetensorsFile.open(fixture("mllm/release_io.safetensors"))) {
      assertThatThrownBy(() -> tiny(release, kontext, io)).isInstanceOf(WeightLoadException.class)
          .hasMessageContaining("unexpected 1 [denoise_tower.vae_projector.0.weight]");
    }
  }
}
