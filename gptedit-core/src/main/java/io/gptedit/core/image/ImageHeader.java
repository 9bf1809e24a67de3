package io.gptedit.core.image;

/**
 * The size an encoded image claims, read from its header bytes alone (no decoder, no allocation), so that
 * {@link ImageCodec} can refuse an image over the pixel budget, or one that claims more pixels than its data could
 * hold, before anything the size of the image is allocated.
 *
 * @param width the claimed width
 * @param height the claimed height
 * @param entropyBound whether the format bounds the pixels a byte of data can hold ({@link #implausibleFor})
 */
record ImageHeader(long width, long height, boolean entropyBound) {
  /** zlib's largest expansion: a deflate stream cannot inflate to more than about 1032 times its length. */
  private static final long DEFLATE_MAX_RATIO = 1032;

  /** The number of pixels claimed. */
  long pixels() {
    return width * height;
  }

  /**
   * Reads the claimed size.
   *
   * @param b the file bytes
   * @param format the sniffed format
   * @return the size, or {@code null} when the header is not one this probe understands (ImageIO's reader then
   *     reports the size, still before any pixel buffer exists)
   */
  static ImageHeader probe(byte[] b, ImageFormat format) {
    return switch (format) {
      case PNG -> png(b);
      case JPEG -> jpeg(b);
      case WEBP -> webp(b);
    };
  }

  /**
   * Says why the claimed size cannot be genuine given how many bytes the file has, or {@code null} when it can.
   * PNG: the smallest possible raw scanlines (1 bit a pixel plus a filter byte a row) must fit in what the file's
   * deflate data can inflate to. JPEG (Huffman-coded, the only kind ImageIO reads): every 8x8 block of a component
   * costs at least one bit. WebP has no such bound (a lossless image of one colour costs almost nothing).
   */
  String implausibleFor(int fileBytes, ImageFormat format) {
    if (!entropyBound) {
      return null;
    }
    long capacity;
    String rule;
    switch (format) {
      case PNG -> {
        long minRaw = ((width + 7) / 8 + 1) * height;
        capacity = DEFLATE_MAX_RATIO * fileBytes;
        if (minRaw <= capacity) {
          return null;
        }
        rule = "its scanlines need at least " + minRaw + " bytes, more than " + fileBytes
            + " bytes of deflate data can hold";
      }
      case JPEG -> {
        long blocks = ((width + 7) / 8) * ((height + 7) / 8);
        capacity = 8L * fileBytes;
        if (blocks <= capacity) {
          return null;
        }
        rule = "its " + blocks + " 8x8 blocks need at least one bit each, more than " + fileBytes + " bytes hold";
      }
      default -> {
        return null;
      }
    }
    return "the header claims " + width + "x" + height + " but the file has only " + fileBytes + " bytes: " + rule
        + " (truncated or forged)";
  }

  private static ImageHeader png(byte[] b) {
    // signature (8), IHDR length (4), "IHDR" (4), width (4), height (4)
    if (b.length < 24 || b[12] != 'I' || b[13] != 'H' || b[14] != 'D' || b[15] != 'R') {
      return null;
    }
    return new ImageHeader(u32be(b, 16), u32be(b, 20), true);
  }

  private static ImageHeader jpeg(byte[] b) {
    int pos = 2;
    while (pos + 4 <= b.length) {
      if ((b[pos] & 0xFF) != 0xFF) {
        return null;
      }
      int marker = b[pos + 1] & 0xFF;
      if (marker == 0xFF) {
        pos++; // fill byte
        continue;
      }
      if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
        pos += 2; // standalone markers
        continue;
      }
      if (marker == 0xDA || marker == 0xD9) {
        return null; // scan or end before any frame header
      }
      int len = (b[pos + 2] & 0xFF) << 8 | (b[pos + 3] & 0xFF);
      boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (sof) {
        if (pos + 9 > b.length) {
          return null;
        }
        long h = (b[pos + 5] & 0xFF) << 8 | (b[pos + 6] & 0xFF);
        long w = (b[pos + 7] & 0xFF) << 8 | (b[pos + 8] & 0xFF);
        // height 0 means "given later by a DNL marker": let ImageIO report it. SOF9 and up are arithmetic-coded.
        return h == 0 ? null : new ImageHeader(w, h, marker < 0xC9);
      }
      if (len < 2) {
        return null;
      }
      pos += 2 + len;
    }
    return null;
  }

  private static ImageHeader webp(byte[] b) {
    // "RIFF" size "WEBP", then the first chunk's fourcc at 12 and its payload at 20
    if (b.length < 30) {
      return null;
    }
    String fourcc = new String(b, 12, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
    switch (fourcc) {
      case "VP8X" -> {
        return new ImageHeader(1 + u24le(b, 24), 1 + u24le(b, 27), false);
      }
      case "VP8L" -> {
        if ((b[20] & 0xFF) != 0x2F) {
          return null;
        }
        long bits = u32le(b, 21);
        return new ImageHeader(1 + (bits & 0x3FFF), 1 + ((bits >>> 14) & 0x3FFF), false);
      }
      case "VP8 " -> {
        // 3-byte frame tag, start code 9d 01 2a, then 14-bit width and height (2 scale bits each)
        if ((b[23] & 0xFF) != 0x9D || (b[24] & 0xFF) != 0x01 || (b[25] & 0xFF) != 0x2A) {
          return null;
        }
        return new ImageHeader(u16le(b, 26) & 0x3FFF, u16le(b, 28) & 0x3FFF, false);
      }
      default -> {
        return null;
      }
    }
  }

  private static long u32be(byte[] b, int at) {
    return (b[at] & 0xFFL) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
  }

  private static long u32le(byte[] b, int at) {
    return (b[at + 3] & 0xFFL) << 24 | (b[at + 2] & 0xFF) << 16 | (b[at + 1] & 0xFF) << 8 | (b[at] & 0xFF);
  }

  private static long u24le(byte[] b, int at) {
    return (b[at + 2] & 0xFF) << 16 | (b[at + 1] & 0xFF) << 8 | (b[at] & 0xFF);
  }

  private static int u16le(byte[] b, int at) {
    return (b[at + 1] & 0xFF) << 8 | (b[at] & 0xFF);
  }
}
