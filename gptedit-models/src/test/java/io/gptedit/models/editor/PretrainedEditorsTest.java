package io.gptedit.models.editor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.conditioning.FluxTextConditioner;
import io.gptedit.models.conditioning.Sd3TextConditioner;
import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.nn.WeightLoadException;
import io.gptedit.models.safetensors.SafetensorsShards;
import io.gptedit.models.sd3.Sd3Config;
import io.gptedit.models.sd3.Sd3Transformer;
import io.gptedit.models.text.TextFixtures;
import io.gptedit.models.vae.AutoencoderKL;
import io.gptedit.models.vae.VaeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one-line presets load real diffusers folder layouts (tiny random weights) and edit as hand-assembled editors. */
class PretrainedEditorsTest {
  @TempDir Path tmp;

  private static final EditOptions SEED = EditOptions.builder().optSeed(7).optSteps(2).build();

  @Test
  void kontextFromItsFolderInOneLineEditsBitIdenticallyToTheHandAssembledEditor() throws Exception {
    Path dir = KontextTextPathTest.tinyKontextFolder(tmp.resolve("FLUX.1-Kontext-dev"));
    RgbImage input = KontextTextPathTest.gradient(16, 16);
    RgbImage preset;
    try (DiffusionEditor editor = PretrainedEditors.kontext(dir, DataType.FLOAT16, Resolution.FLOOR_TO_MULTIPLE)) {
      assertThat(editor.name()).isEqualTo("flux-kontext");
      preset = editor.edit(input, "give the cat a red hat", SEED);
      assertThat(editor.edit(input, "make the sky pink", SEED)).as("the prompt reaches the model").isNotEqualTo(preset);
    }
    Path tr = dir.resolve("transformer"), va = dir.resolve("vae");
    try (SafetensorsShards ts = SafetensorsShards.open(tr.resolve("diffusion_pytorch_model.safetensors.index.json"));
        SafetensorsShards vs = SafetensorsShards.open(va.resolve("diffusion_pytorch_model.safetensors"));
        FluxTransformer flux = FluxTransformer.load(FluxConfig.fromDiffusers(tr.resolve("config.json")), ts.files(), "");
        AutoencoderKL vae = AutoencoderKL.load(VaeConfig.fromDiffusers(va.resolve("config.json")), vs.files(), "");
        FluxTextConditioner text = FluxTextConditioner.fromDiffusers(dir, DataType.FLOAT16);
        KontextEditor byHand = KontextEditor.builder().setTransformer(flux).setCodec(vae).setConditioner(text)
            .optResolution(Resolution.FLOOR_TO_MULTIPLE).build()) {
      assertThat(byHand.edit(input, "give the cat a red hat", SEED)).isEqualTo(preset);
    }
  }

  private static Path tinySd3Folder(Path dir, String extraConfig) throws Exception {
    TextFixtures.sd3TextFolders(dir);
    Path tr = Files.createDirectories(dir.resolve("transformer"));
    Files.writeString(tr.resolve("config.json"), """
        {"_class_name": "SD3Transformer2DModel", "sample_size": 8, "patch_size": 2, "in_channels": 8,
         "out_channels": 4, "num_layers": 2, "num_attention_heads": 2, "attention_head_dim": 8,
         "joint_attention_dim": 16, "caption_projection_dim": 16, "pooled_projection_dim": 16,
         "pos_embed_max_size": 16, "qk_norm": null, "dual_attention_layers": []%s}
        """.formatted(extraConfig));
    try (Sd3Transformer sd3 = Sd3Transformer.random(new Sd3Config(8, 2, 8, 4, 2, 2, 8, 16, 16, 16, 16), 5)) {
      sd3.parameters().save(tr.resolve("diffusion_pytorch_model.safetensors"), Map.of());
    }
    KontextTextPathTest.tinyVae(dir, 1.5305, 0.0609);
    return dir;
  }

  @Test
  void sd3InstructPix2PixFromItsFolderInOneLineEditsBitIdenticallyToTheHandAssembledEditor() throws Exception {
    Path dir = tinySd3Folder(tmp.resolve("UltraEdit"), "");
    RgbImage input = KontextTextPathTest.gradient(16, 16);
    RgbImage preset;
    try (DiffusionEditor editor = PretrainedEditors.sd3InstructPix2Pix(dir)) {
      assertThat(editor.name()).isEqualTo("sd3-instructpix2pix");
      preset = editor.edit(input, "make the sky pink", SEED);
      assertThat(editor.edit(input, "make the sky pink", SEED)).isEqualTo(preset);
    }
    Path tr = dir.resolve("transformer"), va = dir.resolve("vae");
    try (SafetensorsShards ts = SafetensorsShards.open(tr.resolve("diffusion_pytorch_model.safetensors"));
        SafetensorsShards vs = SafetensorsShards.open(va.resolve("diffusion_pytorch_model.safetensors"));
        Sd3Transformer sd3 = Sd3Transformer.load(Sd3Config.fromDiffusers(tr.resolve("config.json")), ts.files(), "");
        AutoencoderKL vae = AutoencoderKL.load(VaeConfig.fromDiffusers(va.resolve("config.json")), vs.files(), "");
        Sd3TextConditioner text = Sd3TextConditioner.fromDiffusers(dir, DataType.FLOAT16)) {
      ChannelWiseEditor byHand = new ChannelWiseEditor(sd3, vae, text, Resolution.FLOOR_TO_MULTIPLE, false, (s, n) -> {});
      assertThat(byHand.edit(input, "make the sky pink", SEED)).isEqualTo(preset);
    }
  }

  @Test
  void aFolderWithoutAComponentOrWithAnUnsupportedConfigIsRefusedNamingIt() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    assertThatThrownBy(() -> PretrainedEditors.kontext(empty))
        .isInstanceOf(WeightLoadException.class)
        .hasMessageContaining("transformer/config.json");
    Path sd35 = tinySd3Folder(tmp.resolve("sd35"), ""); // SD3.5's query/key normalisation is not implemented
    Files.writeString(sd35.resolve("transformer/config.json"),
        Files.readString(sd35.resolve("transformer/config.json")).replace("\"qk_norm\": null", "\"qk_norm\": \"rms_norm\""));
    assertThatThrownBy(() -> PretrainedEditors.sd3InstructPix2Pix(sd35))
        .isInstanceOf(WeightLoadException.class)
        .hasMessageContaining("qk_norm")
        .hasMessageContaining("rms_norm");
    Path noWeights = tinySd3Folder(tmp.resolve("noweights"), "");
    Files.delete(noWeights.resolve("vae/diffusion_pytorch_model.safetensors"));
    assertThatThrownBy(() -> PretrainedEditors.sd3InstructPix2Pix(noWeights))
        .isInstanceOf(WeightLoadException.class)
        .hasMessageContaining(noWeights.resolve("vae").toString())
        .hasMessageContaining("no weights");
  }
}
