package io.gptedit.data.shards;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.gptedit.core.testing.Fuzz;
import io.gptedit.data.synthetic.SyntheticWorld;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzing {@link ShardReader}: every mutant of a small shard (with and without its sidecar index) reads to the
 * end under {@link ErrorPolicy#CONTINUE} without any exception, and under {@link ErrorPolicy#STOP} ends or throws a
 * {@link ShardException}, never another exception or an {@link Error}, within {@link #MAX_ALLOCATED} bytes.
 */
class ShardReaderFuzzTest {
  /** A stated bound on reading one mutated shard (a few times its 8 to 12 pixel images and the tar buffers). */
  static final long MAX_ALLOCATED = 16L << 20;

  @TempDir static Path dir;
  private static byte[] shard;
  private static byte[] index;

  @BeforeAll
  static void seed() throws IOException {
    SyntheticWorld world = SyntheticWorld.builder(7).optSides(8, 12).build();
    try (ShardWriter w = ShardWriter.builder(dir.resolve("seed"), "train").optMaxSamples(3).build()) {
      for (int i = 0; i < 3; i++) {
        w.write(world.sample(i).toTriplet());
      }
    }
    Path tar = dir.resolve("seed/train-000000.tar");
    shard = Files.readAllBytes(tar);
    index = Files.readAllBytes(ShardWriter.indexFor(tar));
  }

  /** Reads a shard file (and, if given, its sidecar) under both policies. */
  static void read(byte[] tarBytes, byte[] sidecar) {
    Path tar = dir.resolve("fuzz.tar");
    try {
      Files.write(tar, tarBytes);
      Path idx = ShardWriter.indexFor(tar);
      Files.deleteIfExists(idx);
      if (sidecar != null) {
        Files.write(idx, sidecar);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (ShardReader r = ShardReader.open(List.of(tar), ErrorPolicy.CONTINUE, true)) {
      r.forEachRemaining(s -> { });
    }
    try (ShardReader r = ShardReader.open(List.of(tar), ErrorPolicy.STOP, true)) {
      r.forEachRemaining(s -> { });
    }
  }

  @Test
  void mutatedShardsReadToTheEndOrFailTyped() {
    Fuzz.mutants(31, 400, List.of(shard), ShardException.class, MAX_ALLOCATED, b -> read(b, index));
  }

  @Test
  void mutatedShardsWithoutASidecarReadToTheEndOrFailTyped() {
    Fuzz.mutants(32, 300, List.of(shard), ShardException.class, MAX_ALLOCATED, b -> read(b, null));
  }

  @Test
  void mutatedSidecarIndexesAreReportedTyped() {
    SplittableRandom r = new SplittableRandom(33);
    for (int i = 0; i < 300; i++) {
      byte[] sidecar = Fuzz.mutate(r, index, List.of(index));
      Fuzz.check(shard, ShardException.class, MAX_ALLOCATED, b -> read(b, sidecar), "sidecar case " + i);
    }
  }

  @FuzzTest(maxDuration = "2m")
  void shardTar(byte[] data) {
    Fuzz.check(data, ShardException.class, Fuzz.boundOutsideFuzzingMode(MAX_ALLOCATED), b -> read(b, null), "jazzer input");
  }
}
