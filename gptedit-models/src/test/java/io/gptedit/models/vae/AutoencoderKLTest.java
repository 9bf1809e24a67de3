package io.gptedit.models.vae;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gptedit.models.safetensors.SafetensorsFile;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class AutoencoderKLTest {
  static Path fixture(String name) throws Exception {
    return Path.of(AutoencoderKLTest.class.getResource("/io/gptedit/models/fixtures/" + name).toURI());
  }

  static double maxAbsDiff(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }

  @Test
  void tinyVaeReproducesPytorchReferenceWithin1e4() throws Exception {
    try (SafetensorsFile w = SafetensorsFile.open(fixture("vae_tiny_weights.safetensors"));
        SafetensorsFile io = SafetensorsFile.open(fixture("vae_tiny_io.safetensors"));
        AutoencoderKL vae = AutoencoderKL.load(VaeConfig.tiny(), List.of(w), "");
        NDManager m = NDManager.newBaseManager()) {
      vae.parameters().freeze();
      NDArray mean = vae.encodeMean(io.load(m, "image"), m);
      assertThat(mean.getShape()).isEqualTo(new Shape(1, 4, 4, 3));
      assertThat(maxAbsDiff(mean.toFloatArray(), io.readFloats("mean"))).isLessThan(1e-4);
      NDArray decoded = vae.decode(io.load(m, "latents"), m);
      assertThat(decoded.getShape()).isEqualTo(new Shape(1, 3, 8, 6));
      assertThat(maxAbsDiff(decoded.toFloatArray(), io.readFloats("decoded"))).isLessThan(1e-4);
    }
  }

  @Test
  void encodeNormalisesWithShiftThenScale() {
    try (AutoencoderKL vae = AutoencoderKL.random(VaeConfig.tiny(), 3);
        NDManager m = NDManager.newBaseManager()) {
      NDArray img = m.randomUniform(-1, 1, new Shape(1, 3, 4, 4));
      float[] mean = vae.encodeMean(img, m).toFloatArray();
      float[] z = vae.encode(img, m).toFloatArray();
      for (int i = 0; i < z.length; i++) {
        assertThat(z[i]).isCloseTo((float) ((mean[i] - 0.1159) * 0.3611), org.assertj.core.data.Offset.offset(1e-6f));
      }
    }
  }

  @Test
  void realPresetsHaveSixteenLatentChannelsAndTheirFactors() {
    assertThat(VaeConfig.flux().latentChannels()).isEqualTo(16);
    assertThat(VaeConfig.flux().spatialFactor()).isEqualTo(8);
    assertThat(VaeConfig.sd3().scalingFactor()).isEqualTo(1.5305);
    assertThat(VaeConfig.sd3().shiftFactor()).isEqualTo(0.0609);
    // Parameter count of the real FLUX.1 VAE (about 84 M).
    assertThat(AutoencoderKL.spec(VaeConfig.flux()).parameterCount()).isBetween(83_000_000L, 85_000_000L);
  }
}
