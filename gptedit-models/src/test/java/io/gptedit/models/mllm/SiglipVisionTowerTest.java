package io.gptedit.models.mllm;

import static io.gptedit.models.mllm.MllmFixtures.maxAbsDiff;
import static io.gptedit.models.mllm.MllmFixtures.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.nn.WeightLoadException;
import io.gptedit.models.safetensors.DType;
import io.gptedit.models.safetensors.SafetensorsFile;
import io.gptedit.models.safetensors.SafetensorsWriter;
import io.gptedit.models.safetensors.TensorInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SiglipVisionTower and SiglipImageProcessor against transformers' SiglipVisionModel and SiglipImageProcessor (PIL)
 * (tools/make_mllm_fixtures.py): same images, same checkpoint, every output within 1e-4 in float32.
 */
class SiglipVisionTowerTest {
  private static final int CASES = 3;

  @Test
  void preprocessingMatchesThePilSiglipProcessorBicubicAndBilinearForUpAndDownscaledImages(@TempDir Path dir)
      throws Exception {
    Path bilinearConfig = dir.resolve("preprocessor_config.json");
    Files.writeString(bilinearConfig,
        Files.readString(path("siglip/preprocessor_config.json")).replace("\"resample\": 3", "\"resample\": 2"));
    SiglipImageProcessor bicubic = SiglipImageProcessor.fromFile(path("siglip/preprocessor_config.json"));
    SiglipImageProcessor bilinear = SiglipImageProcessor.fromFile(bilinearConfig);
    try (SafetensorsFile io = SafetensorsFile.open(path("siglip_io.safetensors"))) {
      for (int i = 0; i < CASES; i++) {
        RgbImage image = MllmFixtures.image(io, "image_" + i);
        assertThat(maxAbsDiff(bicubic.preprocess(image), io.readFloats("pixel_values_bicubic_" + i)))
            .as("bicubic case %s", i).isLessThan(1e-6);
        assertThat(maxAbsDiff(bilinear.preprocess(image), io.readFloats("pixel_values_bilinear_" + i)))
            .as("bilinear case %s", i).isLessThan(1e-6);
      }
    }
  }

  @Test
  void towerMatchesSiglipVisionModelLastHiddenStateAndPoolerOutputWithin1e4() {
    for (DataType storage : new DataType[] {DataType.FLOAT32, DataType.FLOAT16}) {
      try (SiglipVisionTower tower = SiglipVisionTower.fromFolder(path("siglip"), storage);
          SafetensorsFile io = SafetensorsFile.open(path("siglip_io.safetensors"));
          NDManager m = NDManager.newBaseManager()) {
        for (int i = 0; i < CASES; i++) {
          NDArray pixels = io.load(m, "pixel_values_bicubic_" + i);
          SiglipVisionTower.Output out = tower.forward(pixels, m);
          assertThat(maxAbsDiff(out.lastHiddenState().toFloatArray(), io.readFloats("last_hidden_state_" + i)))
              .isLessThan(1e-4);
          assertThat(maxAbsDiff(out.pooled().toFloatArray(), io.readFloats("pooler_output_" + i))).isLessThan(1e-4);
          // The ImageFeatures path (Java preprocessing, then the tower) gives the same features from the image.
          NDArray features = tower.features(MllmFixtures.image(io, "image_" + i), m);
          assertThat(features.getShape().getShape()).containsExactly(1, 16, 16);
          assertThat(maxAbsDiff(features.toFloatArray(), io.readFloats("last_hidden_state_" + i))).isLessThan(1e-4);
        }
      }
    }
  }

  @Test
  void aPatchThatDoesNotDivideTheImageDropsTheRemainderAsTheConvolutionDoes() {
    try (SiglipVisionTower tower = SiglipVisionTower.load(
            SiglipVisionConfig.fromTransformers(path("siglip_floor/config.json")),
            java.util.List.of(SafetensorsFile.open(path("siglip_floor/model.safetensors"))),
            SiglipImageProcessor.square(30), DataType.FLOAT32);
        SafetensorsFile io = SafetensorsFile.open(path("siglip_io.safetensors"));
        NDManager m = NDManager.newBaseManager()) {
      assertThat(tower.config().tokens()).isEqualTo(16);
      SiglipVisionTower.Output out = tower.forward(io.load(m, "floor_pixel_values"), m);
      assertThat(maxAbsDiff(out.lastHiddenState().toFloatArray(), io.readFloats("floor_last_hidden_state")))
          .isLessThan(1e-4);
      assertThat(maxAbsDiff(out.pooled().toFloatArray(), io.readFloats("floor_pooler_output"))).isLessThan(1e-4);
    }
  }

  @Test
  void aPublishedPrefixedSiglipModelFileWithItsTextTowerLoadsAndAnExtraVisionTensorIsAnErrorNamingIt(
      @TempDir Path dir) throws Exception {
    Path folder = dir.resolve("siglip");
    Files.createDirectories(folder);
    Files.copy(path("siglip/config.json"), folder.resolve("config.json"));
    SafetensorsWriter w = new SafetensorsWriter();
    try (SafetensorsFile f = SafetensorsFile.open(path("siglip/model.safetensors"))) {
      for (TensorInfo t : f.tensors().values()) {
        w.addFloats(SiglipVisionTower.PREFIX + t.name(), DType.F16, t.shape(), f.readFloats(t.name()));
      }
    }
    w.addFloats("text_model.embeddings.token_embedding.weight", DType.F32, new long[] {2, 2}, new float[4]);
    w.addFloats("logit_scale", DType.F32, new long[] {1}, new float[1]);
    w.write(folder.resolve("model.safetensors"));
    try (SiglipVisionTower tower = SiglipVisionTower.fromFolder(folder, DataType.FLOAT32);
        SafetensorsFile io = SafetensorsFile.open(path("siglip_io.safetensors"));
        NDManager m = NDManager.newBaseManager()) {
      SiglipVisionTower.Output out = tower.forward(io.load(m, "pixel_values_bicubic_0"), m);
      assertThat(maxAbsDiff(out.pooled().toFloatArray(), io.readFloats("pooler_output_0"))).isLessThan(1e-4);
    }
    w.addFloats("vision_model.encoder.layers.7.extra", DType.F32, new long[] {1}, new float[1]);
    w.write(folder.resolve("model.safetensors"));
    assertThatThrownBy(() -> SiglipVisionTower.fromFolder(folder, DataType.FLOAT32))
        .isInstanceOf(WeightLoadException.class)
        .hasMessageContaining("unexpected 1 [vision_model.encoder.layers.7.extra]");
  }
}
