package io.gptedit.core.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.gptedit.core.testing.Property;
import java.io.IOException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ResamplerTest {

  @ParameterizedTest(name = "{0}x{1}")
  @CsvSource({"32, 24", "47, 31", "101, 77"})
  void bicubicEqualsPillowSampleForSample(int w, int h) throws IOException {
    RgbImage src = ImageCodec.decode(ImageCodecTest.resource("pattern-64x48.png"), "pattern");
    RgbImage pil = ImageCodec.decode(ImageCodecTest.resource("pil-bicubic-" + w + "x" + h + ".png"), "pil");
    RgbImage ours = Resampler.bicubic(src, w, h);
    byte[] a = ours.copyRgb();
    byte[] b = pil.copyRgb();
    int worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs((a[i] & 0xFF) - (b[i] & 0xFF)));
    }
    assertThat(worst).as("largest per-sample difference from Pillow").isZero();
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

  /**
   * Pillow's algorithm written plainly (ImagingResample's coefficient windows, 22-bit fixed-point weights, integer
   * sums with a rounding half, clip8, horizontal pass first, a pass skipped when its side is unchanged), pixel by
   * pixel: what the transposed, streamed, pass-skipping implementation must equal exactly.
   */
  static RgbImage reference(RgbImage image, int width, int height) {
    int sw = image.width();
    int sh = image.height();
    byte[] src = image.copyRgb();
    int[] mid = new int[width * sh * 3];
    for (int y = 0; y < sh; y++) {
      for (int x = 0; x < width; x++) {
        double[][] t = taps(sw, width, x);
        for (int c = 0; c < 3; c++) {
          long v = 1 << 21;
          for (int k = 0; k < t[0].length; k++) {
            v += fixed(t[1][k]) * (src[(y * sw + (int) t[0][k]) * 3 + c] & 0xFF);
          }
          mid[(y * width + x) * 3 + c] = width == sw ? src[(y * sw + x) * 3 + c] & 0xFF : clip8(v);
        }
      }
    }
    byte[] out = new byte[width * height * 3];
    for (int y = 0; y < height; y++) {
      double[][] t = taps(sh, height, y);
      for (int x = 0; x < width; x++) {
        for (int c = 0; c < 3; c++) {
          long v = 1 << 21;
          for (int k = 0; k < t[0].length; k++) {
            v += fixed(t[1][k]) * mid[((int) t[0][k] * width + x) * 3 + c];
          }
          out[(y * width + x) * 3 + c] = (byte) (height == sh ? mid[(y * width + x) * 3 + c] : clip8(v));
        }
      }
    }
    return RgbImage.of(width, height, out);
  }

  private static long fixed(double w) {
    return w < 0 ? (int) (-0.5 + w * (1 << 22)) : (int) (0.5 + w * (1 << 22));
  }

  private static int clip8(long v) {
    return v >= 1L << 30 ? 255 : v <= 0 ? 0 : (int) (v >> 22);
  }

  /** Source indices and normalised weights of output sample {@code i}. */
  private static double[][] taps(int in, int out, int i) {
    double scale = (double) in / out;
    double fs = Math.max(scale, 1.0);
    double support = 2.0 * fs;
    double center = (i + 0.5) * scale;
    int lo = Math.max(0, (int) (center - support + 0.5));
    int hi = Math.min(in, (int) (center + support + 0.5));
    double[][] t = new double[2][hi - lo];
    double total = 0;
    for (int j = 0; j < hi - lo; j++) {
      t[0][j] = lo + j;
      t[1][j] = Resampler.cubic((lo + j - center + 0.5) * (1.0 / fs));
      total += t[1][j];
    }
    for (int j = 0; j < hi - lo && total != 0; j++) {
      t[1][j] /= total;
    }
    return t;
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void anySizeToAnySizeEqualsPillowsAlgorithmWrittenPlainly(long seed) {
    Property.forAll(seed, 60, r -> new int[] {Property.side(r, 90), Property.side(r, 90), Property.side(r, 90),
        Property.side(r, 90), r.nextInt()}, c -> {
          byte[] px = new byte[c[0] * c[1] * 3];
          new SplittableRandom(c[4]).nextBytes(px);
          RgbImage src = RgbImage.of(c[0], c[1], px);
          byte[] ours = Resampler.bicubic(src, c[2], c[3]).copyRgb();
          byte[] ref = reference(src, c[2], c[3]).copyRgb();
          assertThat(ours).as("%sx%s -> %sx%s", c[0], c[1], c[2], c[3]).isEqualTo(ref);
        });
  }

  @Test
  void resizesAcrossTheHorizontalPasssRowStripsEqualTheReference() {
    byte[] px = new byte[37 * 300 * 3];
    new SplittableRandom(9).nextBytes(px);
    RgbImage tall = RgbImage.of(37, 300, px); // rows span several 64-row strips of the horizontal pass
    for (int[] size : new int[][] {{29, 300}, {29, 211}, {37, 160}, {50, 333}, {1, 1}}) {
      assertThat(Resampler.bicubic(tall, size[0], size[1]))
          .as("%sx%s", size[0], size[1])
          .isEqualTo(reference(tall, size[0], size[1]));
    }
  }
}
