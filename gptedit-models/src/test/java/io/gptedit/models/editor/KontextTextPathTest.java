package io.gptedit.models.editor;

import static io.gptedit.models.text.TextFixtures.maxAbsDiff;
import static io.gptedit.models.text.TextFixtures.path;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.editor.ImageEditor;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.ImageFormat;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.conditioning.FluxTextConditioner;
import io.gptedit.models.conditioning.TextConditioning;
import io.gptedit.models.flow.EulerSampler;
import io.gptedit.models.flow.TimeSchedule;
import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.safetensors.SafetensorsFile;
import io.gptedit.models.safetensors.SafetensorsShards;
import io.gptedit.models.text.ClipTextEncoder;
import io.gptedit.models.text.JsonTokenizer;
import io.gptedit.models.text.T5Encoder;
import io.gptedit.models.text.TextFixtures;
import io.gptedit.models.vae.AutoencoderKL;
import io.gptedit.models.vae.VaeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: a Kontext edit whose text path runs the real tokenizers -> T5 + CLIP-L -> Flux transformer, against
 * the same loop in Python (tools/make_text_fixtures.py: transformers' encoders, make_fixtures.py's Flux forward,
 * diffusers' packing and BFL's schedule), and the Javadoc's lines run on a tiny FLUX.1-Kontext-dev-shaped folder.
 */
class KontextTextPathTest {
  /** The Flux transformer of fixtures/flux_tiny_weights.safetensors. */
  private static final FluxConfig FIXTURE_FLUX =
      new FluxConfig(16, 16, 1, 1, 2, 8, 16, 8, true, new int[] {2, 2, 4}, 10000, 4);

  private static Path fluxWeights() throws Exception {
    return Path.of(KontextTextPathTest.class.getResource("/io/gptedit/models/fixtures/flux_tiny_weights.safetensors")
        .toURI());
  }

  @Test
  void kontextLatentsFromPromptThroughTokenizersEncodersAndTransformerMatchThePythonLoopWithin1e4() throws Exception {
    try (SafetensorsFile io = SafetensorsFile.open(path("conditioning_io.safetensors"));
        SafetensorsFile w = SafetensorsFile.open(fluxWeights());
        FluxTransformer flux = FluxTransformer.load(FIXTURE_FLUX, List.of(w), "");
        JsonTokenizer clipTok = JsonTokenizer.fromFolder(path("tokenizer_clip"));
        JsonTokenizer t5Tok = JsonTokenizer.fromFolder(path("tokenizer_t5"));
        ClipTextEncoder clip = ClipTextEncoder.fromFolder(path("text_encoder_clip_l"), DataType.FLOAT16);
        T5Encoder t5 = T5Encoder.fromFolder(path("text_encoder_t5"), DataType.FLOAT16);
        FluxTextConditioner text = FluxTextConditioner.builder().setT5(t5, t5Tok).setClip(clip, clipTok)
            .optMaxSequenceLength(Integer.parseInt(io.metadata().get("flux_max_sequence_length"))).build();
        NDManager m = NDManager.newBaseManager()) {
      String prompt = new com.fasterxml.jackson.databind.ObjectMapper()
          .readValue(io.metadata().get("prompts"), String[].class)[0];
      KontextDenoiser denoiser = new KontextDenoiser(flux); // shares flux, closed by the try
      TextConditioning c = text.encode(null, prompt, m);
      NDArray source = io.load(m, "kontext_source");
      float g = io.readFloats("flux_guidance")[0];
      NDArray x = EulerSampler.sample(io.load(m, "kontext_noise"), TimeSchedule.BFL.times(3, 4),
          (latents, t, scope) -> denoiser.velocity(latents, source, c, new float[] {t}, new float[] {g}, scope),
          (step, steps) -> {});
      float[] expected = io.readFloats("kontext_latents");
      assertThat(maxAbsDiff(x.toFloatArray(), expected)).isLessThan(1e-4);
      assertThat(maxAbsDiff(expected, io.readFloats("kontext_noise"))).as("the steps moved the latents")
          .isGreaterThan(0.1);
    }
  }

  /** A tiny FLUX.1-Kontext-dev-shaped diffusers folder: sharded transformer, VAE, tokenizers and encoders. */
  static Path tinyKontextFolder(Path dir) throws Exception {
    TextFixtures.fluxTextFolders(dir);
    Path tr = Files.createDirectories(dir.resolve("transformer"));
    Files.writeString(tr.resolve("config.json"), """
        {"_class_name": "FluxTransformer2DModel", "patch_size": 1, "in_channels": 16, "out_channels": 16,
         "num_layers": 1, "num_single_layers": 1, "num_attention_heads": 2, "attention_head_dim": 8,
         "joint_attention_dim": 16, "pooled_projection_dim": 8, "guidance_embeds": true, "axes_dims_rope": [2, 2, 4]}
        """);
    String shard = "diffusion_pytorch_model-00001-of-00001.safetensors";
    Files.copy(fluxWeights(), tr.resolve(shard));
    Map<String, String> map = new TreeMap<>();
    try (SafetensorsFile f = SafetensorsFile.open(tr.resolve(shard))) {
      f.tensors().keySet().forEach(n -> map.put(n, shard));
    }
    Files.writeString(tr.resolve("diffusion_pytorch_model.safetensors.index.json"),
        new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(
            Map.of("metadata", Map.of(), "weight_map", map)));
    tinyVae(dir, 0.3611, 0.1159);
    return dir;
  }

