package io.gptedit.core.image;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.gptedit.core.testing.Fuzz;
import io.gptedit.core.testing.TestImages;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fuzzing {@link ImageCodec#decode}: every PNG, JPEG or WebP mutant decodes or fails with an
 * {@link ImageDecodeException}, never another exception or an {@link Error}, and allocates at most
 * {@link #MAX_ALLOCATED} bytes under a pixel budget of {@link #BUDGET}. The {@code @Test}s are the bounded,
 * deterministic part for CI; {@link #imageDecode} is the Jazzer entry point (regression mode runs its inputs under
 * {@code src/test/resources/io/gptedit/core/image/ImageCodecFuzzTestInputs/imageDecode}).
 */
class ImageCodecFuzzTest {
  /** The pixel budget the fuzz targets decode under (1 MP). */
  static final long BUDGET = 1L << 20;
  /** A stated bound on one decode's allocation under {@link #BUDGET}: a few copies of a 1 MP RGBA image. */
  static final long MAX_ALLOCATED = 48L << 20;

  private static List<byte[]> seeds;

  @BeforeAll
  static void seeds() throws IOException {
    List<byte[]> s = new ArrayList<>();
    s.add(ImageCodecTest.resource("pattern-64x48.png"));
    s.add(ImageCodecTest.resource("pattern-64x48.webp"));
    s.add(ImageCodecTest.resource("pattern-64x48.lossy.webp"));
    s.add(ImageCodecTest.resource("pil-bicubic-32x24.png"));
    RgbImage pattern = TestImages.pattern(24, 16);
    s.add(ImageCodec.encodePng(pattern));
    s.add(ImageCodec.encodeJpeg(pattern));
    // ImageIO's own PNGs: grey, palette and RGBA take the general path
    for (int type : new int[] {BufferedImage.TYPE_BYTE_GRAY, BufferedImage.TYPE_BYTE_INDEXED, BufferedImage.TYPE_INT_ARGB}) {
      BufferedImage img = new BufferedImage(12, 9, type);
      img.setRGB(3, 4, 0x80FF0000);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageIO.write(img, "png", out);
      s.add(out.toByteArray());
    }
    s.add(ImageMemoryBombTest.png(16_384, 16_384, ImageMemoryBombTest.stored(new byte[2])));
    s.add(ImageMemoryBombTest.webpVp8x(10_178, 12_556));
    seeds = List.copyOf(s);
    ImageCodec.decode(seeds.get(0), "warm-up");
  }

  static void decode(byte[] b) {
    ImageCodec.decode(b, "fuzz input", 0xFFFFFF, BUDGET);
  }

  @Test
  void mutatedPngJpegAndWebpFilesDecodeOrFailTypedWithinTheirMemory() {
    Fuzz.mutants(15, 1500, seeds, ImageDecodeException.class, MAX_ALLOCATED, ImageCodecFuzzTest::decode);
  }

  @Test
  void mutatedPngsWithRepairedChecksumsReachTheFastDecoderAndFailTyped() {
    // Chunk CRCs repaired after mutation, so the damage reaches the header probe, the fast path's inflater and
    // row filters instead of stopping at the checksum.
    List<byte[]> pngs = seeds.stream().filter(b -> ImageFormat.sniff(b, b.length) == ImageFormat.PNG).toList();
    SplittableRandom r = new SplittableRandom(16);
    for (int i = 0; i < 1500; i++) {
      byte[] mutant = repairPngChecksums(Fuzz.mutate(r, pngs.get(r.nextInt(pngs.size())), pngs));
      Fuzz.check(mutant, ImageDecodeException.class, MAX_ALLOCATED, ImageCodecFuzzTest::decode, "png case " + i);
    }
  }

  @FuzzTest(maxDuration = "2m")
  void imageDecode(byte[] data) {
    Fuzz.check(data, ImageDecodeException.class, Fuzz.boundOutsideFuzzingMode(MAX_ALLOCATED), ImageCodecFuzzTest::decode, "jazzer input");
  }

  /** Recomputes every chunk CRC that the chunk structure allows to find. */
  static byte[] repairPngChecksums(byte[] b) {
    byte[] out = b.clone();
    int pos = 8;
    CRC32 crc = new CRC32();
    while (pos + 12 <= out.length) {
      int len = ByteBuffer.wrap(out, pos, 4).getInt();
      if (len < 0 || len > out.length - pos - 12) {
        break;
      }
      crc.reset();
      crc.update(out, pos + 4, 4 + len);
      ByteBuffer.wrap(out, pos + 8 + len, 4).putInt((int) crc.getValue());
      pos += 12 + len;
    }
    return out;
  }
}
