package io.gptedit.models.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class LayersTest {
  @Test
  void modulationIsXTimesOnePlusScalePlusShiftPerSample() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.create(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, new Shape(2, 2, 2));
      NDArray shift = m.create(new float[] {10, 20, 30, 40}, new Shape(2, 2));
      NDArray scale = m.create(new float[] {1, 0, -1, 0.5f}, new Shape(2, 2));
      // sample 0: x*(2,1)+(10,20); sample 1: x*(0,1.5)+(30,40)
      assertThat(Layers.modulate(x, shift, scale).toFloatArray())
          .containsExactly(12, 22, 16, 24, 30, 49, 30, 52);
    }
  }

  @Test
  void timestepEmbeddingPutsCosineFirst() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] e = Layers.timestepEmbedding(m, new float[] {500f}, 8).toFloatArray();
      // half 4: freqs exp(-ln(1e4) j / 4) = 1, 0.1, 0.01, 0.001
      double[] f = {1, 0.1, 0.01, 0.001};
      for (int j = 0; j < 4; j++) {
        assertThat(e[j]).isCloseTo((float) Math.cos(500 * f[j]), within(2e-4f));
        assertThat(e[4 + j]).isCloseTo((float) Math.sin(500 * f[j]), within(2e-4f));
      }
    }
  }

  @Test
  void normsAndActivationsMatchFormulas() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.create(new float[] {1, 2, 3, 6}, new Shape(1, 4));
      float[] ln = Layers.layerNorm(x, 0).toFloatArray();
      double sd = Math.sqrt((4 + 1 + 0 + 9) / 4.0);
      assertThat(ln).containsExactly(new float[] {(float) (-2 / sd), (float) (-1 / sd), 0, (float) (3 / sd)}, within(1e-6f));
      NDArray w = m.create(new float[] {1, 1, 2, 2});
      float[] rms = Layers.rmsNorm(x, w, 0).toFloatArray();
      double r = Math.sqrt((1 + 4 + 9 + 36) / 4.0);
      assertThat(rms[3]).isCloseTo((float) (12 / r), within(1e-5f));
      float g = Layers.geluTanh(m.create(new float[] {1f})).toFloatArray()[0];
      assertThat(g).isCloseTo((float) (0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * 1.044715))), within(1e-6f));
      assertThat(Layers.silu(m.create(new float[] {2f})).toFloatArray()[0])
          .isCloseTo((float) (2 / (1 + Math.exp(-2))), within(1e-6f));
    }
  }

  @Test
  void chunkedAttentionEqualsFullAttention() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray q = m.randomNormal(new Shape(1, 2, 7, 4));
      NDArray k = m.randomNormal(new Shape(1, 2, 7, 4));
      NDArray v = m.randomNormal(new Shape(1, 2, 7, 4));
      float[] full = Layers.attention(q, k, v, 1000).toFloatArray();
      float[] chunked = Layers.attention(q, k, v, 3).toFloatArray();
      assertThat(chunked).containsExactly(full, within(1e-6f));
    }
  }
}
