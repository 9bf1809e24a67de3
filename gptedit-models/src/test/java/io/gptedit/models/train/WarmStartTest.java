package io.gptedit.models.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gptedit.core.GpteditException;
import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.flux.FluxInput;
import io.gptedit.models.flux.FluxTransformer;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Starting a model from a pretrained base: copies, InstructPix2Pix's zero-widened input, kept new parts. */
class WarmStartTest {
  private static FluxConfig config(int in) {
    return new FluxConfig(in, 16, 1, 1, 2, 16, 32, 24, true, new int[] {4, 6, 6}, 10000, 4);
  }

  private static NDArray random(NDManager m, Random r, long... shape) {
    Shape s = new Shape(shape);
    float[] v = new float[Math.toIntExact(s.size())];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return m.create(v, s);
  }

  @Test
  void aChannelWiseModelWidenedFromItsBaseComputesExactlyWhatTheBaseComputesWhateverTheNewInput() {
    try (FluxTransformer base = FluxTransformer.random(config(16), 1);
        FluxTransformer wide = FluxTransformer.random(config(32), 9);
        NDManager m = NDManager.newBaseManager()) {
      NDArray before = wide.parameters().get("x_embedder.weight");
      WarmStart.Report r = WarmStart.apply(base.parameters().asMap(), wide.parameters().asMap());
      assertThat(r.widened()).containsExactly("x_embedder.weight");
      assertThat(r.copied()).hasSize(base.parameters().asMap().size() - 1);
      assertThat(r.kept()).isEmpty();
      assertThat(r.unused()).isEmpty();
      // In place: the model's own arrays now hold the base's values, the new columns zero.
      assertThat(wide.parameters().get("x_embedder.weight")).isSameAs(before);
      float[] w = before.toFloatArray();
      float[] b = base.parameters().get("x_embedder.weight").toFloatArray();
      for (int row = 0; row < 32; row++) {
        for (int col = 0; col < 32; col++) {
          assertThat(w[row * 32 + col]).isEqualTo(col < 16 ? b[row * 16 + col] : 0f);
        }
      }

      Random rnd = new Random(5);
      int n = 6;
      int[][] imageIds = new int[n][];
      for (int i = 0; i < n; i++) {
        imageIds[i] = new int[] {0, i / 3, i % 3};
      }
      int[][] textIds = new int[4][3];
      NDArray noisy = random(m, rnd, 2, n, 16);
      NDArray text = random(m, rnd, 2, 4, 32);
      NDArray pooled = random(m, rnd, 2, 24);
      float[] t = {0.3f, 0.8f};
      float[] g = {1f, 1f};
      float[] expected =
          base.forward(new FluxInput(noisy, text, pooled, t, g, imageIds, textIds), m).toFloatArray();
      for (int trial = 0; trial < 2; trial++) {
        NDArray condition = random(m, rnd, 2, n, 16).mul(trial == 0 ? 1 : 100);
        float[] actual =
            wide.forward(new FluxInput(noisy.concat(condition, 2), text, pooled, t, g, imageIds, textIds), m)
                .toFloatArray();
        assertThat(actual).containsExactly(expected, org.assertj.core.data.Offset.offset(1e-5f));
      }
    }
  }

  @Test
  void partsTheBaseLacksKeepTheirInitialisationAndABaseOfAnotherModelIsRefused() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray shared = m.create(new float[] {1, 2, 3});
      NDArray projector = m.create(new float[] {7, 7});
      NDArray base = m.create(new float[] {4, 5, 6});
      NDArray odd = m.create(new float[] {9, 9, 9, 9});
      WarmStart.Report r =
          WarmStart.apply(
              Map.of("block.weight", base, "other.weight", odd),
              new java.util.LinkedHashMap<>(Map.of("block.weight", shared, "projector.weight", projector)));
      assertThat(r.copied()).containsExactly("block.weight");
      assertThat(r.kept()).containsExactly("projector.weight");
      assertThat(r.unused()).containsExactly("other.weight");
      assertThat(shared.toFloatArray()).containsExactly(4, 5, 6);
      assertThat(projector.toFloatArray()).containsExactly(7, 7);
      assertThat(r.summary()).isEqualTo("1 copied, 0 widened, 1 kept [projector.weight], 1 unused [other.weight]");

      assertThatThrownBy(() -> WarmStart.apply(Map.of("other.weight", odd), Map.of("block.weight", shared)))
          .isInstanceOf(GpteditException.class)
          .hasMessageContaining("the base has no parameter of the target's names and shapes");
    }
  }
}
