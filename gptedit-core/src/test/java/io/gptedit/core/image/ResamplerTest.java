package io.gptedit.core.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResamplerTest {

  @ParameterizedTest(name = "{0}x{1}")
  @CsvSource({"32, 24", "47, 31", "101, 77"})
  void bicubicMatchesPillowWithinOneLevelPerSample(int w, int h) throws IOException {
    RgbImage src = ImageCodec.decode(ImageCodecTest.resource("pattern-64x48.png"), "pattern");
    RgbImage pil = ImageCodec.decode(ImageCodecTest.resource("pil-bicubic-" + w + "x" + h + ".png"), "pil");
    RgbImage ours = Resampler.bicubic(src, w, h);
    byte[] a = ours.copyRgb();
    byte[] b = pil.copyRgb();
    int worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs((a[i] & 0xFF) - (b[i] & 0xFF)));
    }
    assertThat(worst).as("largest per-sample difference from Pillow").isLessThanOrEqualTo(1);
  }

  @Test
  void flatImageStaysFlatAtAnySize() {
    RgbImage flat = RgbImage.filled(1024, 1024, 0x7F3A10);
    RgbImage half = Resampler.bicubic(flat, 512, 512);
    assertThat(half).isEqualTo(RgbImage.filled(512, 512, 0x7F3A10));
    assertThat(Resampler.bicubic(RgbImage.filled(3, 5, 0x7F3A10), 17, 2))
        .isEqualTo(RgbImage.filled(17, 2, 0x7F3A10));
  }

  @Test
  void sameSizeReturnsTheSource() {
    RgbImage img = RgbImage.filled(4, 4, 1);
    assertThat(Resampler.bicubic(img, 4, 4)).isSameAs(img);
  }

  @Test
  void kernelIsTheKeysCubicWithAMinusOneHalf() {
    assertThat(Resampler.cubic(0)).isEqualTo(1.0);
    assertThat(Resampler.cubic(1)).isEqualTo(0.0);
    assertThat(Resampler.cubic(2)).isEqualTo(0.0);
    assertThat(Resampler.cubic(0.5)).isEqualTo(0.5625);
    assertThat(Resampler.cubic(1.5)).isEqualTo(-0.0625);
  }
}
