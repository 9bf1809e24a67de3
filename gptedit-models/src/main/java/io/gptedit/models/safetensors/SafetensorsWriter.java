package io.gptedit.models.safetensors;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Collects tensors and writes them as one safetensors file with deterministic bytes.
 *
 * <p>The same tensors and metadata always give the same file: tensors are laid out in name order, the header
 * lists {@code __metadata__} first and then tensors in name order with no whitespace, and is padded with spaces to
 * a multiple of 8 bytes (as the reference writer does, so data stays aligned). The file is written to a temporary
 * sibling and moved into place.
 *
 * @since 0.1
 */
public final class SafetensorsWriter {
  private final Map<String, Entry> tensors = new TreeMap<>();
  private final Map<String, String> metadata = new TreeMap<>();

  /** A tensor to write: bytes held in the heap ({@code data}), or an array streamed from native memory. */
  private record Entry(DType dtype, long[] shape, byte[] data, NDArray array, long length) {
    Entry(DType dtype, long[] shape, byte[] data) {
      this(dtype, shape, data, null, data.length);
    }
  }

  /** Creates an empty writer. */
  public SafetensorsWriter() {}

  /**
   * Adds a metadata entry (written under {@code __metadata__}).
   *
   * @param key the key
   * @param value the value
   * @return this writer
   */
  public SafetensorsWriter metadata(String key, String value) {
    metadata.put(requireNonNull(key, "key"), requireNonNull(value, "value"));
    return this;
  }

  /**
   * Adds a tensor from raw little-endian bytes.
   *
   * @param name the tensor name (not {@code __metadata__}, not already added)
   * @param dtype the element type
   * @param shape the shape
   * @param littleEndianData exactly {@code product(shape) * dtype size} bytes
   * @return this writer
   * @throws IllegalArgumentException if the name is taken or the byte count does not match the shape
   */
  public SafetensorsWriter add(String name, DType dtype, long[] shape, byte[] littleEndianData) {
    requireNonNull(name, "name");
    requireNonNull(dtype, "dtype");
    if (name.equals("__metadata__") || tensors.containsKey(name)) {
      throw new IllegalArgumentException("tensor name already used or reserved: " + name);
    }
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape of " + name);
      }
      n = Math.multiplyExact(n, d);
    }
    if (n * dtype.byteSize() != littleEndianData.length) {
      throw new IllegalArgumentException(
          name + ": " + littleEndianData.length + " bytes given, shape " + Arrays.toString(shape) + " of "
              + dtype + " needs " + n * dtype.byteSize());
    }
    tensors.put(name, new Entry(dtype, shape.clone(), littleEndianData.clone()));
    return this;
  }

  /**
   * Adds a float tensor, stored as F32, F16 or BF16 (rounded to nearest even).
   *
   * @param name the tensor name
   * @param dtype F32, F16 or BF16
   * @param shape the shape
   * @param values the elements in row-major order
   * @return this writer
   * @throws IllegalArgumentException if the dtype is not one of the three or the count does not match
   */
  public SafetensorsWriter addFloats(String name, DType dtype, long[] shape, float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    switch (dtype) {
      case F32 -> b.asFloatBuffer().put(values);
      case F16 -> {
        for (float v : values) {
          b.putShort(HalfFloats.floatToF16(v));
        }
      }
      case BF16 -> {
        for (float v : values) {
          b.putShort(HalfFloats.floatToBf16(v));
        }
      }
      default -> throw new IllegalArgumentException("addFloats stores F32, F16 or BF16, not " + dtype);
    }
    return add(name, dtype, shape, b.array());
  }

  /**
   * Adds a FLOAT32 (F32) or FLOAT16 (F16) NDArray, streamed: its bytes are copied from native memory straight to
   * the file when {@link #write} runs, one tensor at a time, never as a Java heap array. The array must stay open
   * until then.
   *
   * @param name the tensor name
   * @param array a FLOAT32 or FLOAT16 array
   * @return this writer
   * @throws IllegalArgumentException if the array is neither FLOAT32 nor FLOAT16, or the name is taken
   */
  public SafetensorsWriter add(String name, NDArray array) {
    requireNonNull(name, "name");
    DType dtype =
        switch (array.getDataType()) {
          case FLOAT32 -> DType.F32;
          case FLOAT16 -> DType.F16;
          default -> throw new IllegalArgumentException(
              name + ": only FLOAT32 and FLOAT16 arrays are written, got " + array.getDataType());
        };
    if (name.equals("__metadata__") || tensors.containsKey(name)) {
      throw new IllegalArgumentException("tensor name already used or reserved: " + name);
    }
    long length = Math.multiplyExact(array.getShape().size(), (long) dtype.byteSize());
    tensors.put(name, new Entry(dtype, array.getShape().getShape(), null, array, length));
    return this;
  }

  /**
   * Writes the file.
   *
   * @param path the destination (replaced if present)
   * @throws SafetensorsException if writing fails
   */
  public void write(Path path) {
    byte[] header = header();
    Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
    try (FileChannel out =
        FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      writeFully(out, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip());
      writeFully(out, ByteBuffer.wrap(header));
      for (Map.Entry<String, Entry> t : tensors.entrySet()) {
        Entry e = t.getValue();
        if (e.array() == null) {
          writeFully(out, ByteBuffer.wrap(e.data()));
          continue;
        }
        // The array's bytes in native memory (a direct buffer, not the heap), little-endian like safetensors
        // on the little-endian machines PyTorch runs on; checked, not assumed.
        ByteBuffer b = e.array().toByteBuffer();
        if (b.order() != ByteOrder.LITTLE_ENDIAN && ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
          throw new SafetensorsException("cannot stream " + t.getKey() + ": the engine's bytes are big-endian");
        }
        if (b.remaining() != e.length()) {
          throw new SafetensorsException(
              t.getKey() + ": the array gave " + b.remaining() + " bytes, its shape needs " + e.length());
        }
        writeFully(out, b);
      }
    } catch (IOException e) {
      throw new SafetensorsException("cannot write safetensors file " + path + ": " + e.getMessage(), e);
    }
    try {
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new SafetensorsException("cannot move " + tmp + " to " + path + ": " + e.getMessage(), e);
    }
  }

  private static void writeFully(FileChannel out, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      out.write(b);
    }
  }

  private byte[] header() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JsonGenerator g = new JsonFactory().createGenerator(bytes)) {
      g.writeStartObject();
      if (!metadata.isEmpty()) {
        g.writeObjectFieldStart("__metadata__");
        for (Map.Entry<String, String> m : metadata.entrySet()) {
          g.writeStringField(m.getKey(), m.getValue());
        }
        g.writeEndObject();
      }
      long offset = 0;
      for (Map.Entry<String, Entry> t : tensors.entrySet()) {
        Entry e = t.getValue();
        g.writeObjectFieldStart(t.getKey());
        g.writeStringField("dtype", e.dtype.name());
        g.writeArrayFieldStart("shape");
        for (long d : e.shape) {
          g.writeNumber(d);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("data_offsets");
        g.writeNumber(offset);
        g.writeNumber(offset + e.length());
        g.writeEndArray();
        g.writeEndObject();
        offset += e.length();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new SafetensorsException("cannot build safetensors header: " + e.getMessage(), e);
    }
    byte[] raw = bytes.toByteArray();
    int padded = (raw.length + 7) / 8 * 8;
    byte[] out = Arrays.copyOf(raw, padded);
    Arrays.fill(out, raw.length, padded, (byte) ' ');
    return out;
  }
}
