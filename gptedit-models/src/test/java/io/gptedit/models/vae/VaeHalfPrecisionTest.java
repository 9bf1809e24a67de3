package io.gptedit.models.vae;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.gptedit.models.flow.SeededNoise;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.safetensors.SafetensorsFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VaeHalfPrecisionTest {
  @TempDir Path dir;

  private static double[] maxErrAndRef(float[] ref, float[] got) {
    double maxErr = 0;
    double maxRef = 0;
    for (int i = 0; i < ref.length; i++) {
      maxErr = Math.max(maxErr, Math.abs(got[i] - ref[i]));
      maxRef = Math.max(maxRef, Math.abs(ref[i]));
    }
    return new double[] {maxErr, maxRef};
  }

  @Test
  void fp16EncodeAndDecodeRunFloat16Within1PercentOfFp32() {
    VaeConfig c = VaeConfig.tiny();
    Path p = dir.resolve("vae.safetensors");
    try (AutoencoderKL fp32 = AutoencoderKL.random(c, 2);
        NDManager m = NDManager.newBaseManager()) {
      fp32.parameters().save(p, Map.of());
      NDArray images = SeededNoise.gaussian(m, 1, new Shape(1, 3, 16, 16)).clip(-1, 1);
      float[] refLatents = fp32.encodeMean(images, m).toFloatArray();
      NDArray latents = fp32.encodeMean(images, m);
      float[] refImages = fp32.decode(latents, m).toFloatArray();
      try (SafetensorsFile f = SafetensorsFile.open(p);
          AutoencoderKL fp16 =
              new AutoencoderKL(
                  c, ModelWeights.load(AutoencoderKL.spec(c), List.of(f), "", true, 0, DataType.FLOAT16))) {
        NDArray z = fp16.encodeMean(images.toType(DataType.FLOAT16, false), m);
        assertThat(z.getDataType()).isEqualTo(DataType.FLOAT16);
        double[] enc = maxErrAndRef(refLatents, z.toType(DataType.FLOAT32, false).toFloatArray());
        NDArray x = fp16.decode(latents.toType(DataType.FLOAT16, false), m);
        assertThat(x.getDataType()).isEqualTo(DataType.FLOAT16);
        double[] dec = maxErrAndRef(refImages, x.toType(DataType.FLOAT32, false).toFloatArray());
        // Stated tolerance: 1 % of the largest magnitude (measured: encode 0.0038 of 1.82, decode 0.0076 of 3.76).
        assertThat(enc[1]).isGreaterThan(0.1);
        assertThat(dec[1]).isGreaterThan(0.1);
        assertThat(enc[0]).isLessThan(0.01 * enc[1]);
        assertThat(dec[0]).isLessThan(0.01 * dec[1]);
      }
    }
  }
}
