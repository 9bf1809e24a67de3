package io.gptedit.models.flux;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class LatentPackingTest {
  @Test
  void packedFeatureIndexIsChannelTimesFourPlusPatchRowTimesTwoPlusPatchColumn() {
    int b = 1;
    int c = 3;
    int h = 4;
    int w = 6;
    float[] v = new float[b * c * h * w];
    for (int ci = 0; ci < c; ci++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          v[(ci * h + y) * w + x] = ci * 10000 + y * 100 + x;
        }
      }
    }
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray lat = m.create(v, new Shape(b, c, h, w));
      NDArray tokens = LatentPacking.pack(lat);
      assertThat(tokens.getShape()).isEqualTo(new Shape(1, 6, 12));
      float[] t = tokens.toFloatArray();
      for (int r = 0; r < 2; r++) {
        for (int col = 0; col < 3; col++) {
          for (int ci = 0; ci < c; ci++) {
            for (int ph = 0; ph < 2; ph++) {
              for (int pw = 0; pw < 2; pw++) {
                float expected = ci * 10000 + (2 * r + ph) * 100 + (2 * col + pw);
                assertThat(t[(r * 3 + col) * 12 + ci * 4 + ph * 2 + pw]).isEqualTo(expected);
              }
            }
          }
        }
      }
      assertThat(LatentPacking.unpack(tokens, h, w).toFloatArray()).containsExactly(v);
    }
  }

  @Test
  void imageIdsAreRowMajorWithAxisZeroTag() {
    int[][] ids = LatentPacking.imageIds(1, 2, 3);
    assertThat(ids).hasDimensions(6, 3);
    assertThat(ids[0]).containsExactly(1, 0, 0);
    assertThat(ids[2]).containsExactly(1, 0, 2);
    assertThat(ids[3]).containsExactly(1, 1, 0);
    assertThat(ids[5]).containsExactly(1, 1, 2);
  }
}
