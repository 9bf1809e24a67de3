package io.gptedit.models.mllm;

import static io.gptedit.models.mllm.MllmFixtures.maxAbsDiff;
import static io.gptedit.models.mllm.MllmFixtures.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.nn.WeightLoadException;
import io.gptedit.models.safetensors.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * QwenVlImageProcessor against transformers' Qwen2VLImageProcessor (PIL backend) for tiny, odd, exact, extreme
 * aspect and above-max_pixels images (tools/make_mllm_fixtures.py): resized size, the resized pixels byte for
 * byte, image_grid_thw, image-token count and pixel_values; and smart resize with the released max_pixels
 * (12,845,056) on large images.
 */
class QwenVlImageProcessorTest {
  private static JsonNode meta() throws Exception {
    return new ObjectMapper().readTree(path("qwen_preprocess.json").toFile());
  }

  @Test
  void everyCaseResizesToThePythonSizeAndPixelsAndGivesItsGridAndTokenCount() throws Exception {
    try (SafetensorsFile io = SafetensorsFile.open(path("qwen_preprocess.safetensors"))) {
      for (JsonNode c : meta().get("cases")) {
        String name = c.get("name").asText();
        QwenVlImageProcessor p = QwenVlImageProcessor.withPixels(c.get("min_pixels").asInt(),
            c.get("max_pixels").asInt());
        RgbImage image = MllmFixtures.image(io, name + "_image");
        int[] size = p.resizedSize(image.height(), image.width());
        assertThat(size).as(name).containsExactly(c.get("resized").get(0).asInt(), c.get("resized").get(1).asInt());
        assertThat(p.resized(image)).as(name + " resized pixels").isEqualTo(MllmFixtures.bytes(io, name + "_resized"));
        QwenVlPixels px = p.preprocess(image);
        long[] grid = MllmFixtures.longs(io, name + "_grid_thw");
        assertThat(new long[] {px.gridT(), px.gridH(), px.gridW()}).as(name).containsExactly(grid);
        assertThat(px.imageTokens()).as(name).isEqualTo(c.get("image_tokens").asInt())
            .isEqualTo(p.imageTokens(image.height(), image.width()));
        assertThat(px.patchDim()).isEqualTo(1176);
        if (io.tensors().containsKey(name + "_pixel_values")) {
          assertThat(maxAbsDiff(px.pixelValues(), io.readFloats(name + "_pixel_values"))).as(name).isLessThan(1e-6);
        }
      }
    }
  }

  @Test
  void theReleasedMaxPixelsBoundsLargeAndExtremeImagesAsSmartResizeDoes() throws Exception {
    JsonNode m = meta();
    assertThat(m.get("released_max_pixels").asInt()).isEqualTo(QwenVlImageProcessor.RELEASED_MAX_PIXELS);
    QwenVlImageProcessor p = QwenVlImageProcessor.released();
    for (JsonNode r : m.get("released")) {
      int h = r.get("height").asInt();
      int w = r.get("width").asInt();
      assertThat(p.resizedSize(h, w)).as("%sx%s", w, h)
          .containsExactly(r.get("resized").get(0).asInt(), r.get("resized").get(1).asInt());
      assertThat(p.imageTokens(h, w)).as("%sx%s", w, h).isEqualTo(r.get("image_tokens").asInt());
    }
    // Above the released bound the count is capped near max_pixels / 784 = 16384 tokens.
    assertThat(p.imageTokens(8000, 6000)).isLessThanOrEqualTo(16384);
  }

  @Test
  void theReleasedConfigFileFormAndTheSizeFormReadTheSameBounds(@TempDir Path dir) throws Exception {
    QwenVlImageProcessor fixture = QwenVlImageProcessor.fromFile(path("qwen/preprocessor_config.json"));
    assertThat(fixture.minPixels()).isEqualTo(3136);
    assertThat(fixture.maxPixels()).isEqualTo(28 * 28 * 24);
    Path released = dir.resolve("preprocessor_config.json");
    Files.writeString(released, "{\"min_pixels\": 3136, \"max_pixels\": 12845056, \"patch_size\": 14,"
        + " \"temporal_patch_size\": 2, \"merge_size\": 2, \"image_mean\": [0.48145466, 0.4578275, 0.40821073],"
        + " \"image_std\": [0.26862954, 0.26130258, 0.27577711], \"image_processor_type\": \"Qwen2VLImageProcessor\","
        + " \"processor_class\": \"Qwen2_5_VLProcessor\"}");
    QwenVlImageProcessor r = QwenVlImageProcessor.fromFile(released);
    assertThat(r.maxPixels()).isEqualTo(QwenVlImageProcessor.RELEASED_MAX_PIXELS);
    Files.writeString(released, "{\"min_pixels\": \"many\"}");
    assertThatThrownBy(() -> QwenVlImageProcessor.fromFile(released)).isInstanceOf(WeightLoadException.class)
        .hasMessageContaining(released.toString()).hasMessageContaining("min_pixels");
  }

  @Test
  void anAspectRatioAbove200IsRejectedAsThePythonProcessorRejectsIt() {
    QwenVlImageProcessor p = QwenVlImageProcessor.released();
    assertThatThrownBy(() -> p.resizedSize(10, 2001)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("aspect ratio");
    assertThat(p.resizedSize(10, 2000)).containsExactly(28, 812);
  }
}
