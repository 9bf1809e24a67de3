package io.gptedit.models.text;

import static io.gptedit.models.text.TextFixtures.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
import io.gptedit.models.nn.ParameterSpec;
import io.gptedit.models.nn.WeightLoadException;
import io.gptedit.models.safetensors.DType;
import io.gptedit.models.safetensors.SafetensorsFile;
import io.gptedit.models.safetensors.SafetensorsWriter;
import io.gptedit.models.safetensors.TensorInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real CLIP-L, bigG and T5-XXL config.json files instantiate to the presets, and their declared tensors are
 * exactly the published checkpoints' (names and shapes listed by tools/make_text_fixtures.py from the real models
 * on the meta device); a missing or extra tensor is an error naming it.
 */
class TextCheckpointNamesTest {
  /** "name -> shape" of a names list. */
  private static Map<String, String> names(String file) throws Exception {
    Map<String, String> out = new TreeMap<>();
    for (String line : Files.readAllLines(path("names/" + file))) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      String[] parts = line.split("\t");
      out.put(parts[0], parts[1]);
    }
    return out;
  }

  private static Map<String, String> declared(ParameterSpec spec) {
    return spec.entries().values().stream().collect(Collectors.toMap(
        ParameterSpec.Entry::name,
        e -> Arrays.stream(e.shape().getShape()).mapToObj(Long::toString).collect(Collectors.joining(",")),
        (a, b) -> a, TreeMap::new));
  }

  private static Path realConfig(String folder) {
    return path("real_configs/" + folder + "/config.json");
  }

  @Test
  void fluxClipLConfigIsThePresetAndDeclaresExactlyThePublishedTensors() throws Exception {
    ClipTextConfig c = ClipTextConfig.fromTransformers(realConfig("flux_text_encoder"));
    assertThat(c).isEqualTo(ClipTextConfig.clipL());
    assertThat(declared(ClipTextEncoder.spec(c))).isEqualTo(names("flux_text_encoder.txt")).hasSize(196);
    assertThat(c.pooledDim()).isEqualTo(768);
  }

  @Test
  void sd3ClipLWithProjectionConfigIsThePresetAndDeclaresExactlyThePublishedTensors() throws Exception {
    ClipTextConfig c = ClipTextConfig.fromTransformers(realConfig("sd3_text_encoder"));
    assertThat(c).isEqualTo(ClipTextConfig.clipLWithProjection());
    assertThat(declared(ClipTextEncoder.spec(c))).isEqualTo(names("sd3_text_encoder.txt"));
  }

  @Test
  void sd3BigGConfigIsThePresetAndDeclaresExactlyThePublishedTensors() throws Exception {
    ClipTextConfig c = ClipTextConfig.fromTransformers(realConfig("sd3_text_encoder_2"));
    assertThat(c).isEqualTo(ClipTextConfig.bigG());
    assertThat(declared(ClipTextEncoder.spec(c))).isEqualTo(names("sd3_text_encoder_2.txt"));
    assertThat(c.pooledDim()).isEqualTo(1280);
  }

  @Test
  void t5XxlConfigIsThePresetAndDeclaresThePublishedTensorsLessTheTiedEmbeddingCopy() throws Exception {
    T5Config c = T5Config.fromTransformers(realConfig("flux_text_encoder_2"));
    assertThat(c).isEqualTo(T5Config.xxl());
    Map<String, String> published = names("flux_text_encoder_2.txt");
    assertThat(published.remove("encoder.embed_tokens.weight")).isEqualTo(published.get("shared.weight"));
    assertThat(declared(T5Encoder.spec(c))).isEqualTo(published);
  }

  @Test
  void aConfigOfAnotherArchitectureIsAWeightLoadExceptionNamingTheFile(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("config.json");
    Files.writeString(bad, Files.readString(realConfig("flux_text_encoder")).replace("CLIPTextModel", "BertModel"));
    assertThatThrownBy(() -> ClipTextConfig.fromTransformers(bad)).isInstanceOf(WeightLoadException.class)
        .hasMessageContaining(bad.toString()).hasMessageContaining("BertModel");
    Files.writeString(bad, Files.readString(realConfig("flux_text_encoder_2")).replace("gated-gelu", "relu"));
    assertThatThrownBy(() -> T5Config.fromTransformers(bad)).isInstanceOf(WeightLoadException.class)
        .hasMessageContaining("feed_forward_proj");
  }

  /** Copies a fixture model folder with one tensor dropped and/or one added. */
  private static Path edited(Path dir, String folder, String drop, String add) throws Exception {
    Path to = dir.resolve(folder);
    Files.createDirectories(to);
    Files.copy(path(folder + "/config.json"), to.resolve("config.json"));
    SafetensorsWriter w = new SafetensorsWriter();
    try (SafetensorsFile f = SafetensorsFile.open(path(folder + "/model.safetensors"))) {
      for (TensorInfo t : f.tensors().values()) {
        if (!t.name().equals(drop)) {
          w.addFloats(t.name(), DType.F16, t.shape(), f.readFloats(t.name()));
        }
      }
    }
    if (add != null) {
      w.addFloats(add, DType.F32, new long[] {2}, new float[] {1, 2});
    }
    w.write(to.resolve("model.safetensors"));
    return to;
  }

  @Test
  void aMissingClipTensorIsAnErrorNamingIt(@TempDir Path dir) throws Exception {
    Path folder = edited(dir, "text_encoder_clip_l_proj", "text_model.encoder.layers.1.mlp.fc2.bias", null);
    assertThatThrownBy(() -> ClipTextEncoder.fromFolder(folder, DataType.FLOAT32))
        .isInstanceOf(WeightLoadException.class)
        .hasMessageContaining("missing 1 [text_model.encoder.layers.1.mlp.fc2.bias]")
        .hasMessageContaining("unexpected 0 []").hasMessageContaining("CLIPTextModelWithProjection");
  }

  @Test
  void anUnexpectedClipTensorIsAnErrorNamingIt(@TempDir Path dir) throws Exception {
    Path folder = edited(dir, "text_encoder_clip_l_proj", null, "text_model.encoder.layers.9.extra");
    assertThatThrownBy(() -> ClipTextEncoder.fromFolder(folder, DataType.FLOAT32))
        .isInstanceOf(WeightLoadException.class)
        .hasMessageContaining("unexpected 1 [text_model.encoder.layers.9.extra]");
  }

  @Test
  void missingAndUnexpectedT5TensorsAreAnErrorNamingThem(@TempDir Path dir) throws Exception {
    Path folder = edited(dir, "text_encoder_t5", "encoder.block.1.layer.1.DenseReluDense.wi_0.weight",
        "decoder.block.0.layer.0.SelfAttention.q.weight");
    assertThatThrownBy(() -> T5Encoder.fromFolder(folder, DataType.FLOAT32)).isInstanceOf(WeightLoadException.class)
        .hasMessageContaining("encoder.block.1.layer.1.DenseReluDense.wi_0.weight")
        .hasMessageContaining("decoder.block.0.layer.0.SelfAttention.q.weight");
  }

  @Test
  void theTiedT5EmbeddingCopyAndTheOldClipPositionIdsAreAccepted(@TempDir Path dir) throws Exception {
    Path t5 = edited(dir, "text_encoder_t5", null, null);
    SafetensorsWriter w = new SafetensorsWriter();
    try (SafetensorsFile f = SafetensorsFile.open(path("text_encoder_t5/model.safetensors"))) {
      for (TensorInfo t : f.tensors().values()) {
        w.addFloats(t.name(), DType.F16, t.shape(), f.readFloats(t.name()));
      }
      w.addFloats("encoder.embed_tokens.weight", DType.F16, f.info("shared.weight").shape(),
          f.readFloats("shared.weight"));
    }
    w.write(t5.resolve("model.safetensors"));
    try (T5Encoder e = T5Encoder.fromFolder(t5, DataType.FLOAT32)) {
      assertThat(e.config().dModel()).isEqualTo(16);
    }
    Path clip = edited(dir, "text_encoder_clip_l", null, "embeddings.position_ids");
    try (ClipTextEncoder e = ClipTextEncoder.fromFolder(clip, DataType.FLOAT32)) {
      assertThat(e.config().hiddenSize()).isEqualTo(8);
    }
  }

  @Test
  void aFolderWithoutWeightsOrConfigIsAnErrorNamingTheFolder(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> ClipTextEncoder.fromFolder(dir, DataType.FLOAT32))
        .isInstanceOf(WeightLoadException.class).hasMessageContaining(dir.toString())
        .hasMessageContaining("config.json");
    Files.copy(path("text_encoder_t5/config.json"), dir.resolve("config.json"));
    assertThatThrownBy(() -> T5Encoder.fromFolder(dir, DataType.FLOAT32))
        .isInstanceOf(WeightLoadException.class).hasMessageContaining("model.safetensors");
  }
}
