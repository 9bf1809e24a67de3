package io.gptedit.models.flux;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.gptedit.models.safetensors.SafetensorsFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FluxHalfPrecisionTest {
  @TempDir Path dir;

  @Test
  void fp16WeightsAndInputsRunFloat16EndToEndWithin1PercentOfTheFp32Velocity() {
    FluxConfig c = new FluxConfig(16, 16, 2, 2, 2, 16, 32, 24, true, new int[] {4, 6, 6}, 10000, 4);
    Path p = dir.resolve("w.safetensors");
    try (FluxTransformer fp32 = FluxTransformer.random(c, 42);
        NDManager m = NDManager.newBaseManager()) {
      fp32.parameters().save(p, Map.of());
      FluxInput in = FluxLoadingTest.input(m, c, 3);
      float[] ref = fp32.forward(in, m).toFloatArray();
      try (SafetensorsFile f = SafetensorsFile.open(p);
          FluxTransformer fp16 =
              new FluxTransformer(
                  c,
                  io.gptedit.models.nn.ModelWeights.load(
                      FluxTransformer.spec(c), List.of(f), "", true, 0, DataType.FLOAT16))) {
        FluxInput half =
            new FluxInput(
                in.hidden().toType(DataType.FLOAT16, false),
                in.encoderHidden().toType(DataType.FLOAT16, false),
                in.pooled().toType(DataType.FLOAT16, false),
                in.timesteps(), in.guidance(), in.imageIds(), in.textIds());
        NDArray out = fp16.forward(half, m);
        assertThat(out.getDataType()).isEqualTo(DataType.FLOAT16); // float16 end to end, not promoted back
        float[] got = out.toType(DataType.FLOAT32, false).toFloatArray();
        double maxErr = 0;
        double maxRef = 0;
        for (int i = 0; i < ref.length; i++) {
          maxErr = Math.max(maxErr, Math.abs(got[i] - ref[i]));
          maxRef = Math.max(maxRef, Math.abs(ref[i]));
        }
        // Stated tolerance: 1 % of the output's largest magnitude (measured: 0.0038 of 3.08, 0.12 %).
        assertThat(maxRef).isGreaterThan(0.5);
        assertThat(maxErr).isLessThan(0.01 * maxRef);
      }
    }
  }

  @Test
  void fp16GuardClipsOverflowToTheFloat16RangeAndLeavesFloat32Alone() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] values = {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e5f, -3.5f, 0f, 65504f};
      NDArray half = m.create(values).toType(DataType.FLOAT16, false);
      assertThat(half.toType(DataType.FLOAT32, false).toFloatArray()[2]).isInfinite(); // 1e5 overflows float16
      NDArray guarded = FluxTransformer.fp16Guard(half);
      assertThat(guarded.getDataType()).isEqualTo(DataType.FLOAT16);
      assertThat(guarded.toType(DataType.FLOAT32, false).toFloatArray())
          .containsExactly(65504f, -65504f, 65504f, -3.5f, 0f, 65504f);
      NDArray single = m.create(values);
      assertThat(FluxTransformer.fp16Guard(single).toFloatArray()).containsExactly(values);
    }
  }
}
