package io.gptedit.models.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class RopeTest {
  @Test
  void anglesFollowPerAxisFrequenciesByHand() {
    // axes (2, 4): axis 0 has freq 1; axis 1 has freqs 1 and 10000^(-2/4) = 0.01.
    double[][] a = Rope.angles(new int[][] {{3, 5}}, new int[] {2, 4}, 10000);
    assertThat(a[0]).containsExactly(new double[] {3.0, 5.0, 0.05}, within(1e-12));
  }

  @Test
  void rotationActsOnAdjacentPairsByHand() {
    try (NDManager m = NDManager.newBaseManager()) {
      // One token, ids (1, 0): axis 0 (2 channels) rotates by 1 rad; axis 1 (2 channels) by 0.
      NDArray[] cs = Rope.cosSin(m, new int[][] {{1, 0}}, new int[] {2, 2}, 10000);
      NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 1, 4));
      float[] r = Rope.apply(x, cs[0], cs[1]).toFloatArray();
      double c = Math.cos(1);
      double s = Math.sin(1);
      assertThat(r[0]).isCloseTo((float) (1 * c - 2 * s), within(1e-6f));
      assertThat(r[1]).isCloseTo((float) (2 * c + 1 * s), within(1e-6f));
      assertThat(r[2]).isCloseTo(3f, within(1e-6f));
      assertThat(r[3]).isCloseTo(4f, within(1e-6f));
    }
  }

  @Test
  void fluxRealAxesGiveOneHundredTwentyEightChannels() {
    double[][] a = Rope.angles(new int[][] {{0, 2, 7}}, new int[] {16, 56, 56}, 10000);
    assertThat(a[0]).hasSize(64);
    assertThat(a[0][0]).isZero();
    assertThat(a[0][8]).isEqualTo(2.0); // first frequency of axis 1 is 1
    assertThat(a[0][9]).isCloseTo(2 * Math.pow(10000, -2.0 / 56), within(1e-12));
    assertThat(a[0][36]).isEqualTo(7.0); // first frequency of axis 2
  }
}
