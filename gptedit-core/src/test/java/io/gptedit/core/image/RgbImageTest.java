package io.gptedit.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.core.testing.Property;
import java.awt.image.BufferedImage;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RgbImageTest {

  static RgbImage random(SplittableRandom r, int maxSide) {
    int w = Property.side(r, maxSide);
    int h = Property.side(r, maxSide);
    byte[] px = new byte[w * h * 3];
    r.nextBytes(px);
    return RgbImage.of(w, h, px);
  }

  @Test
  void samplesAreCopiedInSoTheImageIsImmutable() {
    byte[] px = {1, 2, 3, 4, 5, 6};
    RgbImage img = RgbImage.of(2, 1, px);
    px[0] = 99;
    assertThat(img.rgb(0, 0)).isEqualTo(0x010203);
    byte[] copy = img.copyRgb();
    copy[1] = 99;
    assertThat(img.rgb(0, 0)).isEqualTo(0x010203);
    assertThat(img.buffer().isReadOnly()).isTrue();
  }

  @Test
  void wrongSampleCountAndBadSizesAreRejected() {
    assertThatThrownBy(() -> RgbImage.of(2, 2, new byte[11]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected 12 samples");
    assertThatThrownBy(() -> RgbImage.filled(0, 5, 0)).hasMessageContaining("0x5");
    assertThatThrownBy(() -> RgbImage.filled(RgbImage.MAX_SIDE + 1, 1, 0)).hasMessageContaining("16384");
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2})
  void bufferedImageRoundTripIsLosslessForEveryOpaque8BitType(long seed) {
    int[] types = {
      BufferedImage.TYPE_3BYTE_BGR,
      BufferedImage.TYPE_INT_RGB,
      BufferedImage.TYPE_INT_BGR,
      BufferedImage.TYPE_INT_ARGB,
      BufferedImage.TYPE_4BYTE_ABGR,
      BufferedImage.TYPE_INT_ARGB_PRE,
      BufferedImage.TYPE_4BYTE_ABGR_PRE
    };
    Property.forAll(
        seed,
        200,
        r -> random(r, 40),
        img -> {
          for (int type : types) {
            BufferedImage bi = new BufferedImage(img.width(), img.height(), type);
            for (int y = 0; y < img.height(); y++) {
              for (int x = 0; x < img.width(); x++) {
                bi.setRGB(x, y, 0xFF000000 | img.rgb(x, y));
              }
            }
            assertThat(RgbImage.fromBufferedImage(bi)).as("type %s", type).isEqualTo(img);
          }
          assertThat(RgbImage.fromBufferedImage(img.toBufferedImage())).isEqualTo(img);
        });
  }

  @Test
  void grayImagesExpandToEqualChannels() {
    BufferedImage gray = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_GRAY);
    gray.getRaster().setSample(0, 0, 0, 0);
    gray.getRaster().setSample(1, 0, 0, 128);
    gray.getRaster().setSample(2, 0, 0, 255);
    RgbImage img = RgbImage.fromBufferedImage(gray);
    assertThat(img.rgb(0, 0)).isEqualTo(0x000000);
    assertThat(img.rgb(1, 0)).isEqualTo(0x808080);
    assertThat(img.rgb(2, 0)).isEqualTo(0xFFFFFF);
  }

  @Test
  void alphaIsCompositedOntoTheStatedBackgroundWithRounding() {
    BufferedImage argb = new BufferedImage(3, 1, BufferedImage.TYPE_INT_ARGB);
    argb.setRGB(0, 0, 0x00FF0000); // fully transparent red
    argb.setRGB(1, 0, 0x80FF0000); // half red over background
    argb.setRGB(2, 0, 0xFF00FF00); // opaque green
    RgbImage onBlue = RgbImage.fromBufferedImage(argb, 0x0000FF);
    assertThat(onBlue.rgb(0, 0)).isEqualTo(0x0000FF);
    // 255 * 128 / 255 = 128 red; 255 * 127 / 255 = 127 blue.
    assertThat(onBlue.rgb(1, 0)).isEqualTo(0x80007F);
    assertThat(onBlue.rgb(2, 0)).isEqualTo(0x00FF00);
    assertThat(RgbImage.fromBufferedImage(argb).rgb(0, 0)).isEqualTo(0xFFFFFF);
  }

  @Test
  void subimageRastersConvertTheVisibleRegionOnly() {
    BufferedImage big = new BufferedImage(4, 4, BufferedImage.TYPE_3BYTE_BGR);
    big.setRGB(2, 1, 0x123456);
    BufferedImage sub = big.getSubimage(2, 1, 2, 2);
    RgbImage img = RgbImage.fromBufferedImage(sub);
    assertThat(img.width()).isEqualTo(2);
    assertThat(img.rgb(0, 0)).isEqualTo(0x123456);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {3, 4})
  void padThenCropIsIdentity(long seed) {
    Property.forAll(
        seed,
        300,
        r -> new Object[] {random(r, 30), r.nextInt(5), r.nextInt(5), r.nextInt(5), r.nextInt(5)},
        c -> {
          RgbImage img = (RgbImage) c[0];
          int l = (int) c[1];
          int t = (int) c[2];
          RgbImage padded = img.pad(l, t, (int) c[3], (int) c[4], 0x00FF00);
          assertThat(padded.crop(l, t, img.width(), img.height())).isEqualTo(img);
          if (l > 0) {
            assertThat(padded.rgb(0, t)).isEqualTo(0x00FF00);
          }
        });
  }

  @Test
  void cropOutsideTheImageNamesTheRegion() {
    RgbImage img = RgbImage.filled(10, 10, 0);
    assertThatThrownBy(() -> img.crop(5, 5, 6, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("x=5")
        .hasMessageContaining("10x10");
  }
}
