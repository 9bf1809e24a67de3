package io.gptedit.models.safetensors;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.gptedit.core.testing.Property;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SafetensorsMalformedTest {
  @TempDir Path dir;

  private Path file(String header, int dataBytes) throws Exception {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    Path p = dir.resolve("bad.safetensors");
    Files.write(p, b.array());
    return p;
  }

  private void rejects(Path p, String... fragments) {
    var a = assertThatThrownBy(() -> SafetensorsFile.open(p).close()).isInstanceOf(SafetensorsException.class);
    a.hasMessageContaining(p.toString());
    for (String f : fragments) {
      a.hasMessageContaining(f);
    }
  }

  @Test
  void headerLengthBeyondFileSizeIsRejectedBeforeAllocating() throws Exception {
    Path p = dir.resolve("huge.safetensors");
    Files.write(p, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(90_000_000L).array());
    rejects(p, "exceeds the file");
    Files.write(p, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE).array());
    rejects(p, "outside");
    Files.write(p, new byte[5]);
    rejects(p, "too short");
  }

  @Test
  void offsetsOutOfRangeOverlappingOrMismatchedAreRejectedNamingTheTensor() throws Exception {
    rejects(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4), "'w'", "past the data");
    rejects(
        file(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
            12),
        "overlap");
    rejects(file("{\"w\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8), "'w'", "needs 6");
    rejects(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", 8), "before begin");
    rejects(file("{\"w\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,1]}}", 8), "unknown dtype");
    rejects(
        file("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4],\"data_offsets\":[0,4]}}", 8),
        "overflow");
    rejects(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 8), "shape[0]");
    rejects(file("{\"w\":1}", 0), "must be an object");
    rejects(file("[1,2]", 0), "JSON object");
    rejects(file("{\"w\":", 0), "not valid JSON");
    rejects(file("{\"a\":{},\"a\":{}}", 0), "not valid JSON");
    rejects(file("{\"__metadata__\":{\"k\":1}}", 0), "__metadata__");
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {11, 12, 13})
  void fuzzedAndTruncatedFilesGiveOnlyTheTypedError(long seed) throws Exception {
    Path good = dir.resolve("good.safetensors");
    new SafetensorsWriter()
        .metadata("format", "pt")
        .addFloats("a.weight", DType.F32, new long[] {3, 2}, new float[] {1, 2, 3, 4, 5, 6})
        .addFloats("b.bias", DType.BF16, new long[] {4}, new float[] {1, 2, 3, 4})
        .write(good);
    byte[] original = Files.readAllBytes(good);
    Path p = dir.resolve("fuzz.safetensors");
    Property.forAll(
        seed,
        400,
        (SplittableRandom r) -> {
          byte[] b = original.clone();
          int kind = r.nextInt(3);
          if (kind == 0) {
            return Arrays.copyOf(b, r.nextInt(b.length));
          }
          int flips = 1 + r.nextInt(4);
          for (int i = 0; i < flips; i++) {
            int at = kind == 1 ? r.nextInt(8) : r.nextInt(b.length);
            b[at] = (byte) r.nextInt(256);
          }
          return b;
        },
        bytes -> {
          Files.write(p, bytes);
          try (SafetensorsFile f = SafetensorsFile.open(p)) {
            for (String name : f.tensors().keySet()) {
              if (f.info(name).dtype().isConvertibleToFloat()) {
                f.readFloats(name);
              } else {
                f.rawBytes(name);
              }
            }
          } catch (SafetensorsException expected) {
            if (!expected.getMessage().contains(p.toString())) {
              fail("error does not name the file: " + expected.getMessage());
            }
          }
        });
  }
}
