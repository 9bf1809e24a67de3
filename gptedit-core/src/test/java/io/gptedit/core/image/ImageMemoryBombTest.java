package io.gptedit.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for images whose headers claim far more pixels than their bytes hold (issue 15, item 1):
 * before the fix a 70-byte PNG claiming 16384x16384 allocated (3w+1)h = 805 MB before reading any data (an
 * {@link OutOfMemoryError} at -Xmx512m), and a 64-byte corrupt WebP claiming 10178x12556 spent 22 s and then threw
 * {@link OutOfMemoryError} at -Xmx1g. Each case here must end in an {@link ImageDecodeException} naming the source
 * while the decoding thread allocates at most a few megabytes, measured with the JVM's per-thread allocation
 * counter, so the tests fail on the old code whatever heap the test JVM has.
 */
class ImageMemoryBombTest {
  /** Generous for the header probe, the exception and its message; tiny next to any claimed image. */
  private static final long ALLOCATION_LIMIT = 8L << 20;

  @BeforeAll
  static void warmUp() {
    // Class loading and ImageIO's plugin scan allocate once; keep them out of the measurements.
    ImageCodec.decode(ImageCodec.encodePng(RgbImage.filled(4, 4, 0x102030)), "warm-up.png");
    ImageCodec.decode(ImageCodec.encodeJpeg(RgbImage.filled(8, 8, 0x102030)), "warm-up.jpg");
    try {
      ImageCodec.decode(webpVp8x(20, 20), "warm-up.webp"); // garbage data: decodes or fails, either is fine here
    } catch (ImageDecodeException expected) {
      // loads the WebP reader all the same
    }
  }

  @Test
  void seventyBytePngClaiming16384SquareIsATypedErrorWithoutAllocatingTheImage() {
    byte[] bomb = png(16_384, 16_384, stored(new byte[2])); // a 13-byte zlib stream
    assertThat(bomb).hasSize(70);
    Throwable[] thrown = new Throwable[1];
    long allocated = allocatedWhile(() -> thrown[0] = catchThrowable(() -> ImageCodec.decode(bomb, "bomb-16384.png")));
    assertThat(allocated).isLessThan(ALLOCATION_LIMIT);
    assertThat(thrown[0])
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("bomb-16384.png")
        .hasMessageContaining("16384x16384");
  }

  @Test
  void sixtyFourByteCorruptWebpClaiming10178x12556IsATypedErrorWithoutAllocatingTheImage() {
    byte[] bomb = webpVp8x(10_178, 12_556);
    assertThat(bomb).hasSize(64);
    long started = System.nanoTime();
    Throwable[] thrown = new Throwable[1];
    long allocated = allocatedWhile(() -> thrown[0] = catchThrowable(() -> ImageCodec.decode(bomb, "bomb.webp")));
    assertThat(allocated).isLessThan(ALLOCATION_LIMIT);
    assertThat(thrown[0])
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("bomb.webp")
        .hasMessageContaining("10178x12556");
    assertThat(System.nanoTime() - started).isLessThan(2_000_000_000L);
  }

  @Test
  void sixtyFourByteCorruptWebpWithinTheBudgetStopsAtTheEndOfItsDataInsteadOfSpinning() {
    // Under the budget, so the decoder runs: before the fix TwelveMonkeys read zero bits past the end of the data
    // for every one of the 4 million pixels (the 10178x12556 file spun for over ten minutes of CPU).
    byte[] garbage = webpVp8x(2000, 2000);
    long started = System.nanoTime();
    assertThatThrownBy(() -> ImageCodec.decode(garbage, "garbage.webp"))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("garbage.webp");
    assertThat(System.nanoTime() - started).isLessThan(2_000_000_000L);
  }

  @Test
  void pngWithinThePixelBudgetButClaimingMoreThanItsDeflateDataCanHoldIsRefusedBeforeInflating() {
    // 6000x6000 is under the default budget, but 1-bit scanlines alone would need 4.5 MB; 70 bytes cannot hold it.
    byte[] forged = png(6000, 6000, deflate(new byte[16]));
    Throwable[] thrown = new Throwable[1];
    long allocated = allocatedWhile(() -> thrown[0] = catchThrowable(() -> ImageCodec.decode(forged, "forged.png")));
    assertThat(allocated).isLessThan(ALLOCATION_LIMIT);
    assertThat(thrown[0])
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("forged.png")
        .hasMessageContaining("truncated or forged");
  }

