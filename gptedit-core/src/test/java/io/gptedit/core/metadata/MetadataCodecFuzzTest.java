package io.gptedit.core.metadata;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.gptedit.core.testing.Fuzz;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fuzzing {@link MetadataCodec#fromJson(byte[])}: every mutant of valid metadata parses or fails with a
 * {@link MetadataException}, never another exception or an {@link Error}, within {@link #MAX_ALLOCATED} bytes.
 */
class MetadataCodecFuzzTest {
  /** A stated bound on one parse's allocation (the documents are at most 1 MiB). */
  static final long MAX_ALLOCATED = 32L << 20;

  private static List<byte[]> seeds;

  @BeforeAll
  static void seeds() {
    List<byte[]> s = new ArrayList<>();
    java.util.SplittableRandom r = new java.util.SplittableRandom(20);
    for (int i = 0; i < 12; i++) {
      s.add(MetadataCodec.toJsonBytes(MetadataGenerators.record(r)));
    }
    seeds = List.copyOf(s);
  }

  static void parse(byte[] b) {
    MetadataCodec.fromJson(b);
  }

  @Test
  void mutatedMetadataParsesOrFailsTyped() {
    Fuzz.mutants(21, 6000, seeds, MetadataException.class, MAX_ALLOCATED, MetadataCodecFuzzTest::parse);
  }

  @Test
  void oversizedAndDeeplyNestedDocumentsAreRefusedTyped() {
    byte[] big = ("{\"id\":\"" + "x".repeat(MetadataCodec.MAX_JSON_BYTES) + "\"}").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> MetadataCodec.fromJson(big))
        .isInstanceOf(MetadataException.class)
        .hasMessageContaining("over the limit");
    String deep = "[".repeat(10_000) + "]".repeat(10_000);
    assertThatThrownBy(() -> MetadataCodec.fromJson(deep)).isInstanceOf(MetadataException.class);
  }

  @FuzzTest(maxDuration = "2m")
  void metadataJson(byte[] data) {
    Fuzz.check(data, MetadataException.class, Fuzz.boundOutsideFuzzingMode(MAX_ALLOCATED), MetadataCodecFuzzTest::parse, "jazzer input");
  }
}
