package io.gptedit.models.mllm;

import static io.gptedit.models.mllm.MllmFixtures.maxAbsDiff;
import static io.gptedit.models.mllm.MllmFixtures.path;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.safetensors.SafetensorsFile;
import io.gptedit.models.text.JsonTokenizer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Qwen2.5-VL against transformers' Qwen2_5_VLForConditionalGeneration and its processor steps
 * (tools/make_mllm_fixtures.py) on two image + instruction prompts: the chat text, ids, pixel_values, M-RoPE
 * position ids, the vision tower's merged embeddings (windowed and full attention) and the language model's last
 * hidden state, within 1e-4 in float32.
 */
class QwenVlModelTest {
  private static JsonNode cases(SafetensorsFile io) throws Exception {
    return new ObjectMapper().readTree(io.metadata().get("cases"));
  }

  private static int[] ints(long[] v) {
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Math.toIntExact(v[i]);
    }
    return out;
  }

  @Test
  void promptIdsPixelsAndMropePositionsEqualTheProcessorAndGetRopeIndex() throws Exception {
    QwenVlConfig config = QwenVlConfig.fromTransformers(path("qwen/config.json"));
    QwenVlImageProcessor processor = QwenVlImageProcessor.fromFile(path("qwen/preprocessor_config.json"));
    try (SafetensorsFile io = SafetensorsFile.open(path("qwen_io.safetensors"));
        JsonTokenizer tokenizer = JsonTokenizer.fromFolder(path("qwen"))) {
      JsonNode cases = cases(io);
      for (int c = 0; c < cases.size(); c++) {
        String p = "case" + c + "_";
        String instruction = cases.get(c).get("instruction").asText();
        assertThat(QwenVlPrompt.chatText(instruction, 1, QwenVlPrompt.Layout.CHAT)).isEqualTo(cases.get(c).get("text").asText());
        RgbImage image = MllmFixtures.image(io, p + "image");
        QwenVlPixels pixels = processor.preprocess(image);
        assertThat(maxAbsDiff(pixels.pixelValues(), io.readFloats(p + "pixel_values"))).isLessThan(1e-6);
        assertThat(new long[] {pixels.gridT(), pixels.gridH(), pixels.gridW()})
            .containsExactly(MllmFixtures.longs(io, p + "grid_thw"));
        QwenVlPrompt prompt = QwenVlPrompt.build(tokenizer, config, instruction, List.of(pixels), QwenVlPrompt.Layout.CHAT);
        assertThat(prompt.ids()).as("ids of case %s", c).containsExactly(ints(MllmFixtures.longs(io, p + "input_ids")));
        int[] flat = ints(MllmFixtures.longs(io, p + "position_ids"));
        int len = prompt.ids().length;
        for (int a = 0; a < 3; a++) {
          assertThat(prompt.positionIds()[a]).as("axis %s of case %s", a, c)
              .containsExactly(java.util.Arrays.copyOfRange(flat, a * len, (a + 1) * len));
        }
      }
    }
  }

  @Test
  void visionTowerAndLanguageModelMatchTransformersWithin1e4InFloat32AndFromFloat16Storage() throws Exception {
    QwenVlImageProcessor processor = QwenVlImageProcessor.fromFile(path("qwen/preprocessor_config.json"));
    for (DataType storage : new DataType[] {DataType.FLOAT32, DataType.FLOAT16}) {
      try (QwenVlModel model = QwenVlModel.fromFolder(path("qwen"), storage);
          SafetensorsFile io = SafetensorsFile.open(path("qwen_io.safetensors"));
          JsonTokenizer tokenizer = JsonTokenizer.fromFolder(path("qwen"));
          NDManager m = NDManager.newBaseManager()) {
        JsonNode cases = cases(io);
        for (int c = 0; c < cases.size(); c++) {
          String p = "case" + c + "_";
          QwenVlPixels pixels = processor.preprocess(MllmFixtures.image(io, p + "image"));
          NDArray embeds = model.imageEmbeddings(pixels, m);
          assertThat(maxAbsDiff(embeds.toFloatArray(), io.readFloats(p + "image_embeds")))
              .as("image embeddings of case %s", c).isLessThan(1e-4);
          QwenVlPrompt prompt = QwenVlPrompt.build(tokenizer, model.config(),
              cases.get(c).get("instruction").asText(), List.of(pixels), QwenVlPrompt.Layout.CHAT);
          NDArray hidden = model.hiddenStates(prompt, List.of(pixels), m);
          assertThat(hidden.getShape().get(1)).isEqualTo(prompt.ids().length);
          assertThat(maxAbsDiff(hidden.toFloatArray(), io.readFloats(p + "last_hidden_state")))
              .as("last hidden state of case %s (%s)", c, storage).isLessThan(1e-4);
        }
      }
    }
  }

  @Test
  void metaQueryStatesOfAppendedQueriesMatchTransformersAndTheirGradientsReachTheQueries() throws Exception {
    try (QwenVlEncoder encoder = QwenVlEncoder.fromFolder(path("qwen"), DataType.FLOAT32, QwenVlPrompt.Layout.CHAT);
        SafetensorsFile io = SafetensorsFile.open(path("qwen_io.safetensors"));
        NDManager m = NDManager.newBaseManager()) {
      JsonNode cases = cases(io);
      for (int c = 0; c < cases.size(); c++) {
        String p = "case" + c + "_";
        NDArray queries = io.load(m, p + "queries");
        NDArray states = encoder.queryStates(List.of(MllmFixtures.image(io, p + "image")),
            List.of(cases.get(c).get("instruction").asText()), queries, m);
        assertThat(states.getShape().getShape()).containsExactly(1, 3, 32);
        assertThat(maxAbsDiff(states.toFloatArray(), io.readFloats(p + "query_states"))).isLessThan(1e-4);
      }
      NDArray queries = io.load(m, "case0_queries");
      queries.setRequiresGradient(true);
      try (ai.djl.training.GradientCollector g = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
        NDArray states = encoder.queryStates(List.of(MllmFixtures.image(io, "case0_image")),
            List.of("make the sky pink"), queries, m);
        g.backward(states.square().sum());
      }
      float[] grad = queries.getGradient().toFloatArray();
      assertThat(grad).hasSize(3 * 32);
      double norm = 0;
      for (float v : grad) {
        norm += v * v;
      }
      assertThat(norm).as("gradients reach the queries through the frozen model").isGreaterThan(1e-8);
    }
  }
}