  @Test
  void fastPngDecoderAllocatedTheClaimedScanlinesBeforeReadingTheData() {
    // 4096x4096 RGB claims 48 MB of scanlines; the IDAT holds 3 MB of zeros (about 3 KB compressed), enough to
    // pass the deflate-ratio check but not to fill the image. The buffer may grow only with the inflated data.
    byte[] shortData = png(4096, 4096, deflate(new byte[3 << 20]));
    Throwable[] thrown = new Throwable[1];
    long allocated = allocatedWhile(() -> thrown[0] = catchThrowable(() -> ImageCodec.decode(shortData, "short.png")));
    assertThat(allocated).isLessThan(3 * (3L << 20) + ALLOCATION_LIMIT);
    assertThat(thrown[0])
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("short.png")
        .hasMessageContaining("truncated");
  }

  @Test
  void jpegClaimingMoreBlocksThanItsBitsCanCodeIsRefusedBeforeImageIoAllocates() {
    byte[] jpeg = ImageCodec.encodeJpeg(RgbImage.filled(16, 16, 0x808080));
    int sof = indexOfMarker(jpeg, 0xC0);
    // patch the frame header to 8000x8000 (64 MP, just under the default budget)
    jpeg[sof + 5] = (byte) (8000 >> 8);
    jpeg[sof + 6] = (byte) 8000;
    jpeg[sof + 7] = (byte) (8000 >> 8);
    jpeg[sof + 8] = (byte) 8000;
    Throwable[] thrown = new Throwable[1];
    long allocated = allocatedWhile(() -> thrown[0] = catchThrowable(() -> ImageCodec.decode(jpeg, "patched.jpg")));
    assertThat(allocated).isLessThan(ALLOCATION_LIMIT);
    assertThat(thrown[0])
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("patched.jpg")
        .hasMessageContaining("8000x8000");
  }

  @Test
  void pixelBudgetIsCheckedFromTheHeaderAndCanBeSetPerCall() {
    byte[] png = ImageCodec.encodePng(RgbImage.filled(100, 80, 0x336699));
    assertThatThrownBy(() -> ImageCodec.decode(png, "big.png", 0xFFFFFF, 7_999))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("big.png")
        .hasMessageContaining("over the budget of 7999");
    assertThat(ImageCodec.decode(png, "big.png", 0xFFFFFF, 8_000).width()).isEqualTo(100);
    assertThat(ImageCodec.maxPixels()).isEqualTo(ImageCodec.DEFAULT_MAX_PIXELS);
  }

  // ---------------------------------------------------------------- fixtures

  static long allocatedWhile(Runnable r) {
    com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    long before = bean.getThreadAllocatedBytes(id);
    r.run();
    return bean.getThreadAllocatedBytes(id) - before;
  }

  /** An 8-bit RGB PNG with one IDAT chunk and valid CRCs. */
  static byte[] png(int w, int h, byte[] idat) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2);
    chunk(out, "IHDR", ihdr.array());
    chunk(out, "IDAT", idat);
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(t);
    out.writeBytes(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  static byte[] stored(byte[] data) {
    return deflate(data, Deflater.NO_COMPRESSION);
  }

  static byte[] deflate(byte[] data) {
    return deflate(data, Deflater.BEST_COMPRESSION);
  }

  static byte[] deflate(byte[] data, int level) {
    Deflater d = new Deflater(level);
    d.setInput(data);
    d.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[1 << 16];
    while (!d.finished()) {
      out.write(buf, 0, d.deflate(buf));
    }
    d.end();
    return out.toByteArray();
  }

  /**
   * A 64-byte extended WebP: a VP8X chunk claiming the canvas size, then a VP8L chunk whose bitstream is garbage
   * after its own (equal) size claim.
   */
  static byte[] webpVp8x(int w, int h) {
    ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(56).put("WEBP".getBytes(StandardCharsets.US_ASCII));
    b.put("VP8X".getBytes(StandardCharsets.US_ASCII)).putInt(10).putInt(0);
    putU24(b, w - 1);
    putU24(b, h - 1);
    b.put("VP8L".getBytes(StandardCharsets.US_ASCII)).putInt(26);
    b.put((byte) 0x2F);
    int bits = (w - 1) | (h - 1) << 14;
    b.putInt(bits);
    while (b.hasRemaining()) {
      b.put((byte) 0xA5);
    }
    return b.array();
  }

  private static void putU24(ByteBuffer b, int v) {
    b.put((byte) v).put((byte) (v >> 8)).put((byte) (v >> 16));
  }

  private static int indexOfMarker(byte[] jpeg, int marker) {
    for (int i = 0; i + 1 < jpeg.length; i++) {
      if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == marker) {
        return i;
      }
    }
    throw new AssertionError("no marker " + Integer.toHexString(marker));
  }
}
