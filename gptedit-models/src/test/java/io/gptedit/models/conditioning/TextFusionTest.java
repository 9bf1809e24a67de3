package io.gptedit.models.conditioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gptedit.core.GpteditException;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.conditioning.TextFusion.Connector;
import io.gptedit.models.conditioning.TextFusion.Mode;
import io.gptedit.models.flow.SeededNoise;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.safetensors.DType;
import io.gptedit.models.safetensors.SafetensorsFile;
import io.gptedit.models.safetensors.SafetensorsWriter;
import io.gptedit.models.text.ByteTokenizer;
import io.gptedit.models.text.T5Config;
import io.gptedit.models.text.T5Encoder;
import io.gptedit.models.text.T5TextEncoder;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextFusionTest {
  static final int MLLM_DIM = 12;
  static final RgbImage IMAGE = RgbImage.filled(4, 4, 0x336699);
  static T5Encoder t5;

  @BeforeAll
  static void t5() {
    t5 = T5Encoder.random(T5Config.tiny(), 4);
  }

  @AfterAll
  static void close() {
    t5.close();
  }

  static TextFusion.Config config(Mode mode, Connector connector, boolean type, int queries) {
    return new TextFusion.Config(mode, connector, MLLM_DIM, 20, 32, 24, type, queries);
  }

  static TextFusion fusion(TextFusion.Config c, MllmHiddenStates mllm) {
    return new TextFusion(
        c, ModelWeights.random(TextFusion.spec(c), 3), new T5TextEncoder(t5, new ByteTokenizer(), 64, "t5-tiny", false),
        mllm);
  }

  static MllmHiddenStates mllm(int tokens) {
    return new QueryingMllm() {
      @Override
      public NDArray hiddenStates(RgbImage image, String instruction, NDManager m) {
        return SeededNoise.gaussian(m, instruction.hashCode(), new Shape(1, tokens, MLLM_DIM));
      }

      @Override
      public NDArray queryStates(
          java.util.List<RgbImage> images, java.util.List<String> instructions, NDArray queries, NDManager m) {
        // The queries' own rows plus noise: the states depend on the trainable queries, as a real MLLM's do.
        // First operand in m: nothing may attach to the (capped) parameters' manager.
        NDArray q = m.zeros(queries.getShape()).add(queries).get("0:" + Math.min(tokens, queries.getShape().get(0)));
        NDArray rows = tokens <= queries.getShape().get(0) ? q : q.concat(m.zeros(new Shape(tokens - q.getShape().get(0), MLLM_DIM)), 0);
        return rows.expandDims(0).repeat(0, images.size());
      }
    };
  }

  @Test
  void everyFusionGivesTextDimTokensAndZeroPooled() {
    try (NDManager m = NDManager.newBaseManager()) {
      int t5Tokens = new ByteTokenizer().encode("add a hat", 64).length;
      Object[][] cases = {
        {config(Mode.T5_ONLY, Connector.LINEAR, false, 0), t5Tokens},
        {config(Mode.MLLM_PROJECTION, Connector.LINEAR, false, 0), 7},
        {config(Mode.MLLM_PROJECTION, Connector.MLP, false, 0), 7},
        {config(Mode.MLLM_T5_CONCAT, Connector.MLP, true, 0), 7 + t5Tokens},
        {config(Mode.METAQUERY, Connector.MLP, false, 5), 5},
      };
      for (Object[] c : cases) {
        TextFusion.Config cfg = (TextFusion.Config) c[0];
        int tokens = cfg.mode() == Mode.METAQUERY ? 5 : 7;
        try (TextFusion f = fusion(cfg, mllm(tokens))) {
          f.parameters().freeze();
          TextConditioning out = f.encode(IMAGE, "add a hat", m);
          assertThat(out.tokens().getShape()).as(cfg.toString()).isEqualTo(new Shape(1, (int) c[1], 32));
          assertThat(out.pooled().getShape()).isEqualTo(new Shape(1, 24));
          assertThat(out.pooled().abs().sum().getFloat()).isZero();
        }
      }
    }
  }

  @Test
  void concatPutsProjectedMllmTokensFirstPlusTheirTypeRow() {
    try (NDManager m = NDManager.newBaseManager();
        TextFusion concat = fusion(config(Mode.MLLM_T5_CONCAT, Connector.LINEAR, true, 0), mllm(3));
        TextFusion t5only = fusion(config(Mode.T5_ONLY, Connector.LINEAR, false, 0), null)) {
      float[] both = concat.encode(IMAGE, "x", m).tokens().toFloatArray();
      float[] t5part = t5only.encode(IMAGE, "x", m).tokens().toFloatArray();
      float[] type = concat.parameters().get("type_embedding.weight").toFloatArray();
      NDArray hidden = mllm(3).hiddenStates(IMAGE, "x", m);
      NDArray w = concat.parameters().get("connector.0.weight");
      NDArray b = concat.parameters().get("connector.0.bias");
      float[] projected = hidden.matMul(w.transpose()).add(b).toFloatArray();
      for (int i = 0; i < 3 * 32; i++) {
        assertThat(both[i]).isCloseTo(projected[i] + type[i % 32], within(1e-5f));
      }
      for (int i = 0; i < t5part.length; i++) {
        assertThat(both[3 * 32 + i]).isCloseTo(t5part[i] + type[32 + i % 32], within(1e-5f));
      }
    }
  }

  @Test
  void metaQueryRejectsStatesThatAreNotAtTheQueryPositions() {
    try (NDManager m = NDManager.newBaseManager();
        TextFusion f = fusion(config(Mode.METAQUERY, Connector.MLP, false, 4), mllm(6))) {
      assertThat(f.parameters().get("meta_queries.weight").getShape()).isEqualTo(new Shape(4, MLLM_DIM));
      assertThatThrownBy(() -> f.encode(IMAGE, "x", m))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("4 query positions");
    }
  }

  @Test
  void precomputedHiddenStatesAreFoundByImageAndInstructionKey(@TempDir Path dir) {
    Path p = dir.resolve("mllm.safetensors");
    float[] v = SeededNoise.gaussian(1, 2 * MLLM_DIM);
    new SafetensorsWriter()
        .addFloats(PrecomputedHiddenStates.key(IMAGE, "make it red"), DType.BF16, new long[] {1, 2, MLLM_DIM}, v)
        .write(p);
    try (SafetensorsFile f = SafetensorsFile.open(p);
        NDManager m = NDManager.newBaseManager()) {
      PrecomputedHiddenStates states = new PrecomputedHiddenStates(f);
      assertThat(states.hiddenStates(IMAGE, "make it red", m).getShape()).isEqualTo(new Shape(1, 2, MLLM_DIM));
      assertThatThrownBy(() -> states.hiddenStates(IMAGE, "make it blue", m))
          .isInstanceOf(GpteditException.class)
          .hasMessageContaining("make it blue")
          .hasMessageContaining(p.toString());
    }
  }
}
