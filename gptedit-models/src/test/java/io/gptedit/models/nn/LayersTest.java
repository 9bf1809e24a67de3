package io.gptedit.models.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
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

  /** The sigmoid form of the tanh GELU: same values and gradients as the tanh formula, tails included. */
  @Test
  void geluTanhInItsSigmoidFormMatchesTheTanhFormulaAndItsDerivativeFromMinus12To12() {
    int n = 2401;
    float[] xs = new float[n];
    for (int i = 0; i < n; i++) {
      xs[i] = -12f + 24f * i / (n - 1);
    }
    double c = Math.sqrt(2 / Math.PI);
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.create(xs);
      x.setRequiresGradient(true);
      float[] y;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray out = Layers.geluTanh(x);
        y = out.toFloatArray();
        gc.backward(out.sum());
      }
      float[] dy = x.getGradient().toFloatArray();
      for (int i = 0; i < n; i++) {
        double v = xs[i];
        double u = c * (v + 0.044715 * v * v * v);
        double t = Math.tanh(u);
        double want = 0.5 * v * (1 + t);
        double wantGrad = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * c * (1 + 3 * 0.044715 * v * v);
        assertThat((double) y[i]).as("gelu(%s)", v).isCloseTo(want, within(2e-6 + 1e-6 * Math.abs(want)));
        assertThat((double) dy[i]).as("gelu'(%s)", v).isCloseTo(wantGrad, within(1e-5));
      }
    }
  }

  @Test
  void aCachedScalarIsSharedTakesTheOperandsTypeAndOutlivesTheOperandsManager() {
    NDArray kept;
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.create(new float[] {1, 2});
      NDArray s = Layers.scalar(x, 0.25);
      assertThat(Layers.scalar(x, 0.25)).isSameAs(s);
      assertThat(s.getShape().isScalar()).isTrue();
      assertThat(s.getDataType()).isEqualTo(DataType.FLOAT32);
      NDArray half = x.toType(DataType.FLOAT16, false);
      assertThat(Layers.scalar(half, 0.25).getDataType()).isEqualTo(DataType.FLOAT16);
      NDArray y = x.mul(s);
      assertThat(y.getManager()).isSameAs(m);
      assertThat(y.toFloatArray()).containsExactly(0.25f, 0.5f);
      kept = s;
    }
    assertThat(kept.toFloatArray()).containsExactly(0.25f); // the operand's manager is closed; the constant lives
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
