package io.gptedit.models.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import org.junit.jupiter.api.Test;

class RandomOnEngineTest {
  private static final ParameterSpec SPEC = new ParameterSpec()
      .add("w", ParameterSpec.Init.FAN_IN, 256, 400)
      .add("b", ParameterSpec.Init.SMALL, 20_000)
      .add("scale", ParameterSpec.Init.NEAR_ONE, 20_000)
      .add("zero", ParameterSpec.Init.ZERO, 7);

  @Test
  void engineRandomWeightsFollowEachInitsDistributionInTheAskedTypeAndRepeatPerSeed() {
    for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT16}) {
      try (ModelWeights a = ModelWeights.randomOnEngine(SPEC, 5, Device.cpu(), type);
          ModelWeights b = ModelWeights.randomOnEngine(SPEC, 5, Device.cpu(), type);
          ModelWeights c = ModelWeights.randomOnEngine(SPEC, 6, Device.cpu(), type)) {
        for (String n : List.of("w", "b", "scale", "zero")) {
          assertThat(a.get(n).getDataType()).isEqualTo(type);
          assertThat(a.get(n).getShape()).isEqualTo(SPEC.entries().get(n).shape());
        }
        assertStats(a.get("w"), 0, 1 / Math.sqrt(400));
        assertStats(a.get("b"), 0, 0.02);
        assertStats(a.get("scale"), 1, 0.1);
        assertThat(a.get("zero").toType(DataType.FLOAT32, false).toFloatArray()).containsOnly(0f);
        assertThat(b.get("w").contentEquals(a.get("w"))).as("same seed, same values").isTrue();
        assertThat(c.get("w").contentEquals(a.get("w"))).as("another seed, other values").isFalse();
      }
    }
  }

  @Test
  void engineRandomWeightsRefuseAnIntegerType() {
    assertThatThrownBy(() -> ModelWeights.randomOnEngine(SPEC, 1, Device.cpu(), DataType.INT32))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("int32");
  }

  private static void assertStats(NDArray x, double mean, double std) {
    float[] v = x.toType(DataType.FLOAT32, false).toFloatArray();
    double s = 0;
    double s2 = 0;
    for (float f : v) {
      s += f;
      s2 += (double) f * f;
    }
    double m = s / v.length;
    double sd = Math.sqrt(s2 / v.length - m * m);
    assertThat(m).isCloseTo(mean, within(0.05 * std + 1e-3));
    assertThat(sd).isCloseTo(std, within(0.05 * std));
  }
}
