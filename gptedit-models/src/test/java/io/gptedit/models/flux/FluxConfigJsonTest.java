package io.gptedit.models.flux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.models.nn.WeightLoadException;
import io.gptedit.models.vae.VaeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FluxConfigJsonTest {
  @TempDir Path dir;

  @Test
  void diffusersConfigOfFluxKontextGivesThePreset() throws Exception {
    Path p = dir.resolve("config.json");
    Files.writeString(p, "{\"_class_name\":\"FluxTransformer2DModel\",\"attention_head_dim\":128,"
        + "\"axes_dims_rope\":[16,56,56],\"guidance_embeds\":true,\"in_channels\":64,\"joint_attention_dim\":4096,"
        + "\"num_attention_heads\":24,\"num_layers\":19,\"num_single_layers\":38,\"out_channels\":null,"
        + "\"patch_size\":1,\"pooled_projection_dim\":768}");
    assertThat(FluxConfig.fromDiffusers(p)).isEqualTo(FluxConfig.flux1KontextDev());
  }

  @Test
  void publishedFlux1DevConfigWithoutAxesDimsRopeGivesThePreset() throws Exception {
    // black-forest-labs/FLUX.1-dev transformer/config.json as published: no axes_dims_rope, no out_channels
    Path p = dir.resolve("config.json");
    Files.writeString(p, "{\"_class_name\":\"FluxTransformer2DModel\",\"_diffusers_version\":\"0.30.0.dev0\","
        + "\"_name_or_path\":\"../checkpoints/flux-dev/transformer\",\"attention_head_dim\":128,"
        + "\"guidance_embeds\":true,\"in_channels\":64,\"joint_attention_dim\":4096,\"num_attention_heads\":24,"
        + "\"num_layers\":19,\"num_single_layers\":38,\"patch_size\":1,\"pooled_projection_dim\":768}");
    FluxConfig c = FluxConfig.fromDiffusers(p);
    assertThat(c).isEqualTo(FluxConfig.flux1Dev());
    assertThat(c.axesDims()).containsExactly(16, 56, 56);
  }

  @Test
  void missingOrUnsupportedFieldsNameTheFileAndField() throws Exception {
    Path p = dir.resolve("config.json");
    Files.writeString(p, "{\"in_channels\":64,\"patch_size\":1}");
    assertThatThrownBy(() -> FluxConfig.fromDiffusers(p))
        .isInstanceOf(WeightLoadException.class)
        .hasMessageContaining(p.toString())
        .hasMessageContaining("'num_layers'");
    Files.writeString(p, "{\"patch_size\":2}");
    assertThatThrownBy(() -> FluxConfig.fromDiffusers(p)).hasMessageContaining("'patch_size' is 2");
  }

  @Test
  void diffusersVaeConfigOfFluxGivesThePreset() throws Exception {
    Path p = dir.resolve("vae.json");
    Files.writeString(p, "{\"_class_name\":\"AutoencoderKL\",\"block_out_channels\":[128,256,512,512],"
        + "\"in_channels\":3,\"out_channels\":3,\"latent_channels\":16,\"layers_per_block\":2,\"norm_num_groups\":32,"
        + "\"scaling_factor\":0.3611,\"shift_factor\":0.1159,\"use_quant_conv\":false,\"use_post_quant_conv\":false}");
    assertThat(VaeConfig.fromDiffusers(p)).isEqualTo(VaeConfig.flux());
    Files.writeString(p, "{\"use_quant_conv\":true}");
    assertThatThrownBy(() -> VaeConfig.fromDiffusers(p)).hasMessageContaining("'use_quant_conv'");
  }
}
