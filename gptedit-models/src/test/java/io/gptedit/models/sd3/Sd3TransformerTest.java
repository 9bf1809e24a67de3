package io.gptedit.models.sd3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gptedit.models.flow.SeededNoise;
import io.gptedit.models.safetensors.SafetensorsFile;
import org.junit.jupiter.api.Test;

class Sd3TransformerTest {
  @Test
  void tinySd3ReproducesPytorchReferenceWithin1e4() throws Exception {
    java.nio.file.Path dir =
        java.nio.file.Path.of(Sd3TransformerTest.class.getResource("/io/gptedit/models/fixtures").toURI());
    try (SafetensorsFile w = SafetensorsFile.open(dir.resolve("sd3_tiny_weights.safetensors"));
        SafetensorsFile io = SafetensorsFile.open(dir.resolve("sd3_tiny_io.safetensors"));
        Sd3Transformer model = Sd3Transformer.load(Sd3Config.tinyInstructPix2Pix(), java.util.List.of(w), "");
        NDManager m = NDManager.newBaseManager()) {
      model.parameters().freeze();
      NDArray out =
          model.forward(io.load(m, "latents"), io.load(m, "text"), io.load(m, "pooled"), io.readFloats("sigma"), m);
      float[] e = io.readFloats("output");
      float[] a = out.toFloatArray();
      assertThat(out.getShape().getShape()).containsExactly(io.info("output").shape());
      double max = 0;
      for (int i = 0; i < e.length; i++) {
        max = Math.max(max, Math.abs(e[i] - a[i]));
      }
      assertThat(max).isLessThan(1e-4);
    }
  }

  @Test
  void forwardKeepsTheLatentGridAndOutputsOutChannels() {
    Sd3Config c = Sd3Config.tinyInstructPix2Pix();
    try (Sd3Transformer model = Sd3Transformer.random(c, 1);
        NDManager m = NDManager.newBaseManager()) {
      model.parameters().freeze();
      NDArray out =
          model.forward(
              SeededNoise.gaussian(m, 1, new Shape(2, 8, 6, 4)),
              SeededNoise.gaussian(m, 2, new Shape(2, 5, 32)),
              SeededNoise.gaussian(m, 3, new Shape(2, 24)),
              new float[] {0.3f, 0.9f},
              m);
      assertThat(out.getShape()).isEqualTo(new Shape(2, 4, 6, 4));
    }
  }

  @Test
  void positionEmbeddingIsTheCentreCropOfTheScaledSinCosGrid() {
    Sd3Config c = Sd3Config.tinyInstructPix2Pix(); // hidden 16, base 8/2 = 4, max 16 -> scale 4/16
    try (Sd3Transformer model = Sd3Transformer.random(c, 1)) {
      float[][] pe = model.positionEmbedding(2, 4);
      // Grid 2x4 cropped from 16x16: top = 7, left = 6; token (1, 2) is at grid row 8, column 8.
      float[] e = pe[1 * 4 + 2];
      double row = 8 * 0.25;
      double col = 8 * 0.25;
      // quarter = 4: omega_j = 10000^(-j/4).
      for (int j = 0; j < 4; j++) {
        double omega = Math.pow(10000, -j / 4.0);
        assertThat(e[j]).isCloseTo((float) Math.sin(col * omega), within(1e-6f));
        assertThat(e[4 + j]).isCloseTo((float) Math.cos(col * omega), within(1e-6f));
        assertThat(e[8 + j]).isCloseTo((float) Math.sin(row * omega), within(1e-6f));
        assertThat(e[12 + j]).isCloseTo((float) Math.cos(row * omega), within(1e-6f));
      }
      float[] first = pe[0]; // grid row 7, column 6
      assertThat(first[0]).isCloseTo((float) Math.sin(6 * 0.25), within(1e-6f));
      assertThat(first[8]).isCloseTo((float) Math.sin(7 * 0.25), within(1e-6f));
    }
  }

  @Test
  void lastBlockIsContextPreOnlyAndRealPresetHasTwoBillionParameters() {
    var spec = Sd3Transformer.spec(Sd3Config.sd3Medium());
    assertThat(spec.entries()).containsKey("transformer_blocks.22.attn.to_add_out.weight");
    assertThat(spec.entries()).doesNotContainKey("transformer_blocks.23.attn.to_add_out.weight");
    assertThat(spec.entries().get("transformer_blocks.23.norm1_context.linear.weight").shape())
        .isEqualTo(new Shape(2 * 1536, 1536));
    assertThat(spec.parameterCount()).isBetween(2_000_000_000L, 2_100_000_000L);
    assertThat(Sd3Transformer.spec(Sd3Config.sd3MediumInstructPix2Pix()).entries().get("pos_embed.proj.weight").shape())
        .isEqualTo(new Shape(1536, 32, 2, 2));
  }
}
