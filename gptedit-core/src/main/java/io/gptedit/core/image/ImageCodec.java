package io.gptedit.core.image;

import io.gptedit.core.GpteditException;
import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.zip.Deflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Reads and writes images: PNG and JPEG both ways, WebP read.
 *
 * <p>Decoding sniffs the format from the bytes (not the file name) and treats decoder warnings such as
 * "premature end of JPEG file" as errors: a truncated file is an {@link ImageDecodeException} naming the file,
 * never a silently half-grey image. PNG encoding is the SDK's own (deterministic bytes on every JDK, adaptive row
 * filters, zlib level {@value #DEFAULT_PNG_LEVEL} unless told otherwise).
 *
 * <p><b>Bounded memory.</b> Decoding reads the claimed size from the header bytes before any decoder runs and
 * refuses, with an {@link ImageDecodeException}, an image of more than {@link #maxPixels()} pixels (default
 * {@value #DEFAULT_MAX_PIXELS}, 8192 x 8192; set the system property {@value #MAX_PIXELS_PROPERTY} or pass a budget
 * to {@link #decode(byte[], String, int, long)}), a side over {@link RgbImage#MAX_SIDE}, and a PNG or JPEG that
 * claims more pixels than its bytes could encode (a 70-byte PNG cannot hold 16384 x 16384 pixels). So the largest
 * allocation is a few bytes per pixel of the budget, and for PNG and JPEG it is proportional to the data present.
 * Files over {@value #MAX_FILE_BYTES} bytes are refused before they are read. An {@link OutOfMemoryError} while
 * decoding (a heap smaller than the budget needs) is reported as an {@link ImageDecodeException} too.
 *
 * @since 0.1
 */
public final class ImageCodec {
  /** The zlib level used by {@link #encodePng(RgbImage)}: a balance of speed and size for shard writing. */
  public static final int DEFAULT_PNG_LEVEL = 6;

  /** The JPEG quality used by {@link #encodeJpeg(RgbImage)}, 0 to 1. */
  public static final float DEFAULT_JPEG_QUALITY = 0.95f;

  /** The default pixel budget: 8192 x 8192 = {@value} pixels (64 MP). */
  public static final long DEFAULT_MAX_PIXELS = 8192L * 8192L;

  /** The system property that overrides {@link #DEFAULT_MAX_PIXELS} for the whole JVM (read once). */
  public static final String MAX_PIXELS_PROPERTY = "gptedit.image.maxPixels";

  /** The largest encoded file {@link #read(Path)} accepts, in bytes. */
  public static final long MAX_FILE_BYTES = 512L * 1024 * 1024;

  private static final long MAX_PIXELS = budgetFromProperty();

  static {
    // TwelveMonkeys registers its WebP reader through the service loader; make sure it is scanned even when the
    // application class loader was set up before ours.
    ImageIO.scanForPlugins();
    ImageIO.setUseCache(false);
  }

  private ImageCodec() {}

  private static long budgetFromProperty() {
    String v = System.getProperty(MAX_PIXELS_PROPERTY);
    if (v == null || v.isBlank()) {
      return DEFAULT_MAX_PIXELS;
    }
    try {
      long n = Long.parseLong(v.strip());
      checkArgument(n >= 1, "must be at least 1");
      return n;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "system property " + MAX_PIXELS_PROPERTY + " must be a positive whole number of pixels, got '" + v + "'", e);
    }
  }

  /**
   * Returns the pixel budget every decode without an explicit budget uses.
   *
   * @return {@value #DEFAULT_MAX_PIXELS} unless the system property {@value #MAX_PIXELS_PROPERTY} says otherwise
   */
  public static long maxPixels() {
    return MAX_PIXELS;
  }

  /**
   * Reads an image file of any supported format.
   *
   * @param file the file
   * @return the decoded image, alpha composited onto white
   * @throws ImageDecodeException if the file is missing, empty, truncated, corrupt or of an unknown format; the
   *     message names the file
   */
  public static RgbImage read(Path file) {
    requireNonNull(file, "file");
    byte[] bytes;
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw new ImageDecodeException(file.toString(), "file has " + size + " bytes, over the limit", null);
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ImageDecodeException(file.toString(), "no such file", e);
    } catch (IOException e) {
      throw new ImageDecodeException(file.toString(), "cannot read file: " + e.getMessage(), e);
    }
    return decode(bytes, file.toString());
  }

  /**
   * Decodes an encoded image held in memory.
   *
   * @param bytes the encoded file contents
   * @param source a name for error messages (a path, a shard member, a URL)
   * @return the decoded image, alpha composited onto white
   * @throws ImageDecodeException if the bytes are empty, truncated, corrupt or of an unknown format
   */
  public static RgbImage decode(byte[] bytes, String source) {
    return decode(bytes, source, 0xFFFFFF);
  }

  /**
   * Decodes an encoded image held in memory, compositing transparency onto a given background.
   *
   * @param bytes the encoded file contents
   * @param source a name for error messages
   * @param background the colour under transparent pixels, {@code 0xRRGGBB}
   * @return the decoded image
   * @throws ImageDecodeException if the bytes cannot be decoded
   */
  public static RgbImage decode(byte[] bytes, String source, int background) {
    return decode(bytes, source, background, MAX_PIXELS);
  }

  /**
   * Decodes an encoded image held in memory within a pixel budget.
   *
   * @param bytes the encoded file contents
   * @param source a name for error messages
   * @param background the colour under transparent pixels, {@code 0xRRGGBB}
   * @param maxPixels the most pixels (width times height) the header may claim
   * @return the decoded image
   * @throws ImageDecodeException if the bytes cannot be decoded, or the image is over the budget (checked from
   *     the header, before any pixel buffer is allocated)
   */
  public static RgbImage decode(byte[] bytes, String source, int background, long maxPixels) {
    requireNonNull(bytes, "bytes");
    requireNonNull(source, "source");
    checkArgument(maxPixels >= 1, "maxPixels must be at least 1, got %s", maxPixels);
    if (bytes.length == 0) {
      throw new ImageDecodeException(source, "empty input", null);
    }
    ImageFormat format = ImageFormat.sniff(bytes, Math.min(bytes.length, 12));
    if (format == null) {
      throw new ImageDecodeException(source, "not a PNG, JPEG or WebP file (unrecognised header)", null);
    }
    ImageHeader header = ImageHeader.probe(bytes, format);
    if (header != null) {
      checkClaim(source, format, header.width(), header.height(), maxPixels);
      String implausible = header.implausibleFor(bytes.length, format);
      if (implausible != null) {
        throw new ImageDecodeException(source, "corrupt " + format + ": " + implausible, null);
      }
    }
    try {
      if (format == ImageFormat.PNG) {
        RgbImage fast = PngFastDecoder.tryDecode(bytes, source);
        if (fast != null) {
          return fast;
        }
      }
      return decodeWithImageIo(bytes, source, background, format, maxPixels);
    } catch (OutOfMemoryError e) {
      String size = header == null ? "" : " of " + header.width() + "x" + header.height();
      throw new ImageDecodeException(
          source, "out of memory decoding a " + format + size + " (lower the pixel budget or raise -Xmx)", e);
    } catch (ImageDecodeException e) {
      throw e;
    } catch (RuntimeException | StackOverflowError e) {
      throw new ImageDecodeException(
          source, "corrupt " + format + ": " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  private static void checkClaim(String source, ImageFormat format, long w, long h, long maxPixels) {
    if (w < 1 || h < 1 || w > RgbImage.MAX_SIDE || h > RgbImage.MAX_SIDE) {
      throw new ImageDecodeException(
          source, format + " header claims " + w + "x" + h + ", outside 1.." + RgbImage.MAX_SIDE + " a side", null);
    }
    if (w * h > maxPixels) {
      throw new ImageDecodeException(
          source,
          format + " header claims " + w + "x" + h + " = " + w * h + " pixels, over the budget of " + maxPixels
              + " (system property " + MAX_PIXELS_PROPERTY + ")",
          null);
    }
  }

  /** The general path: ImageIO's reader for the format, with alpha composited onto the background. */
  static RgbImage decodeWithImageIo(byte[] bytes, String source, int background, ImageFormat format, long maxPixels) {
    String formatName = format == ImageFormat.WEBP ? "webp" : format == ImageFormat.PNG ? "png" : "jpeg";
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(formatName);
    if (!readers.hasNext()) {
      throw new ImageDecodeException(source, "no ImageIO reader for " + format + " is installed", null);
    }
    ImageReader reader = readers.next();
    List<String> warnings = new ArrayList<>();
    IIOReadWarningListener listener = (r, warning) -> warnings.add(warning);
    try (ImageInputStream in = format == ImageFormat.WEBP
        ? new ExhaustibleInput(bytes, source)
        : ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      reader.setInput(in, true, true);
      reader.addIIOReadWarningListener(listener);
      // The reader's own idea of the size (it may differ from the probe's, e.g. a JPEG with a DNL marker).
      checkClaim(source, format, reader.getWidth(0), reader.getHeight(0), maxPixels);
      BufferedImage image = reader.read(0);
      if (!warnings.isEmpty()) {
        throw new ImageDecodeException(source, "corrupt or truncated " + format + ": " + warnings, null);
      }
      return RgbImage.fromBufferedImage(image, background);
    } catch (ImageDecodeException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new ImageDecodeException(
          source, "corrupt or truncated " + format + ": " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    } finally {
      reader.dispose();
    }
  }

  /**
   * An in-memory stream that gives up after a bounded number of reads past its end. TwelveMonkeys' WebP bit
   * reader treats the end of the data as zero bits and carries on, so a few bytes of garbage claiming a large
   * canvas would otherwise spin through every pixel (minutes of CPU for the 64-byte file of issue 15).
   */
  private static final class ExhaustibleInput extends javax.imageio.stream.ImageInputStreamImpl {
    private static final int MAX_READS_PAST_END = 64;
    private final byte[] data;
    private final String source;
    private int pastEnd;

    ExhaustibleInput(byte[] data, String source) {
      this.data = data;
      this.source = source;
    }

    @Override
    public int read() {
      bitOffset = 0;
      if (streamPos >= data.length) {
        return endReached();
      }
      return data[(int) streamPos++] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      bitOffset = 0;
      if (len == 0) {
        return 0;
      }
      if (streamPos >= data.length) {
        return endReached();
      }
      int n = (int) Math.min(len, data.length - streamPos);
      System.arraycopy(data, (int) streamPos, b, off, n);
      streamPos += n;
      return n;
    }

    private int endReached() {
      if (++pastEnd > MAX_READS_PAST_END) {
        throw new ImageDecodeException(source, "truncated: the decoder kept reading past the end of the data", null);
      }
      return -1;
    }

    @Override
    public long length() {
      return data.length;
    }
  }

  /**
   * Encodes as PNG at zlib level {@value #DEFAULT_PNG_LEVEL}.
   *
   * @param image the image
   * @return the PNG file bytes; the same pixels always give the same bytes
   */
  public static byte[] encodePng(RgbImage image) {
    return encodePng(image, DEFAULT_PNG_LEVEL);
  }

  /**
   * Encodes as PNG at a chosen zlib level.
   *
   * @param image the image
   * @param deflateLevel 0 (store) to 9 (smallest, slowest)
   * @return the PNG file bytes
   */
  public static byte[] encodePng(RgbImage image, int deflateLevel) {
    requireNonNull(image, "image");
    checkArgument(
        deflateLevel >= Deflater.NO_COMPRESSION && deflateLevel <= Deflater.BEST_COMPRESSION,
        "deflate level must be 0..9, got %s",
        deflateLevel);
    return PngEncoder.encode(image, deflateLevel);
  }

  /**
   * Encodes as baseline JPEG at quality {@value #DEFAULT_JPEG_QUALITY}.
   *
   * @param image the image
   * @return the JPEG file bytes
   */
  public static byte[] encodeJpeg(RgbImage image) {
    return encodeJpeg(image, DEFAULT_JPEG_QUALITY);
  }

  /**
   * Encodes as baseline JPEG.
   *
   * @param image the image
   * @param quality 0 to 1
   * @return the JPEG file bytes
   */
  public static byte[] encodeJpeg(RgbImage image, float quality) {
    requireNonNull(image, "image");
    checkArgument(quality >= 0f && quality <= 1f, "JPEG quality must be 0..1, got %s", quality);
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(out);
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(quality);
      writer.write(null, new IIOImage(image.toBufferedImage(), null, null), param);
    } catch (IOException e) {
      throw new GpteditException("JPEG encoding failed: " + e, e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  /**
   * Writes an image file atomically (a temporary file in the same folder, then a rename).
   *
   * @param image the image
   * @param file the destination
   * @param format {@link ImageFormat#PNG} or {@link ImageFormat#JPEG}
   * @throws io.gptedit.core.GpteditException if the file cannot be written
   * @throws IllegalArgumentException for {@link ImageFormat#WEBP}, which is read-only
   */
  public static void write(RgbImage image, Path file, ImageFormat format) {
    requireNonNull(format, "format");
    byte[] bytes =
        switch (format) {
          case PNG -> encodePng(image);
          case JPEG -> encodeJpeg(image);
          case WEBP -> throw new IllegalArgumentException("WebP is read-only in gptedit");
        };
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.write(tmp, bytes);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new GpteditException("cannot write image " + file + ": " + e, e);
    }
  }
}
