package io.gptedit.models.mllm;

import static io.gptedit.models.mllm.MllmFixtures.path;
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
 * The real config.json files of Qwen2.5-VL-7B-Instruct and the SigLIP so400m towers instantiate to the presets,
 * and their declared tensors are exactly the published checkpoints' (names and shapes listed by
 * tools/make_mllm_fixtures.py from the transformers classes on the meta device); missing or extra tensors are
 * errors naming them.
 */
class MllmCheckpointNamesTest {
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

  private static Map<String, String> declared(ParameterSpec spec, String prefix) {
    return spec.entries().values().stream().collect(Collectors.toMap(
        e -> prefix + e.name(),
        e -> Arrays.stream(e.shape().getShape()).mapToObj(Long::toString).collect(Collectors.joining(",")),
        (a, b) -> a, TreeMap::new));
  }

  @Test
  void qwen25Vl7bInstructConfigIsThePresetAndDeclaresExactlyThePublishedTensors() throws Exception {
    QwenVlConfig c = QwenVlConfig.fromTransformers(path("real_configs/qwen2_5_vl_7b_instruct/config.json"));
    assertThat(c).isEqualTo(QwenVlConfig.qwen25Vl7bInstruct());
    assertThat(c.text().headDim()).isEqualTo(128);
    assertThat(declared(QwenVlModel.spec(c), "")).isEqualTo(names("qwen2_5_vl_7b_instruct.txt")).hasSize(729);
  }

  @Test
  void siglipSo400mConfigsAreThePresetsAndDeclareExactlyThePublishedVisionTensors() throws Exception {
    SiglipVisionConfig p14 = SiglipVisionConfig.fromTransformers(
        path("real_configs/siglip_so400m_patch14_384/config.json"));
    assertThat(p14).isEqualTo(SiglipVisionConfig.so400mPatch14x384());
    assertThat(declared(SiglipVisionTower.spec(p14), SiglipVisionTower.PREFIX))
        .isEqualTo(names("siglip_so400m_patch14_384_vision.txt"));
    SiglipVisionConfig p16 = SiglipVisionConfig.fromTransformers(
        path("real_configs/siglip2_so400m_patch16_512/config.json"));
    assertThat(p16).isEqualTo(SiglipVisionConfig.so400mPatch16x512());
    assertThat(p16.tokens()).isEqualTo(1024);
    assertThat(declared(SiglipVisionTower.spec(p16), SiglipVisionTower.PREFIX))
        .isEqualTo(names("siglip2_so400m_patch16_512_vision.txt"));
  }

  @Test
  void theNestedTransformers5ConfigOfTheFixtureReadsItsSizes() {
    QwenVlConfig c = QwenVlConfig.fromTransformers(path("qwen/config.json"));
    assertThat(c.text().hiddenSize()).isEqualTo(32);
    assertThat(c.text().mropeSection()).containsExactly(2, 1, 1);
    assertThat(c.vision().fullAttentionBlocks()).containsExactly(1, 3);
    assertThat(c.imageTokenId()).isEqualTo(412);
  }

  /** Copies the fixture Qwen folder as two shards with an index, one tensor dropped and/or one added. */
  private static Path sharded(Path dir, String drop, String add) throws Exception {
    Path to = dir.resolve("qwen");
    Files.createDirectories(to);
    Files.copy(path("qwen/config.json"), to.resolve("config.json"));
    SafetensorsWriter vision = new SafetensorsWriter();
    SafetensorsWriter text = new SafetensorsWriter();
    StringBuilder index = new StringBuilder("{\"metadata\": {}, \"weight_map\": {");
    try (SafetensorsFile f = SafetensorsFile.open(path("qwen/model.safetensors"))) {
      for (TensorInfo t : f.tensors().values()) {
        if (t.name().equals(drop)) {
          continue;
        }
        boolean v = t.name().startsWith("visual.");
        (v ? vision : text).addFloats(t.name(), DType.F16, t.shape(), f.readFloats(t.name()));
        index.append('"').append(t.name()).append("\": \"model-0000").append(v ? 1 : 2).append("-of-00002.safetensors\",");
      }
    }
    if (add != null) {
      text.addFloats(add, DType.F32, new long[] {2}, new float[] {1, 2});
      index.append('"').append(add).append("\": \"model-00002-of-00002.safetensors\",");
    }
    index.setLength(index.length() - 1);
    index.append("}}");
    vision.write(to.resolve("model-00001-of-00002.safetensors"));
    text.write(to.resolve("model-00002-of-00002.safetensors"));
    Files.writeString(to.resolve("model.safetensors.index.json"), index.toString());
    return to;
  }

  @Test
  void aShardedIndexLoadsAndMissingOrExtraQwenTensorsAreErrorsNamingThem(@TempDir Path dir) throws Exception {
    try (QwenVlModel m = QwenVlModel.fromFolder(sharded(dir.resolve("ok"), null, null), DataType.FLOAT16)) {
      assertThat(m.parameters().has("visual.blocks.3.attn.qkv.weight")).isTrue();
      assertThat(m.parameters().has(QwenVlModel.LM_HEAD)).isFalse();
    }
    Path missing = sharded(dir.resolve("missing"), "visual.blocks.2.mlp.up_proj.bias", null);
    assertThatThrownBy(() -> QwenVlModel.fromFolder(missing, DataType.FLOAT32))
        .isInstanceOf(WeightLoadException.class)
        .hasMessageContaining("missing 1 [visual.blocks.2.mlp.up_proj.bias]")
        .hasMessageContaining("Qwen2_5_VLForConditionalGeneration");
    Path extra = sharded(dir.resolve("extra"), "lm_head.weight", "model.layers.5.self_attn.q_proj.weight");
    assertThatThrownBy(() -> QwenVlModel.fromFolder(extra, DataType.FLOAT32))
        .isInstanceOf(WeightLoadException.class)
        .hasMessageContaining("missing 1 [lm_head.weight]")
        .hasMessageContaining("unexpected 1 [model.layers.5.self_attn.q_proj.weight]");
  }

  @Test
  void aConfigOfAnotherModelOrActivationIsAnErrorNamingTheFile(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("config.json");
    Files.writeString(bad, Files.readString(path("real_configs/qwen2_5_vl_7b_instruct/config.json"))
        .replace("\"model_type\": \"qwen2_5_vl\"", "\"model_type\": \"qwen2_vl\""));
    assertThatThrownBy(() -> QwenVlConfig.fromTransformers(bad)).isInstanceOf(WeightLoadException.class)
        .hasMessageContaining(bad.toString()).hasMessageContaining("qwen2_vl");
    Files.writeString(bad, Files.readString(path("real_configs/siglip_so400m_patch14_384/config.json"))
        .replace("\"patch_size\": 14", "\"patch_size\": 400"));
    assertThatThrownBy(() -> SiglipVisionConfig.fromTransformers(bad)).isInstanceOf(WeightLoadException.class)
        .hasMessageContaining(bad.toString()).hasMessageContaining("patch 400");
  }
}
