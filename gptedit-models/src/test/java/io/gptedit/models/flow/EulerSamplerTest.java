package io.gptedit.models.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EulerSamplerTest {
  @Test
  void eulerStepIsXPlusDtTimesVelocity() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x0 = m.create(new float[] {1, 2});
      // v = x: exact Euler product over the schedule 1 -> 0.5 -> 0.
      List<Integer> seen = new ArrayList<>();
      NDArray out =
          EulerSampler.sample(x0, new double[] {1, 0.5, 0}, (x, t, scope) -> x.mul(1), (s, n) -> seen.add(s));
      // x1 = x0 + (-0.5) x0 = 0.5 x0; x2 = 0.5 x1 * ... = 0.25 x0
      assertThat(out.toFloatArray()).containsExactly(new float[] {0.25f, 0.5f}, within(1e-7f));
      assertThat(seen).containsExactly(1, 2);
      assertThat(out.getManager()).isSameAs(m);
    }
  }

  @Test
  void seededNoiseIsIdenticalForTheSameSeed() {
    try (NDManager m = NDManager.newBaseManager()) {
      assertThat(SeededNoise.gaussian(m, 7, new Shape(3, 4)).toFloatArray())
          .containsExactly(SeededNoise.gaussian(m, 7, new Shape(3, 4)).toFloatArray());
      assertThat(SeededNoise.gaussian(8, 12)).isNotEqualTo(SeededNoise.gaussian(7, 12));
    }
  }
}
