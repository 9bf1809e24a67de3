package io.gptedit.models.safetensors;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedMap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * A safetensors file opened for reading: the header is parsed and validated up front, tensor data is memory-mapped
 * on demand.
 *
 * <p>Validation happens before anything is allocated from the header's claims: the header length must fit in the
 * file and be at most {@value #MAX_HEADER_BYTES} bytes (the reference implementation's cap); every tensor's dtype
 * must be known, its byte range must lie inside the data section, must not overlap another tensor's, and must
 * hold exactly {@code product(shape) * dtype size} bytes. Every violation is a {@link SafetensorsException} naming
 * the file and the tensor.
 *
 * <p>Floating-point tensors are returned as 32-bit floats: BF16 and F16 are widened in Java (DJL's PyTorch engine
 * cannot convert to or from bf16 without aborting the JVM).
 *
 * @since 0.1
 */
public final class SafetensorsFile implements AutoCloseable {
  /** The largest header accepted, as in the reference implementation (100 MB). */
  public static final long MAX_HEADER_BYTES = 100_000_000L;

  private static final String METADATA_KEY = "__metadata__";
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final Path path;
  private final FileChannel channel;
  private final long dataStart;
  private final SortedMap<String, TensorInfo> tensors;
  private final Map<String, String> metadata;

  private SafetensorsFile(
      Path path,
      FileChannel channel,
      long dataStart,
      SortedMap<String, TensorInfo> tensors,
      Map<String, String> metadata) {
    this.path = path;
    this.channel = channel;
    this.dataStart = dataStart;
    this.tensors = tensors;
    this.metadata = metadata;
  }

  /**
   * Opens and validates a safetensors file.
   *
   * @param path the file
   * @return the open file; close it to release the file handle
   * @throws SafetensorsException if the file cannot be read or its header is malformed or inconsistent
   */
  public static SafetensorsFile open(Path path) {
    requireNonNull(path, "path");
    FileChannel channel;
    try {
      channel = FileChannel.open(path, StandardOpenOption.READ);
    } catch (IOException e) {
      throw new SafetensorsException("cannot open safetensors file " + path + ": " + e.getMessage(), e);
    }
    try {
      long fileSize = channel.size();
      if (fileSize < 8) {
        throw new SafetensorsException(
            path + ": file is " + fileSize + " bytes, too short for the 8-byte header length");
      }
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, lenBuf, 0, path);
      long headerLen = lenBuf.flip().getLong();
      if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
        throw new SafetensorsException(
            path + ": header length " + headerLen + " is outside [2, " + MAX_HEADER_BYTES + "]");
      }
      if (headerLen > fileSize - 8) {
        throw new SafetensorsException(
            path + ": header length " + headerLen + " exceeds the file's remaining " + (fileSize - 8) + " bytes");
      }
      ByteBuffer header = ByteBuffer.allocate((int) headerLen);
      readFully(channel, header, 8, path);
      long dataStart = 8 + headerLen;
      long dataSize = fileSize - dataStart;
      Parsed parsed = parseHeader(path, header.array(), dataSize);
      return new SafetensorsFile(path, channel, dataStart, parsed.tensors, parsed.metadata);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new SafetensorsException("cannot read safetensors file " + path + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  private record Parsed(SortedMap<String, TensorInfo> tensors, Map<String, String> metadata) {}

  private static Parsed parseHeader(Path path, byte[] header, long dataSize) {
    JsonNode root;
    try {
      root = JSON.readTree(header);
    } catch (IOException e) {
      throw new SafetensorsException(path + ": header is not valid JSON: "
              + (e instanceof com.fasterxml.jackson.core.JsonProcessingException jp ? jp.getOriginalMessage() : e.getMessage()), e);
    }
    if (root == null || !root.isObject()) {
      throw new SafetensorsException(path + ": header must be a JSON object");
    }
    ImmutableSortedMap.Builder<String, TensorInfo> tensors = ImmutableSortedMap.naturalOrder();
    ImmutableMap.Builder<String, String> metadata = ImmutableMap.builder();
    List<TensorInfo> all = new ArrayList<>();
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      String name = field.getKey();
      JsonNode node = field.getValue();
      if (name.equals(METADATA_KEY)) {
        if (!node.isObject()) {
          throw new SafetensorsException(path + ": __metadata__ must be an object of strings");
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
          if (!e.getValue().isTextual()) {
            throw new SafetensorsException(
                path + ": __metadata__ value for '" + e.getKey() + "' is not a string");
          }
          metadata.put(e.getKey(), e.getValue().textValue());
        }
        continue;
      }
      TensorInfo info = parseTensor(path, name, node, dataSize);
      tensors.put(name, info);
      all.add(info);
    }
    all.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
    TensorInfo previous = null;
    for (TensorInfo t : all) {
      if (t.byteLength() == 0) {
        continue;
      }
      if (previous != null && t.begin() < previous.end()) {
        throw new SafetensorsException(
            path + ": tensor '" + t.name() + "' bytes [" + t.begin() + ", " + t.end() + ") overlap tensor '"
                + previous.name() + "' bytes [" + previous.begin() + ", " + previous.end() + ")");
      }
      previous = t;
    }
    return new Parsed(tensors.build(), metadata.buildKeepingLast());
  }

  private static TensorInfo parseTensor(Path path, String name, JsonNode node, long dataSize) {
    String where = path + ": tensor '" + name + "'";
    if (!node.isObject()) {
      throw new SafetensorsException(where + " entry must be an object");
    }
    JsonNode dtypeNode = node.get("dtype");
    if (dtypeNode == null || !dtypeNode.isTextual()) {
      throw new SafetensorsException(where + " has no string 'dtype'");
    }
    DType dtype =
        DType.fromHeaderName(dtypeNode.textValue())
            .orElseThrow(() -> new SafetensorsException(where + " has unknown dtype '" + dtypeNode.textValue() + "'"));
    JsonNode shapeNode = node.get("shape");
    if (shapeNode == null || !shapeNode.isArray()) {
      throw new SafetensorsException(where + " has no array 'shape'");
    }
    long[] shape = new long[shapeNode.size()];
    long elements = 1;
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = shapeNode.get(i);
      if (!d.isIntegralNumber() || !d.canConvertToLong() || d.longValue() < 0) {
        throw new SafetensorsException(where + " shape[" + i + "] is not a non-negative integer: " + d);
      }
      shape[i] = d.longValue();
      try {
        elements = Math.multiplyExact(elements, shape[i]);
      } catch (ArithmeticException e) {
        throw new SafetensorsException(where + " shape overflows a 64-bit element count", e);
      }
    }
    JsonNode offsets = node.get("data_offsets");
    if (offsets == null || !offsets.isArray() || offsets.size() != 2) {
      throw new SafetensorsException(where + " has no two-element 'data_offsets'");
    }
    long[] be = new long[2];
    for (int i = 0; i < 2; i++) {
      JsonNode o = offsets.get(i);
      if (!o.isIntegralNumber() || !o.canConvertToLong() || o.longValue() < 0) {
        throw new SafetensorsException(where + " data_offsets[" + i + "] is not a non-negative integer: " + o);
      }
      be[i] = o.longValue();
    }
    if (be[1] < be[0]) {
      throw new SafetensorsException(where + " data_offsets end " + be[1] + " is before begin " + be[0]);
    }
    if (be[1] > dataSize) {
      throw new SafetensorsException(
          where + " data_offsets end " + be[1] + " is past the data section's " + dataSize + " bytes");
    }
    long expected;
    try {
      expected = Math.multiplyExact(elements, (long) dtype.byteSize());
    } catch (ArithmeticException e) {
      throw new SafetensorsException(where + " byte size overflows", e);
    }
    if (be[1] - be[0] != expected) {
      throw new SafetensorsException(
          where + " holds " + (be[1] - be[0]) + " bytes but " + dtype + " shape "
              + java.util.Arrays.toString(shape) + " needs " + expected);
    }
    return new TensorInfo(name, dtype, shape, be[0], be[1]);
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long position, Path path) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos);
      if (n < 0) {
        throw new SafetensorsException(path + ": unexpected end of file at byte " + pos);
      }
      pos += n;
    }
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // Already failing with a more useful exception.
    }
  }

  /**
   * Returns the file this was opened from.
   *
   * @return the path
   */
  public Path path() {
    return path;
  }

  /**
   * Returns every tensor's header entry, by name in sorted order.
   *
   * @return an immutable map
   */
  public SortedMap<String, TensorInfo> tensors() {
    return tensors;
  }

  /**
   * Returns the header's {@code __metadata__} map (empty if absent).
   *
   * @return an immutable map of strings
   */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * Returns one tensor's header entry.
   *
   * @param name the tensor name
   * @return the entry
   * @throws SafetensorsException if there is no such tensor
   */
  public TensorInfo info(String name) {
    TensorInfo info = tensors.get(requireNonNull(name, "name"));
    if (info == null) {
      throw new SafetensorsException(path + ": no tensor named '" + name + "'");
    }
    return info;
  }

  /**
   * Maps one tensor's bytes read-only, little-endian.
   *
   * @param name the tensor name
   * @return a read-only buffer positioned at the tensor's first byte
   * @throws SafetensorsException if there is no such tensor, it is over 2 GiB, or mapping fails
   */
  public ByteBuffer rawBytes(String name) {
    TensorInfo info = info(name);
    if (info.byteLength() > Integer.MAX_VALUE) {
      throw new SafetensorsException(path + ": tensor '" + name + "' is over 2 GiB, too large to map at once");
    }
    try {
      return channel
          .map(FileChannel.MapMode.READ_ONLY, dataStart + info.begin(), info.byteLength())
          .order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException e) {
      throw new SafetensorsException(path + ": cannot map tensor '" + name + "': " + e.getMessage(), e);
    }
  }

  /**
   * Reads a floating-point tensor as 32-bit floats (F64 is narrowed, F16 and BF16 widened exactly).
   *
   * @param name the tensor name
   * @return the elements in row-major order
   * @throws SafetensorsException if there is no such tensor or its dtype is not F64, F32, F16 or BF16
   */
  public float[] readFloats(String name) {
    TensorInfo info = info(name);
    if (!info.dtype().isConvertibleToFloat()) {
      throw new SafetensorsException(
          path + ": tensor '" + name + "' has dtype " + info.dtype() + ", not a float type");
    }
    ByteBuffer b = rawBytes(name);
    int n = Math.toIntExact(info.elementCount());
    float[] out = new float[n];
    switch (info.dtype()) {
      case F32 -> b.asFloatBuffer().get(out);
      case F64 -> {
        for (int i = 0; i < n; i++) {
          out[i] = (float) b.getDouble(i * 8);
        }
      }
      case F16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = HalfFloats.f16ToFloat(b.getShort(i * 2));
        }
      }
      case BF16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = HalfFloats.bf16ToFloat(b.getShort(i * 2));
        }
      }
      default -> throw new AssertionError(info.dtype());
    }
    return out;
  }

  /**
   * Loads a tensor as an NDArray: float types become FLOAT32 (BF16/F16 widened in Java), I64, I32, U8 and BOOL keep
   * their type.
   *
   * @param manager the manager that will own the array
   * @param name the tensor name
   * @return a new array with the tensor's shape
   * @throws SafetensorsException if there is no such tensor or its dtype cannot be loaded
   */
  public NDArray load(NDManager manager, String name) {
    TensorInfo info = info(name);
    Shape shape = new Shape(info.shape());
    if (info.dtype().isConvertibleToFloat()) {
      return manager.create(readFloats(name), shape);
    }
    DataType target =
        switch (info.dtype()) {
          case I64 -> DataType.INT64;
          case I32 -> DataType.INT32;
          case U8 -> DataType.UINT8;
          case BOOL -> DataType.BOOLEAN;
          default -> throw new SafetensorsException(
              path + ": tensor '" + name + "' has dtype " + info.dtype() + ", which cannot be loaded into DJL");
        };
    ByteBuffer src = rawBytes(name);
    ByteBuffer copy = ByteBuffer.allocateDirect(src.remaining()).order(ByteOrder.nativeOrder());
    copy.put(src.duplicate().order(ByteOrder.LITTLE_ENDIAN)).flip();
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN && info.dtype().byteSize() > 1) {
      throw new SafetensorsException(path + ": integer tensors need a little-endian machine");
    }
    return manager.create(copy, shape, target);
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new SafetensorsException("cannot close " + path + ": " + e.getMessage(), e);
    }
  }
}
