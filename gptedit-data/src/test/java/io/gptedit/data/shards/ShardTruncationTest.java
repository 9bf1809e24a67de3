package io.gptedit.data.shards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.core.metadata.MetadataCodec;
import io.gptedit.data.index.DatasetIndex;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression tests for truncated shards read as complete (issue 15, item 2): a tar cut at a sample boundary read
 * 10 of 28 samples with no error under both policies; a 0-byte tar and a tar without end-of-archive blocks were
 * accepted; a cut inside a member was reported as the next member "missing"; a missing folder was an
 * {@link java.io.UncheckedIOException}.
 */
class ShardTruncationTest {
  @TempDir Path tmp;

  private Path writeShard(int samples) {
    try (ShardWriter w = ShardWriter.builder(tmp, "train").optMaxSamples(samples).build()) {
      ShardRoundTripTest.triplets(samples).forEach(w::write);
    }
    return tmp.resolve("train-000000.tar");
  }

  private static void cut(Path file, long length) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, (int) length));
  }

  private static List<String> readAll(Path shard, ErrorPolicy policy, List<ShardError> errors) {
    List<String> keys = new ArrayList<>();
    try (ShardReader r = ShardReader.open(List.of(shard), policy, true)) {
      r.forEachRemaining(s -> keys.add(s.key()));
      errors.addAll(r.errors());
    }
    return keys;
  }

  @Test
  void tarCutAtASampleBoundaryReading10Of28SamplesIsTruncationUnderStopAndContinue() throws IOException {
    Path shard = writeShard(28);
    cut(shard, ShardIndex.read(shard).get(10).offset());

    List<ShardError> errors = new ArrayList<>();
    assertThat(readAll(shard, ErrorPolicy.CONTINUE, errors)).hasSize(10);
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0).key()).isEqualTo("syn-00000010");
    assertThat(errors.get(0).problem())
        .contains("truncated")
        .contains("no end-of-archive")
        .contains("lists 28 samples, 10 complete");

    List<String> delivered = new ArrayList<>();
    assertThatThrownBy(() -> {
      try (ShardReader r = ShardReader.open(List.of(shard), ErrorPolicy.STOP, true)) {
        r.forEachRemaining(s -> delivered.add(s.key()));
      }
    }).isInstanceOf(ShardException.class)
        .hasMessageContaining("train-000000.tar")
        .hasMessageContaining("syn-00000010")
        .hasMessageContaining("truncated");
    assertThat(delivered).hasSize(10);
  }

  @Test
  void zeroByteTarIsTruncationNotAnEmptyShard() throws IOException {
    Path shard = writeShard(3);
    cut(shard, 0);
    List<ShardError> errors = new ArrayList<>();
    assertThat(readAll(shard, ErrorPolicy.CONTINUE, errors)).isEmpty();
    assertThat(errors).singleElement().satisfies(e -> {
      assertThat(e.problem()).contains("empty").contains("lists 3 samples");
      assertThat(e.key()).isEqualTo("syn-00000000");
    });
  }

  @Test
  void tarWithoutEndOfArchiveBlocksIsTruncationEvenWithoutASidecar() throws IOException {
    Path shard = writeShard(3);
    Files.delete(ShardWriter.indexFor(shard));
    // the end of the last member: every byte after it is the end-of-archive marker and record padding
    byte[] bytes = Files.readAllBytes(shard);
    int end = bytes.length;
    while (end > 0 && bytes[end - 1] == 0) {
      end--;
    }
    cut(shard, (end + 511) / 512 * 512);
    List<ShardError> errors = new ArrayList<>();
    // the last sample is whole and is delivered; the missing end is reported after it
    assertThat(readAll(shard, ErrorPolicy.CONTINUE, errors)).hasSize(3);
    assertThat(errors).singleElement().satisfies(e -> {
      assertThat(e.key()).isEqualTo("?");
      assertThat(e.problem()).contains("after member syn-00000002.json").contains("no end-of-archive");
    });
  }

  @Test
  void cutInsideAMembersDataIsTruncationOfThatMemberNotTheNextMemberMissing() throws IOException {
    Path shard = writeShard(3);
    // sample 1: header of input.png at its offset, data after 512 bytes; cut 40 bytes into the data
    cut(shard, ShardIndex.read(shard).get(1).offset() + 512 + 40);
    List<ShardError> errors = new ArrayList<>();
    assertThat(readAll(shard, ErrorPolicy.CONTINUE, errors)).containsExactly("syn-00000000");
    assertThat(errors).singleElement().satisfies(e -> {
      assertThat(e.member()).isEqualTo("syn-00000001.input.png");
      assertThat(e.problem()).contains("truncated inside member syn-00000001.input.png").doesNotContain("missing");
    });
  }

  @Test
  void cutInsideTheHeaderOfTheSecondMemberIsTruncationThereNotTheEditedImageMissing() throws IOException {
    Path shard = writeShard(3);
    long inputStart = ShardIndex.read(shard).get(1).offset();
    long editedHeader = inputStart + 512 + paddedSize(shard, "syn-00000001.input.png");
    for (long at : new long[] {editedHeader, editedHeader + 100, editedHeader - 7}) {
      writeShard(3);
      cut(shard, at);
      List<ShardError> errors = new ArrayList<>();
      assertThat(readAll(shard, ErrorPolicy.CONTINUE, errors)).as("cut at %s", at).containsExactly("syn-00000000");
      assertThat(errors).as("cut at %s", at).singleElement().satisfies(e -> {
        assertThat(e.key()).isEqualTo("syn-00000001");
        assertThat(e.member()).isEqualTo("syn-00000001.input.png");
        assertThat(e.problem()).contains("truncated").doesNotContain("member missing");
      });
    }
  }

  @Test
  void sidecarIndexThatDisagreesWithTheShardIsReported() throws IOException {
    Path shard = writeShard(4);
    Path idx = ShardWriter.indexFor(shard);
    List<String> lines = new ArrayList<>(Files.readAllLines(idx));
    // an index that lists one sample more than the shard holds (the shard itself is complete)
    lines.add("{\"key\":\"syn-00000099\",\"offset\":" + (1L << 20) + "}");
    Files.write(idx, lines);
    List<ShardError> errors = new ArrayList<>();
    assertThat(readAll(shard, ErrorPolicy.CONTINUE, errors)).hasSize(4);
    assertThat(errors).singleElement().satisfies(e -> {
      assertThat(e.key()).isEqualTo("syn-00000099");
      assertThat(e.problem()).contains("lists 5 samples, the shard holds 4");
    });
    // an index whose offsets are wrong
    lines.remove(4);
    lines.set(2, lines.get(2).replaceAll("\"offset\":\\d+", "\"offset\":512"));
    Files.write(idx, lines);
    errors.clear();
    assertThat(readAll(shard, ErrorPolicy.CONTINUE, errors)).hasSize(4);
    assertThat(errors).singleElement().satisfies(e -> {
      assertThat(e.key()).isEqualTo("syn-00000002");
      assertThat(e.problem()).contains("line 3").contains("offset 512");
    });
  }

  @Test
  void memberHeaderClaimingMoreThanTheLimitIsRefusedBeforeItsDataIsRead() throws IOException {
    Path shard = tmp.resolve("hand-000000.tar");
    var t = ShardRoundTripTest.triplets(1).get(0);
    byte[] json = MetadataCodec.toJsonBytes(t.metadata());
    byte[] big = Arrays.copyOf(json, MetadataCodec.MAX_JSON_BYTES + 1);
    try (OutputStream os = Files.newOutputStream(shard);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(os)) {
      put(tar, t.id() + ".input.png", io.gptedit.core.image.ImageCodec.encodePng(t.input()));
      put(tar, t.id() + ".edited.png", io.gptedit.core.image.ImageCodec.encodePng(t.edited()));
      put(tar, t.id() + ".json", big);
    }
    List<ShardError> errors = new ArrayList<>();
    assertThat(readAll(shard, ErrorPolicy.CONTINUE, errors)).isEmpty();
    assertThat(errors).singleElement().satisfies(e -> {
      assertThat(e.member()).isEqualTo(t.id() + ".json");
      assertThat(e.problem()).contains("over the limit of " + MetadataCodec.MAX_JSON_BYTES);
    });
  }

  @Test
  void missingShardFolderIsAShardExceptionNamingTheFolderNotAnUncheckedIoException() {
    Path missing = tmp.resolve("no-such-shards");
    assertThatThrownBy(() -> ShardReader.openDirectory(missing, ErrorPolicy.STOP))
        .isInstanceOf(ShardException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("does not exist");
    assertThatThrownBy(() -> DatasetIndex.build(missing))
        .isInstanceOf(ShardException.class)
        .hasMessageContaining(missing.toString());
  }

  private static long paddedSize(Path shard, String member) throws IOException {
    try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(Files.newInputStream(shard))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        if (e.getName().equals(member)) {
          return (e.getSize() + 511) / 512 * 512;
        }
      }
    }
    throw new AssertionError("no member " + member);
  }

  private static void put(TarArchiveOutputStream tar, String name, byte[] data) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(data.length);
    tar.putArchiveEntry(e);
    tar.write(data);
    tar.closeArchiveEntry();
  }
}
