package io.gptedit.models.editor;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.types.Shape;
import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.conditioning.TextFusion;
import io.gptedit.models.flow.SeededNoise;
import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.sd3.Sd3Config;
import io.gptedit.models.sd3.Sd3Transformer;
import io.gptedit.models.text.ByteTokenizer;
import io.gptedit.models.text.T5Config;
import io.gptedit.models.text.T5Encoder;
import io.gptedit.models.text.T5TextEncoder;
import io.gptedit.models.vae.AutoencoderKL;
import io.gptedit.models.vae.VaeConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EditorParadigmsTest {
  static FluxTransformer flux;
  static AutoencoderKL vae;
  static T5Encoder t5;
  static TextFusion t5Fusion;

  @BeforeAll
  static void models() {
    flux = FluxTransformer.random(FluxConfig.tiny(), 1);
    vae = AutoencoderKL.random(VaeConfig.tiny(), 2);
    t5 = T5Encoder.random(T5Config.tiny(), 3);
    TextFusion.Config c =
        TextFusion.Config.t5Only(32, 24);
    t5Fusion = new TextFusion(c, ModelWeights.random(TextFusion.spec(c), 0),
        new T5TextEncoder(t5, new ByteTokenizer(), 32, "t5-tiny", false), null);
    flux.parameters().freeze();
    vae.parameters().freeze();
    t5.parameters().freeze();
  }

  @AfterAll
  static void close() {
    t5Fusion.close();
    flux.close();
    vae.close();
    t5.close();
  }

  static RgbImage image(int w, int h) {
    byte[] rgb = new byte[w * h * 3];
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = (byte) (i * 37);
    }
    return RgbImage.of(w, h, rgb);
  }

  @Test
  void kontextEditsAtWorkingSizeReproduciblyPerSeed() {
    List<Integer> steps = new ArrayList<>();
    KontextEditor editor =
        KontextEditor.builder()
            .setTransformer(flux)
            .setCodec(vae)
            .setConditioner(t5Fusion)
            .optResolution(Resolution.FLOOR_TO_MULTIPLE)
            .optListener((s, n) -> steps.add(s))
            .build();
    EditOptions o = EditOptions.builder().optSeed(11).optSteps(2).optGuidance(2.5).build();
    RgbImage a = editor.edit(image(18, 13), "make the sky pink", o);
    assertThat(a.width()).isEqualTo(16);
    assertThat(a.height()).isEqualTo(12);
    assertThat(steps).containsExactly(1, 2);
    assertThat(editor.edit(image(18, 13), "make the sky pink", o)).isEqualTo(a);
    assertThat(editor.edit(image(18, 13), "make the sky pink", o.toBuilder().optSeed(12).build())).isNotEqualTo(a);
    assertThat(editor.edit(image(18, 13), "remove the tree", o)).isNotEqualTo(a);
  }

  @Test
  void siglipTokenEditorConditionsThroughProjectedVisionTokens() {
    ModelWeights projector = ModelWeights.random(SiglipTokenEditor.projectorSpec(10, 16, 32), 5);
    try (SiglipTokenEditor editor =
        new SiglipTokenEditor(
            flux,
            vae,
            t5Fusion,
            (img, m) -> SeededNoise.gaussian(m, img.hashCode(), new Shape(1, 3, 10)),
            projector,
            Resolution.FLOOR_TO_MULTIPLE,
            (s, n) -> {})) {
      EditOptions o = EditOptions.builder().optSeed(3).optSteps(2).build();
      RgbImage a = editor.edit(image(8, 8), "add a hat", o);
      assertThat(a.width()).isEqualTo(8);
      assertThat(editor.edit(image(8, 8), "add a hat", o)).isEqualTo(a);
      assertThat(editor.edit(RgbImage.filled(8, 8, 0xff0000), "add a hat", o)).isNotEqualTo(a);
    }
  }

  @Test
  void kontextPreferredResolutionIsNearestByAspect() {
    assertThat(Resolution.KONTEXT_RESOLUTIONS).hasSize(17);
    assertThat(Resolution.KONTEXT_PREFERRED.choose(1000, 1000, 16)).isEqualTo(new Size(1024, 1024));
    assertThat(Resolution.KONTEXT_PREFERRED.choose(1920, 1080, 16)).isEqualTo(new Size(1392, 752));
    assertThat(Resolution.KONTEXT_PREFERRED.choose(300, 700, 16)).isEqualTo(new Size(672, 1568));
    assertThat(Resolution.FLOOR_TO_MULTIPLE.choose(3, 35, 16)).isEqualTo(new Size(16, 32));
  }

  @Test
  void channelWiseGuidanceCombinesTheThreeWayBatchByHand() {
    try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
      var full = m.create(new float[] {3f});
      var img = m.create(new float[] {2f});
      var none = m.create(new float[] {1f});
      // 1 + 7 (3 - 2) + 1.5 (2 - 1) = 9.5
      assertThat(ChannelWiseEditor.guide(full, img, none, 7.0, 1.5).getFloat()).isEqualTo(9.5f);
    }
  }

  @Test
  void channelWiseEditorConcatenatesSourceLatentsAndIsReproducible() {
    try (Sd3Transformer sd3 = Sd3Transformer.random(Sd3Config.tinyInstructPix2Pix(), 4)) {
      sd3.parameters().freeze();
      List<Integer> steps = new ArrayList<>();
      ChannelWiseEditor editor =
          new ChannelWiseEditor(sd3, vae, t5Fusion, Resolution.FLOOR_TO_MULTIPLE, false, (s, n) -> steps.add(s));
      EditOptions o = EditOptions.builder().optSeed(2).optSteps(2).optGuidance(5).optImageGuidance(1.5).build();
      RgbImage a = editor.edit(image(9, 12), "make it night", o);
      assertThat(a.width()).isEqualTo(8);
      assertThat(a.height()).isEqualTo(12);
      assertThat(steps).containsExactly(1, 2);
      assertThat(editor.edit(image(9, 12), "make it night", o)).isEqualTo(a);
      assertThat(editor.edit(image(9, 12), "make it night", o.toBuilder().optImageGuidance(3).build())).isNotEqualTo(a);
    }
  }
}
