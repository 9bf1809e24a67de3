package io.gptedit.models.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.gptedit.core.testing.Property;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SafetensorsRoundTripTest {
  @TempDir Path dir;

  record Tensor(String name, DType dtype, long[] shape, float[] values) {
    @Override
    public String toString() {
      return name + " " + dtype + java.util.Arrays.toString(shape);
    }
  }

  static Map<String, Tensor> randomTensors(SplittableRandom r) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    int count = 1 + r.nextInt(6);
    DType[] types = {DType.F32, DType.F16, DType.BF16};
    for (int i = 0; i < count; i++) {
      int rank = r.nextInt(4);
      long[] shape = new long[rank];
      int n = 1;
      for (int d = 0; d < rank; d++) {
        shape[d] = r.nextInt(5);
        n *= (int) shape[d];
      }
      float[] v = new float[n];
      for (int k = 0; k < n; k++) {
        v[k] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-3, 4)));
      }
      String name = "block." + r.nextInt(100) + ".w" + i;
      out.put(name, new Tensor(name, types[r.nextInt(3)], shape, v));
    }
    return out;
  }

  static float expected(DType t, float v) {
    return switch (t) {
      case F16 -> HalfFloats.f16ToFloat(HalfFloats.floatToF16(v));
      case BF16 -> HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(v));
      default -> v;
    };
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void randomTensorsRoundTripThroughWriterAndReader(long seed) {
    Property.forAll(
        seed,
        60,
        SafetensorsRoundTripTest::randomTensors,
        tensors -> {
          Path p = dir.resolve("t.safetensors");
          SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
          tensors.values().forEach(t -> w.addFloats(t.name, t.dtype, t.shape, t.values));
          w.write(p);
          try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertThat(f.tensors().keySet()).containsExactlyInAnyOrderElementsOf(tensors.keySet());
            assertThat(f.metadata()).containsEntry("format", "pt");
            for (Tensor t : tensors.values()) {
              assertThat(f.info(t.name).shape()).containsExactly(t.shape);
              assertThat(f.info(t.name).dtype()).isEqualTo(t.dtype);
              float[] got = f.readFloats(t.name);
              assertThat(got).hasSize(t.values.length);
              for (int i = 0; i < got.length; i++) {
                assertThat(got[i]).isEqualTo(expected(t.dtype, t.values[i]));
              }
            }
          }
        });
  }

  @Test
  void writerIsDeterministicAndPadsHeaderToEightBytes() throws Exception {
    Path a = dir.resolve("a.safetensors");
    Path b = dir.resolve("b.safetensors");
    new SafetensorsWriter()
        .addFloats("z", DType.F32, new long[] {2}, new float[] {1, 2})
        .addFloats("a", DType.BF16, new long[] {1}, new float[] {3})
        .metadata("k", "v")
        .write(a);
    new SafetensorsWriter()
        .metadata("k", "v")
        .addFloats("a", DType.BF16, new long[] {1}, new float[] {3})
        .addFloats("z", DType.F32, new long[] {2}, new float[] {1, 2})
        .write(b);
    byte[] bytes = Files.readAllBytes(a);
    assertThat(bytes).isEqualTo(Files.readAllBytes(b));
    long headerLen = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(headerLen % 8).isZero();
    String header = new String(bytes, 8, (int) headerLen, java.nio.charset.StandardCharsets.UTF_8).strip();
    assertThat(header)
        .isEqualTo(
            "{\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[0,2]},"
                + "\"z\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[2,10]}}");
  }

  @Test
  void halfFloatConversionsAreExactOnKnownValues() {
    assertThat(HalfFloats.f16ToFloat((short) 0x3c00)).isEqualTo(1.0f);
    assertThat(HalfFloats.f16ToFloat((short) 0xc000)).isEqualTo(-2.0f);
    assertThat(HalfFloats.f16ToFloat((short) 0x7bff)).isEqualTo(65504f);
    assertThat(HalfFloats.f16ToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
    assertThat(HalfFloats.floatToF16(65520f)).isEqualTo((short) 0x7c00);
    assertThat(HalfFloats.floatToF16(0x1p-24f)).isEqualTo((short) 0x0001);
    assertThat(HalfFloats.floatToF16(1.0f + 0x1p-11f)).isEqualTo((short) 0x3c00); // tie to even
    assertThat(HalfFloats.bf16ToFloat((short) 0x3f80)).isEqualTo(1.0f);
    assertThat(HalfFloats.floatToBf16(1.0f + 0x1p-8f)).isEqualTo((short) 0x3f80); // tie to even
    for (int bits = 0; bits < 0x10000; bits++) {
      float f = HalfFloats.f16ToFloat((short) bits);
      if (!Float.isNaN(f)) {
        assertThat(HalfFloats.floatToF16(f)).as("f16 bits %x", bits).isEqualTo((short) bits);
      }
    }
  }

  @Test
  void bf16AndIntegerTensorsLoadIntoDjlWithoutBf16Conversion() {
    Path p = dir.resolve("mixed.safetensors");
    byte[] ints = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(7).putLong(-3).array();
    new SafetensorsWriter()
        .addFloats("w", DType.BF16, new long[] {2, 2}, new float[] {1, -2, 0.5f, 3})
        .add("ids", DType.I64, new long[] {2}, ints)
        .add("mask", DType.BOOL, new long[] {2}, new byte[] {1, 0})
        .write(p);
    try (SafetensorsFile f = SafetensorsFile.open(p);
        NDManager m = NDManager.newBaseManager()) {
      NDArray w = f.load(m, "w");
      assertThat(w.getDataType()).isEqualTo(DataType.FLOAT32);
      assertThat(w.toFloatArray()).containsExactly(1, -2, 0.5f, 3);
      NDArray ids = f.load(m, "ids");
      assertThat(ids.getDataType()).isEqualTo(DataType.INT64);
      assertThat(ids.toLongArray()).containsExactly(7, -3);
      assertThat(f.load(m, "mask").toBooleanArray()).containsExactly(true, false);
      assertThatThrownBy(() -> f.load(m, "nope"))
          .isInstanceOf(SafetensorsException.class)
          .hasMessageContaining("nope")
          .hasMessageContaining(p.toString());
    }
  }

  @Test
  void streamedNdArraysWriteTheSameBytesAsHeapFloatsForF32AndKeepF16Exactly() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] v = new float[3 * 5];
      for (int i = 0; i < v.length; i++) {
        v[i] = (i - 7) * 0.37f;
      }
      NDArray a32 = m.create(v, new ai.djl.ndarray.types.Shape(3, 5));
      NDArray a16 = a32.toType(DataType.FLOAT16, true);
      Path streamed = dir.resolve("streamed.safetensors");
      Path heap = dir.resolve("heap.safetensors");
      new SafetensorsWriter().add("w", a32).write(streamed);
      new SafetensorsWriter().addFloats("w", DType.F32, new long[] {3, 5}, v).write(heap);
      assertThat(readAll(streamed)).isEqualTo(readAll(heap));
      Path half = dir.resolve("half.safetensors");
      new SafetensorsWriter().add("h", a16).write(half);
      try (SafetensorsFile f = SafetensorsFile.open(half)) {
        assertThat(f.info("h").dtype()).isEqualTo(DType.F16);
        assertThat(f.readFloats("h")).containsExactly(a16.toType(DataType.FLOAT32, true).toFloatArray());
      }
    }
  }

  private static byte[] readAll(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
