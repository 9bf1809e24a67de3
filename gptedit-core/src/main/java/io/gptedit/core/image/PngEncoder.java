package io.gptedit.core.image;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A small PNG encoder for 8-bit RGB: per-row adaptive filtering (the smallest sum of absolute filtered values
 * among None, Sub, Up and Paeth, as libpng does) and zlib at a chosen level.
 *
 * <p>It exists because shard writing is a hot path and because the output must be byte-identical for the same
 * pixels on every JDK, so the same input always gives the same shard bytes. No ancillary chunks are written.
 */
final class PngEncoder {
  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

  /** PNG filter type bytes of our candidates None, Sub, Up, Paeth (type 3, Average, is not tried). */
  private static final byte[] FILTER_TYPES = {0, 1, 2, 4};

  private PngEncoder() {}

  static byte[] encode(RgbImage image, int deflateLevel) {
    int w = image.width();
    int h = image.height();
    byte[] src = image.samples();
    int stride = w * 3;
    byte[] prev = new byte[stride];
    byte[][] candidates = new byte[4][stride];
    Deflater deflater = new Deflater(deflateLevel);
    ByteArrayOutputStream out = new ByteArrayOutputStream(src.length / 3 + 1024);
    try {
      out.writeBytes(SIGNATURE);
      byte[] ihdr = new byte[13];
      putInt(ihdr, 0, w);
      putInt(ihdr, 4, h);
      ihdr[8] = 8; // bit depth
      ihdr[9] = 2; // colour type: truecolour
      writeChunk(out, "IHDR", ihdr, ihdr.length);

      byte[] zbuf = new byte[64 * 1024];
      ByteArrayOutputStream idat = new ByteArrayOutputStream(src.length / 2 + 1024);
      byte[] filterByte = new byte[1];
      for (int y = 0; y < h; y++) {
        int off = y * stride;
        int best = filterRow(src, off, prev, stride, candidates);
        filterByte[0] = FILTER_TYPES[best];
        deflater.setInput(filterByte);
        drain(deflater, zbuf, idat);
        deflater.setInput(candidates[best], 0, stride);
        drain(deflater, zbuf, idat);
        System.arraycopy(src, off, prev, 0, stride);
      }
      deflater.finish();
      while (!deflater.finished()) {
        int n = deflater.deflate(zbuf);
        idat.write(zbuf, 0, n);
      }
      byte[] compressed = idat.toByteArray();
      writeChunk(out, "IDAT", compressed, compressed.length);
      writeChunk(out, "IEND", new byte[0], 0);
      return out.toByteArray();
    } finally {
      deflater.end();
    }
  }

  private static void drain(Deflater deflater, byte[] buf, ByteArrayOutputStream sink) {
    while (!deflater.needsInput()) {
      int n = deflater.deflate(buf);
      sink.write(buf, 0, n);
    }
  }

  /** Fills candidates[0..3] with None, Sub, Up, Paeth and returns the index of the best. */
  private static int filterRow(byte[] src, int off, byte[] prev, int stride, byte[][] cand) {
    byte[] none = cand[0];
    byte[] sub = cand[1];
    byte[] up = cand[2];
    byte[] paeth = cand[3];
    long sNone = 0;
    long sSub = 0;
    long sUp = 0;
    long sPaeth = 0;
    for (int i = 0; i < stride; i++) {
      int x = src[off + i] & 0xFF;
      int a = i >= 3 ? src[off + i - 3] & 0xFF : 0;
      int b = prev[i] & 0xFF;
      int c = i >= 3 ? prev[i - 3] & 0xFF : 0;
      byte vNone = (byte) x;
      byte vSub = (byte) (x - a);
      byte vUp = (byte) (x - b);
      byte vPaeth = (byte) (x - paethPredictor(a, b, c));
      none[i] = vNone;
      sub[i] = vSub;
      up[i] = vUp;
      paeth[i] = vPaeth;
      sNone += Math.abs(vNone);
      sSub += Math.abs(vSub);
      sUp += Math.abs(vUp);
      sPaeth += Math.abs(vPaeth);
    }
    int best = 0;
    long bestSum = sNone;
    if (sSub < bestSum) {
      best = 1;
      bestSum = sSub;
    }
    if (sUp < bestSum) {
      best = 2;
      bestSum = sUp;
    }
    if (sPaeth < bestSum) {
      best = 3;
    }
    return best;
  }

  private static int paethPredictor(int a, int b, int c) {
    int p = a + b - c;
    int pa = Math.abs(p - a);
    int pb = Math.abs(p - b);
    int pc = Math.abs(p - c);
    if (pa <= pb && pa <= pc) {
      return a;
    }
    return pb <= pc ? b : c;
  }

  private static void writeChunk(ByteArrayOutputStream out, String type, byte[] data, int length) {
    byte[] len = new byte[4];
    putInt(len, 0, length);
    out.writeBytes(len);
    byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
    out.writeBytes(typeBytes);
    out.write(data, 0, length);
    CRC32 crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data, 0, length);
    byte[] c = new byte[4];
    putInt(c, 0, (int) crc.getValue());
    out.writeBytes(c);
  }

  private static void putInt(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }
}
