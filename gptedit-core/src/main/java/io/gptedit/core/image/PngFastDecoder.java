package io.gptedit.core.image;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A fast path for the PNGs this SDK writes: 8-bit truecolour, not interlaced, chunks IHDR, IDAT..., IEND only.
 * Decoding a small image through ImageIO costs far more in reader setup than in pixels (shards of 16x16 images
 * spend most of their read time there). Anything else (other colour types or depths, interlacing, ancillary
 * chunks such as gamma or transparency, a bad CRC, an over-long zlib stream, trailing bytes) is declined with
 * {@code null} before any inflating, so the caller falls back to ImageIO with its usual errors. Damage found while
 * inflating (a broken or short zlib stream, an unknown row filter) is an {@link ImageDecodeException} at once: the
 * same bytes are not inflated a second time by ImageIO only to fail the same way.
 *
 * <p>Memory follows the data: the scanline buffer starts small and doubles as the stream actually inflates, up
 * to the size the header claims, so a file whose header claims a huge image but holds little data never
 * allocates the claimed size.
 */
final class PngFastDecoder {
  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  private static final int IHDR = 0x49484452;
  private static final int IDAT = 0x49444154;
  private static final int IEND = 0x49454E44;

  private PngFastDecoder() {}

  /** The first size of the scanline buffer; it doubles as data arrives. */
  private static final int FIRST_BUFFER = 1 << 16;

  /**
   * Decodes a simple PNG.
   *
   * @param b the file bytes
   * @param source the name for error messages
   * @return the image, or {@code null} if the file is not one this path handles (or its chunk structure is
   *     damaged)
   * @throws ImageDecodeException if the compressed data turns out damaged while inflating
   */
  static RgbImage tryDecode(byte[] b, String source) {
    if (b.length < SIGNATURE.length + 12 + 13 + 12) {
      return null;
    }
    for (int i = 0; i < SIGNATURE.length; i++) {
      if (b[i] != SIGNATURE[i]) {
        return null;
      }
    }
    CRC32 crc = new CRC32();
    List<int[]> idat = new ArrayList<>();
    int w = 0;
    int h = 0;
    boolean end = false;
    int pos = SIGNATURE.length;
    while (!end && pos + 12 <= b.length) {
      int len = readInt(b, pos);
      int type = readInt(b, pos + 4);
      if (len < 0 || len > b.length - pos - 12) {
        return null;
      }
      crc.reset();
      crc.update(b, pos + 4, 4 + len);
      if ((int) crc.getValue() != readInt(b, pos + 8 + len)) {
        return null;
      }
      int data = pos + 8;
      if (type == IHDR) {
        if (pos != SIGNATURE.length || len != 13) {
          return null;
        }
        w = readInt(b, data);
        h = readInt(b, data + 4);
        if (w < 1 || h < 1 || w > RgbImage.MAX_SIDE || h > RgbImage.MAX_SIDE
            || b[data + 8] != 8 || b[data + 9] != 2 || b[data + 10] != 0 || b[data + 11] != 0 || b[data + 12] != 0) {
          return null;
        }
      } else if (type == IDAT && w > 0) {
        idat.add(new int[] {data, len});
      } else if (type == IEND && w > 0 && len == 0) {
        end = true;
      } else {
        return null;
      }
      pos = data + len + 4;
    }
    if (!end || pos != b.length || idat.isEmpty()) {
      return null;
    }
    int stride = w * 3;
    long expectedLong = (stride + 1L) * h;
    if (expectedLong > Integer.MAX_VALUE - 16) {
      return null; // ImageIO reports it
    }
    int expected = (int) expectedLong;
    // One spare byte: a stream that inflates to more is declined. Grown as data arrives, never ahead of it.
    byte[] raw = new byte[Math.min(expected + 1, FIRST_BUFFER)];
    int got = 0;
    Inflater inf = new Inflater();
    try {
      for (int[] chunk : idat) {
        if (inf.finished()) {
          return null; // IDAT data after the end of the zlib stream
        }
        inf.setInput(b, chunk[0], chunk[1]);
        int stalls = 0;
        while (!inf.needsInput() && !inf.finished()) {
          if (got == raw.length) {
            raw = Arrays.copyOf(raw, (int) Math.min(expected + 1L, 2L * raw.length));
          }
          int n = inf.inflate(raw, got, raw.length - got);
          got += n;
          if (got > expected) {
            return null;
          }
          if (inf.needsDictionary()) {
            throw new ImageDecodeException(source, "corrupt PNG: zlib stream asks for a preset dictionary", null);
          }
          stalls = n == 0 && got < raw.length ? stalls + 1 : 0;
          if (stalls > 2) {
            throw new ImageDecodeException(source, "corrupt PNG: zlib stream makes no progress", null);
          }
        }
      }
      if (!inf.finished() || got != expected) {
        throw new ImageDecodeException(
            source,
            "corrupt or truncated PNG: image data inflates to " + got + " bytes, " + w + "x" + h + " needs "
                + expected + (inf.finished() ? "" : " (zlib stream not finished)"),
            null);
      }
      if (inf.getRemaining() != 0) {
        return null; // bytes after the zlib stream: let ImageIO judge
      }
    } catch (DataFormatException e) {
      throw new ImageDecodeException(source, "corrupt PNG: bad zlib data in IDAT: " + e.getMessage(), e);
    } finally {
      inf.end();
    }
    byte[] out = new byte[stride * h];
    for (int y = 0; y < h; y++) {
      int in = y * (stride + 1);
      int filter = raw[in++];
      int o = y * stride;
      int up = o - stride;
      switch (filter) {
        case 0 -> System.arraycopy(raw, in, out, o, stride);
        case 1 -> {
          for (int i = 0; i < stride; i++) {
            int left = i >= 3 ? out[o + i - 3] & 0xFF : 0;
            out[o + i] = (byte) (raw[in + i] + left);
          }
        }
        case 2 -> {
          for (int i = 0; i < stride; i++) {
            int above = y > 0 ? out[up + i] & 0xFF : 0;
            out[o + i] = (byte) (raw[in + i] + above);
          }
        }
        case 3 -> {
          for (int i = 0; i < stride; i++) {
            int left = i >= 3 ? out[o + i - 3] & 0xFF : 0;
            int above = y > 0 ? out[up + i] & 0xFF : 0;
            out[o + i] = (byte) (raw[in + i] + ((left + above) >>> 1));
          }
        }
        case 4 -> {
          for (int i = 0; i < stride; i++) {
            int a = i >= 3 ? out[o + i - 3] & 0xFF : 0;
            int bb = y > 0 ? out[up + i] & 0xFF : 0;
            int c = i >= 3 && y > 0 ? out[up + i - 3] & 0xFF : 0;
            int p = a + bb - c;
            int pa = Math.abs(p - a);
            int pb = Math.abs(p - bb);
            int pc = Math.abs(p - c);
            int pred = pa <= pb && pa <= pc ? a : pb <= pc ? bb : c;
            out[o + i] = (byte) (raw[in + i] + pred);
          }
        }
        default -> throw new ImageDecodeException(source, "corrupt PNG: row " + y + " has filter type " + filter, null);
      }
    }
    return RgbImage.wrapOwned(w, h, out);
  }

  private static int readInt(byte[] b, int at) {
    return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
  }
}
