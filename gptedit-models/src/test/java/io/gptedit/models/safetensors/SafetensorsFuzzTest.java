package io.gptedit.models.safetensors;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.gptedit.core.testing.Fuzz;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzing {@link SafetensorsFile}: every mutant of a small file (header length, JSON header, data) opens and reads
 * or fails with a {@link SafetensorsException}, never another exception or an {@link Error}, within
 * {@link #MAX_ALLOCATED} bytes (the header length is checked against the file before anything is allocated).
 */
class SafetensorsFuzzTest {
  /** A stated bound on opening and reading one mutated file. */
  static final long MAX_ALLOCATED = 8L << 20;

  @TempDir static Path dir;
  private static List<byte[]> seeds;

  @BeforeAll
  static void seeds() throws IOException {
    Path a = dir.resolve("a.safetensors");
    new SafetensorsWriter()
        .metadata("format", "pt")
        .addFloats("a.weight", DType.F32, new long[] {3, 2}, new float[] {1, 2, 3, 4, 5, 6})
        .addFloats("b.bias", DType.BF16, new long[] {4}, new float[] {1, 2, 3, 4})
        .write(a);
    Path b = dir.resolve("b.safetensors");
    new SafetensorsWriter()
        .addFloats("x", DType.F16, new long[] {2, 2, 2}, new float[] {1, 2, 3, 4, 5, 6, 7, 8})
        .write(b);
    seeds = List.of(Files.readAllBytes(a), Files.readAllBytes(b));
  }

  static void read(byte[] bytes) {
    Path p = dir.resolve("fuzz.safetensors");
    try {
      Files.write(p, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (SafetensorsFile f = SafetensorsFile.open(p)) {
      for (String name : f.tensors().keySet()) {
        if (f.info(name).dtype().isConvertibleToFloat()) {
          f.readFloats(name);
        } else {
          f.rawBytes(name);
        }
      }
    }
  }

  @Test
  void mutatedSafetensorsFilesReadOrFailTyped() {
    Fuzz.mutants(41, 1500, seeds, SafetensorsException.class, MAX_ALLOCATED, SafetensorsFuzzTest::read);
  }

  @FuzzTest(maxDuration = "2m")
  void safetensors(byte[] data) {
    Fuzz.check(data, SafetensorsException.class, Fuzz.boundOutsideFuzzingMode(MAX_ALLOCATED), SafetensorsFuzzTest::read, "jazzer input");
  }
}
