package io.gptedit.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EditMaskEdgesTest {
  @Test
  void aSquareOnAPlainBackgroundMarksItsPixelsAndTheRingAroundItButNotTheFlatBackground() {
    byte[] px = new byte[8 * 8 * 3];
    java.util.Arrays.fill(px, (byte) 200);
    for (int y = 3; y <= 4; y++) {
      for (int x = 3; x <= 4; x++) {
        int i = (y * 8 + x) * 3;
        px[i] = 20;
      }
    }
    EditMask m = EditMask.edges(RgbImage.of(8, 8, px), 24);
    // the 2x2 square and its one-pixel ring: a 4x4 block from (2, 2) to (5, 5)
    assertThat(m.count()).isEqualTo(16);
    assertThat(m.contains(3, 3)).isTrue();
    assertThat(m.contains(2, 2)).isTrue();
    assertThat(m.contains(5, 5)).isTrue();
    assertThat(m.contains(1, 1)).isFalse();
    assertThat(m.contains(6, 6)).isFalse();
  }

  @Test
  void differencesWithinTheToleranceAreNoEdgeAndAFlatImageHasNone() {
    byte[] px = new byte[4 * 4 * 3];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) (100 + (i % 2) * 10);
    }
    assertThat(EditMask.edges(RgbImage.of(4, 4, px), 10).count()).isZero();
    assertThat(EditMask.edges(RgbImage.of(4, 4, px), 9).count()).isEqualTo(16);
    assertThatThrownBy(() -> EditMask.edges(RgbImage.of(4, 4, px), 256)).isInstanceOf(IllegalArgumentException.class);
  }
}