  /** Writes a tiny random-weight VAE in diffusers' layout under {@code dir/vae}. */
  static void tinyVae(Path dir, double scaling, double shift) throws Exception {
    Path va = Files.createDirectories(dir.resolve("vae"));
    Files.writeString(va.resolve("config.json"), """
        {"_class_name": "AutoencoderKL", "in_channels": 3, "out_channels": 3, "latent_channels": 4,
         "block_out_channels": [4, 8], "layers_per_block": 1, "norm_num_groups": 2, "scaling_factor": %s,
         "shift_factor": %s, "use_quant_conv": false, "use_post_quant_conv": false}
        """.formatted(scaling, shift));
    try (AutoencoderKL vae = AutoencoderKL.random(VaeConfig.tiny(), 2)) {
      vae.parameters().save(va.resolve("diffusion_pytorch_model.safetensors"), Map.of());
    }
  }

  static RgbImage gradient(int w, int h) {
    byte[] rgb = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = (y * w + x) * 3;
        rgb[i] = (byte) (x * 255 / w);
        rgb[i + 1] = (byte) (y * 255 / h);
        rgb[i + 2] = (byte) 128;
      }
    }
    return RgbImage.of(w, h, rgb);
  }

  @Test
  void theJavadocLinesLoadATinyKontextFolderAndEditWithARealPrompt(@TempDir Path tmp) throws Exception {
    Path dir = tinyKontextFolder(tmp.resolve("FLUX.1-Kontext-dev"));
    ImageCodec.write(gradient(16, 16), tmp.resolve("cat.png"), ImageFormat.PNG);
    // The Javadoc's lines (FluxTextConditioner), with a small working resolution for the tiny model.
    Path tr = dir.resolve("transformer"), va = dir.resolve("vae");
    try (SafetensorsShards ts = SafetensorsShards.open(tr.resolve("diffusion_pytorch_model.safetensors.index.json"));
        SafetensorsShards vs = SafetensorsShards.open(va.resolve("diffusion_pytorch_model.safetensors"));
        FluxTransformer flux = FluxTransformer.load(FluxConfig.fromDiffusers(tr.resolve("config.json")), ts.files(), "");
        AutoencoderKL vae = AutoencoderKL.load(VaeConfig.fromDiffusers(va.resolve("config.json")), vs.files(), "");
        FluxTextConditioner text = FluxTextConditioner.fromDiffusers(dir, DataType.FLOAT16);
        ImageEditor editor = KontextEditor.builder().setTransformer(flux).setCodec(vae).setConditioner(text)
            .optResolution(Resolution.FLOOR_TO_MULTIPLE).build()) {
      RgbImage edited = editor.edit(ImageCodec.read(tmp.resolve("cat.png")), "give the cat a red hat",
          EditOptions.builder().optSeed(7).optSteps(2).build());
      ImageCodec.write(edited, tmp.resolve("cat-hat.png"), ImageFormat.PNG);

      assertThat(ImageCodec.read(tmp.resolve("cat-hat.png")).width()).isEqualTo(16);
      RgbImage again = editor.edit(ImageCodec.read(tmp.resolve("cat.png")), "give the cat a red hat",
          EditOptions.builder().optSeed(7).optSteps(2).build());
      assertThat(again).as("same seed and prompt: the same image").isEqualTo(edited);
      assertThat(text.cache().misses()).isEqualTo(1);
      assertThat(text.cache().hits()).isEqualTo(1);
      RgbImage other = editor.edit(ImageCodec.read(tmp.resolve("cat.png")), "make the sky pink",
          EditOptions.builder().optSeed(7).optSteps(2).build());
      assertThat(other).as("the prompt reaches the transformer").isNotEqualTo(edited);
    }
  }

  @Test
  void channelWiseEditWithTheSd3TripleEncoderEncodesItsNegativePromptOnceAcrossEdits(@TempDir Path tmp)
      throws Exception {
    Path dir = TextFixtures.sd3TextFolders(tmp.resolve("sd3"));
    io.gptedit.models.sd3.Sd3Config c = new io.gptedit.models.sd3.Sd3Config(8, 2, 8, 4, 2, 2, 8, 16, 16, 16, 16);
    try (io.gptedit.models.sd3.Sd3Transformer sd3 = io.gptedit.models.sd3.Sd3Transformer.random(c, 5);
        AutoencoderKL vae = AutoencoderKL.random(VaeConfig.tiny(), 2);
        io.gptedit.models.conditioning.Sd3TextConditioner text =
            io.gptedit.models.conditioning.Sd3TextConditioner.fromDiffusers(dir, DataType.FLOAT32)) {
      ChannelWiseEditor editor =
          new ChannelWiseEditor(sd3, vae, text, Resolution.FLOOR_TO_MULTIPLE, true, (s, n) -> {});
      EditOptions options = EditOptions.builder().optSeed(3).optSteps(2).build();
      RgbImage first = editor.edit(gradient(16, 16), "make the sky pink", options);
      assertThat(text.cache().misses()).as("prompt and the empty negative prompt").isEqualTo(2);
      RgbImage second = editor.edit(gradient(16, 16), "make the sky pink", options);
      assertThat(text.cache().misses()).isEqualTo(2);
      assertThat(text.cache().hits()).isEqualTo(2);
      assertThat(second).isEqualTo(first);
    }
  }
}
