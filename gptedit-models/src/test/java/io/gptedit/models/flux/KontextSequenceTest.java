package io.gptedit.models.flux;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class KontextSequenceTest {
  @Test
  void noisyTokensComeFirstWithAxisZeroThenConditionTokensWithAxisOne() {
    KontextSequence seq = KontextSequence.of(4, 6, 2, 4); // noisy grid 2x3, condition grid 1x2
    int[][] ids = seq.imageIds();
    assertThat(seq.noisyTokens()).isEqualTo(6);
    int[][] expected = {
      {0, 0, 0}, {0, 0, 1}, {0, 0, 2}, {0, 1, 0}, {0, 1, 1}, {0, 1, 2}, {1, 0, 0}, {1, 0, 1}
    };
    assertThat(ids).isDeepEqualTo(expected);
  }

  @Test
  void joinConcatenatesTokensAndNoisyPartSlicesThemBackElementByElement() {
    KontextSequence seq = KontextSequence.of(2, 4, 2, 2); // 2 noisy tokens, 1 condition token
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray noisy = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 2, 2));
      NDArray cond = m.create(new float[] {9, 8}, new Shape(1, 1, 2));
      NDArray joined = seq.join(noisy, cond);
      assertThat(joined.toFloatArray()).containsExactly(1, 2, 3, 4, 9, 8);
      assertThat(seq.noisyPart(joined).toFloatArray()).containsExactly(1, 2, 3, 4);
      assertThat(seq.noisyPart(joined).getShape()).isEqualTo(new Shape(1, 2, 2));
    }
  }
}
