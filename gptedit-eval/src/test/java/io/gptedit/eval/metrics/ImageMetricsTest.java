package io.gptedit.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.gptedit.core.image.RgbImage;
import io.gptedit.core.testing.Property;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** PSNR, SSIM and masked L1 on images with known answers. */
class ImageMetricsTest {
  private static RgbImage noise(SplittableRandom r, int w, int h) {
    byte[] rgb = new byte[w * h * 3];
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = (byte) r.nextInt(256);
    }
    return RgbImage.of(w, h, rgb);
  }

  @Test
  void psnrOfAUniformOffsetMatchesTheClosedForm() {
    RgbImage a = RgbImage.filled(8, 8, 0x101010);
    RgbImage b = RgbImage.filled(8, 8, 0x141414); // every sample off by 4: MSE 16
    assertThat(ImageMetrics.psnr(a, b)).isCloseTo(10 * Math.log10(255.0 * 255.0 / 16), within(1e-9));
    assertThat(ImageMetrics.psnr(a, a)).isInfinite();
  }

  @Test
  void ssimIsOneForIdenticalImagesAndLowForUnrelatedNoise() {
    SplittableRandom r = new SplittableRandom(7);
    RgbImage a = noise(r, 32, 24);
    assertThat(ImageMetrics.ssim(a, a)).isCloseTo(1.0, within(1e-12));
    assertThat(ImageMetrics.ssim(a, noise(r, 32, 24))).isLessThan(0.1);
  }

  @Test
  void ssimOfConstantImagesFollowsTheLuminanceTerm() {
    // constant images: variances and covariance are 0, so SSIM = (2 mx my + C1) / (mx^2 + my^2 + C1)
    RgbImage a = RgbImage.filled(12, 12, 0x646464); // luma 100
    RgbImage b = RgbImage.filled(12, 12, 0xC8C8C8); // luma 200
    double c1 = Math.pow(0.01 * 255, 2);
    assertThat(ImageMetrics.ssim(a, b)).isCloseTo((2 * 100 * 200 + c1) / (100 * 100 + 200 * 200 + c1), within(1e-9));
    assertThatThrownBy(() -> ImageMetrics.ssim(RgbImage.filled(10, 20, 0), RgbImage.filled(10, 20, 0)))
        .hasMessageContaining("at least 11x11");
  }

  private record Pair(RgbImage a, RgbImage b) {}

  private static Pair pair(SplittableRandom r) {
    int w = 11 + r.nextInt(8);
    int h = 11 + r.nextInt(8);
    RgbImage a = noise(r, w, h);
    // b is a partly overwritten copy of a, so the pair ranges from similar to unrelated
    byte[] rgb = a.copyRgb();
    int changed = r.nextInt(rgb.length + 1);
    for (int i = 0; i < changed; i++) {
      rgb[r.nextInt(rgb.length)] = (byte) r.nextInt(256);
    }
    return new Pair(a, RgbImage.of(w, h, rgb));
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void ssimIsSymmetricAndAtMostOneAndPsnrIsSymmetric(long seed) {
    Property.forAll(seed, 30, ImageMetricsTest::pair, p -> {
      assertThat(ImageMetrics.ssim(p.a(), p.b()))
          .isCloseTo(ImageMetrics.ssim(p.b(), p.a()), within(1e-12))
          .isLessThanOrEqualTo(1.0 + 1e-12);
      assertThat(ImageMetrics.psnr(p.a(), p.b())).isEqualTo(ImageMetrics.psnr(p.b(), p.a()));
    });
  }

  @Test
  void unmaskedL1IgnoresTheEditedRegion() {
    RgbImage a = RgbImage.filled(4, 1, 0x000000);
    byte[] rgb = new byte[12];
    rgb[0] = (byte) 255; // pixel 0 changed a lot (edited region)
    rgb[3] = (byte) 51; // pixel 1: one channel off by 51
    RgbImage b = RgbImage.of(4, 1, rgb);
    boolean[] mask = {true, false, false, false};
    assertThat(ImageMetrics.unmaskedL1(a, b, mask)).isCloseTo(51.0 / (255 * 9), within(1e-12));
    assertThatThrownBy(() -> ImageMetrics.unmaskedL1(a, b, new boolean[] {true, true, true, true}))
        .hasMessageContaining("no unedited region");
    assertThatThrownBy(() -> ImageMetrics.unmaskedL1(a, b, new boolean[3])).hasMessageContaining("3 entries");
  }
}
