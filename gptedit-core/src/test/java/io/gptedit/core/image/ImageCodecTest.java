package io.gptedit.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.core.testing.Property;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageCodecTest {
  @TempDir Path tmp;

  static byte[] resource(String name) throws IOException {
    try (InputStream in = ImageCodecTest.class.getResourceAsStream("/fixtures/" + name)) {
      assertThat(in).as("fixture %s", name).isNotNull();
      return in.readAllBytes();
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2})
  void ourPngEncoderRoundTripsExactlyThroughImageIo(long seed) throws IOException {
    Property.forAll(
        seed,
        150,
        r -> RgbImageTest.random(r, 70),
        img -> {
          byte[] png = ImageCodec.encodePng(img, 1 + (img.width() % 9));
          // Decoded by the JDK's own reader, independently of ours.
          BufferedImage bi = ImageIO.read(new ByteArrayInputStream(png));
          assertThat(RgbImage.fromBufferedImage(bi)).isEqualTo(img);
          assertThat(ImageCodec.decode(png, "mem")).isEqualTo(img);
        });
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {3, 4})
  void theFastPngPathDecodesExactlyWhatImageIoDecodesForOurPngs(long seed) {
    Property.forAll(
        seed,
        150,
        r -> RgbImageTest.random(r, 70),
        img -> {
          byte[] png = ImageCodec.encodePng(img, img.height() % 10);
          RgbImage fast = PngFastDecoder.tryDecode(png, "mem");
          assertThat(fast).isNotNull().isEqualTo(img);
          assertThat(ImageCodec.decodeWithImageIo(png, "mem", 0xFFFFFF, ImageFormat.PNG, ImageCodec.maxPixels())).isEqualTo(fast);
        });
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {5, 6})
  void theFastPngPathMatchesImageIoOnPngsImageIoWritesWithAllFiveFilters(long seed) throws IOException {
    int[] fastCases = {0};
    Property.forAll(
        seed,
        60,
        r -> RgbImageTest.random(r, 50),
        img -> {
          // The JDK's writer picks among all five filter types per row (ours never writes Average).
          java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
          assertThat(ImageIO.write(img.toBufferedImage(), "png", out)).isTrue();
          byte[] png = out.toByteArray();
          RgbImage fast = PngFastDecoder.tryDecode(png, "mem");
          if (fast != null) {
            fastCases[0]++;
            assertThat(fast).isEqualTo(img);
          }
          assertThat(ImageCodec.decode(png, "mem")).isEqualTo(img);
        });
    assertThat(fastCases[0]).as("cases the fast path took").isPositive();
  }

  @Test
  void theFastPngPathDeclinesWhatItDoesNotHandleAndImageIoStillDecodesIt() throws IOException {
    RgbImage img = RgbImageTest.random(new java.util.SplittableRandom(9), 30);
    byte[] png = ImageCodec.encodePng(img);
    // Damaged: a flipped bit inside IDAT (bad CRC), trailing bytes, a truncated file.
    byte[] flipped = png.clone();
    flipped[png.length - 20] ^= 0x01;
    assertThat(PngFastDecoder.tryDecode(flipped, "mem")).isNull();
    byte[] trailing = Arrays.copyOf(png, png.length + 3);
    assertThat(PngFastDecoder.tryDecode(trailing, "mem")).isNull();
    assertThat(PngFastDecoder.tryDecode(Arrays.copyOf(png, png.length - 1), "mem")).isNull();
    // Other colour types: grey and grey-with-alpha via ImageIO's writer.
    BufferedImage grey = new BufferedImage(9, 7, BufferedImage.TYPE_BYTE_GRAY);
    grey.getRaster().setSample(3, 2, 0, 200);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    ImageIO.write(grey, "png", out);
    assertThat(PngFastDecoder.tryDecode(out.toByteArray(), "mem")).isNull();
    assertThat(ImageCodec.decode(out.toByteArray(), "grey").sample(3, 2, 1)).isEqualTo(200);
    BufferedImage argb = new BufferedImage(5, 5, BufferedImage.TYPE_INT_ARGB);
    argb.setRGB(1, 1, 0x80FF0000);
    out.reset();
    ImageIO.write(argb, "png", out);
    assertThat(PngFastDecoder.tryDecode(out.toByteArray(), "mem")).isNull();
  }

  @Test
  void pngBytesAreDeterministicForEqualPixels() {
    RgbImage a = RgbImage.filled(33, 17, 0x336699).pad(1, 2, 3, 4, 0xFFFFFF);
    RgbImage b = RgbImage.of(a.width(), a.height(), a.copyRgb());
    assertThat(ImageCodec.encodePng(a)).isEqualTo(ImageCodec.encodePng(b));
  }

  @Test
  void jpegRoundTripIsClose() {
    RgbImage img = RgbImage.filled(32, 32, 0x808080);
    RgbImage back = ImageCodec.decode(ImageCodec.encodeJpeg(img), "mem");
    assertThat(back.width()).isEqualTo(32);
    assertThat(Math.abs(back.sample(5, 5, 0) - 128)).isLessThanOrEqualTo(2);
  }

  @Test
  void losslessWebpFromLibwebpDecodesToTheSamePixelsAsThePng() throws IOException {
    RgbImage png = ImageCodec.decode(resource("pattern-64x48.png"), "pattern.png");
    RgbImage webp = ImageCodec.decode(resource("pattern-64x48.webp"), "pattern.webp");
    assertThat(webp).isEqualTo(png);
  }

  @Test
  void lossyWebpDecodesLikeLibwebp() throws IOException {
    RgbImage libwebp = ImageCodec.decode(resource("pattern-64x48.lossy.libwebp.png"), "libwebp.png");
    RgbImage webp = ImageCodec.decode(resource("pattern-64x48.lossy.webp"), "pattern.lossy.webp");
    assertThat(webp.width()).isEqualTo(64);
    assertThat(meanAbsDiff(libwebp, webp)).isLessThan(2.0);
  }

  static double meanAbsDiff(RgbImage a, RgbImage b) {
    byte[] x = a.copyRgb();
    byte[] y = b.copyRgb();
    long sum = 0;
    for (int i = 0; i < x.length; i++) {
      sum += Math.abs((x[i] & 0xFF) - (y[i] & 0xFF));
    }
    return (double) sum / x.length;
  }

  @Test
  void truncatedPngIsATypedErrorNamingTheFile() throws IOException {
    byte[] png = ImageCodec.encodePng(RgbImageTest.random(new java.util.SplittableRandom(7), 60));
    Path file = tmp.resolve("cut.png");
    Files.write(file, Arrays.copyOf(png, png.length / 2));
    assertThatThrownBy(() -> ImageCodec.read(file))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("PNG");
  }

  @Test
  void truncatedJpegIsATypedErrorNotAHalfGreyImage() throws IOException {
    byte[] noise = new byte[64 * 64 * 3];
    new java.util.Random(3).nextBytes(noise);
    byte[] jpeg = ImageCodec.encodeJpeg(RgbImage.of(64, 64, noise));
    Path file = tmp.resolve("cut.jpg");
    Files.write(file, Arrays.copyOf(jpeg, jpeg.length * 2 / 3));
    assertThatThrownBy(() -> ImageCodec.read(file))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("cut.jpg");
  }

  @Test
  void corruptPngChecksumIsATypedError() {
    byte[] png = ImageCodec.encodePng(RgbImage.filled(20, 20, 0x123456));
    png[png.length - 20] ^= 0x55; // inside IDAT
    assertThatThrownBy(() -> ImageCodec.decode(png, "shard-0001.tar:s1.edited.png"))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("shard-0001.tar:s1.edited.png");
  }

  @Test
  void emptyUnknownAndMissingFilesAreTypedErrors() throws IOException {
    assertThatThrownBy(() -> ImageCodec.decode(new byte[0], "empty"))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("empty input");
    assertThatThrownBy(() -> ImageCodec.decode("GIF89a....".getBytes(), "x.gif"))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("unrecognised header");
    Path missing = tmp.resolve("nope.png");
    assertThatThrownBy(() -> ImageCodec.read(missing))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("nope.png")
        .hasMessageContaining("no such file");
  }

  @Test
  void writeIsAtomicAndReadable() {
    RgbImage img = RgbImage.filled(9, 7, 0x010203);
    Path file = tmp.resolve("sub/out.png");
    ImageCodec.write(img, file, ImageFormat.PNG);
    assertThat(ImageCodec.read(file)).isEqualTo(img);
    assertThat(Files.exists(tmp.resolve("sub/out.png.tmp"))).isFalse();
    assertThatThrownBy(() -> ImageCodec.write(img, tmp.resolve("x.webp"), ImageFormat.WEBP))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void formatIsGuessedFromFileNames() {
    assertThat(ImageFormat.fromFileName("a.JPEG")).isEqualTo(ImageFormat.JPEG);
    assertThat(ImageFormat.fromFileName("a.webp")).isEqualTo(ImageFormat.WEBP);
    assertThat(ImageFormat.fromFileName("a.tiff")).isNull();
  }
}
