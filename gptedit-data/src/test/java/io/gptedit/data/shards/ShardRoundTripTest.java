package io.gptedit.data.shards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.metadata.MetadataCodec;
import io.gptedit.core.metadata.SampleMetadata;
import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.synthetic.SyntheticWorld;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class ShardRoundTripTest {
  private static final SyntheticWorld WORLD = SyntheticWorld.builder(42).optSides(24, 64).build();

  @TempDir Path tmp;

  public static List<EditTriplet> triplets(int n) {
    List<EditTriplet> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(WORLD.sample(i).toTriplet());
    }
    return out;
  }

  private static List<CompletedShard> writeAll(Path dir, List<EditTriplet> ts, int maxSamples) {
    try (ShardWriter w = ShardWriter.builder(dir, "train").optMaxSamples(maxSamples).build()) {
      ts.forEach(w::write);
      w.flush();
      return w.completed();
    }
  }

  // Regression: a verifying reader decoded both PNGs, threw the images away, and toTriplet() decoded them again.
  @Test
  void aVerifiedSampleKeepsItsDecodedImagesAndNeverDecodesTheBytesAgain() throws IOException {
    List<EditTriplet> ts = triplets(3);
    writeAll(tmp, ts, 10);
    try (ShardReader r = ShardReader.openDirectory(tmp, ErrorPolicy.STOP)) {
      ShardSample s = r.next();
      java.util.Arrays.fill(s.inputPng(), (byte) 0); // bytes that no longer decode
      java.util.Arrays.fill(s.editedPng(), (byte) 0);
      EditTriplet back = s.toTriplet();
      assertThat(back.input()).isEqualTo(ts.get(0).input());
      assertThat(back.edited()).isEqualTo(ts.get(0).edited());
      assertThat(s.input()).isSameAs(back.input());
    }
    try (ShardReader r = ShardReader.open(ShardReader.listShards(tmp), ErrorPolicy.STOP, false)) {
      ShardSample s = r.next(); // not verified: decoded on first use, then kept
      assertThat(s.input()).isEqualTo(ts.get(0).input()).isSameAs(s.input());
      java.util.Arrays.fill(s.editedPng(), (byte) 0);
      assertThatThrownBy(s::edited).hasMessageContaining(s.key() + ".edited.png");
    }
  }

  @Test
  void roundTripGivesBackEveryTripletInOrder() throws IOException {
    List<EditTriplet> ts = triplets(25);
    List<CompletedShard> shards = writeAll(tmp, ts, 10);
    assertThat(shards).extracting(CompletedShard::name)
        .containsExactly("train-000000.tar", "train-000001.tar", "train-000002.tar");
    assertThat(shards.get(2).keys()).hasSize(5);
    List<ShardSample> read = new ArrayList<>();
    try (ShardReader r = ShardReader.openDirectory(tmp, ErrorPolicy.STOP)) {
      r.forEachRemaining(read::add);
    }
    assertThat(read).hasSize(25);
    for (int i = 0; i < 25; i++) {
      EditTriplet back = read.get(i).toTriplet();
      assertThat(back.id()).isEqualTo(ts.get(i).id());
      assertThat(back.input()).isEqualTo(ts.get(i).input());
      assertThat(back.edited()).isEqualTo(ts.get(i).edited());
      assertThat(back.metadata()).isEqualTo(ts.get(i).metadata());
    }
    try (var s = Files.list(tmp)) {
      assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp"))).isEmpty();
    }
  }

  @Test
  void membersAreAdjacentInFixedOrderWithFixedHeaders() throws IOException {
    writeAll(tmp, triplets(3), 10);
    List<String> names = new ArrayList<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tmp.resolve("train-000000.tar")))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        names.add(e.getName());
        assertThat(e.getModTime().getTime()).isZero();
        assertThat(e.getLongUserId()).isZero();
        assertThat(e.getLongGroupId()).isZero();
        assertThat(e.getUserName()).isEmpty();
        assertThat(e.getGroupName()).isEmpty();
        assertThat(e.getMode()).isEqualTo(0100644);
      }
    }
    assertThat(names).containsExactly(
        "syn-00000000.input.png", "syn-00000000.edited.png", "syn-00000000.json",
        "syn-00000001.input.png", "syn-00000001.edited.png", "syn-00000001.json",
        "syn-00000002.input.png", "syn-00000002.edited.png", "syn-00000002.json");
  }

  @Test
  void rewritingTheSameSamplesGivesByteIdenticalShards() throws IOException {
    List<EditTriplet> ts = triplets(12);
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    writeAll(a, ts, 5);
    writeAll(b, triplets(12), 5);
    for (String n : List.of("train-000000.tar", "train-000001.tar", "train-000002.tar", "train-000000.index.jsonl")) {
      assertThat(Files.readAllBytes(b.resolve(n))).as(n).isEqualTo(Files.readAllBytes(a.resolve(n)));
    }
  }

  @Test
  void shardsRollByBytesAsWellAsCount() {
    List<EditTriplet> ts = triplets(10);
    try (ShardWriter w = ShardWriter.builder(tmp, "b").optMaxSamples(1000).optMaxBytes(12_000).build()) {
      ts.forEach(w::write);
      w.flush();
      assertThat(w.completed()).hasSizeGreaterThan(1);
      for (CompletedShard s : w.completed()) {
        assertThat(s.bytes() <= 12_000 + 10240 || s.keys().size() == 1).isTrue();
      }
      assertThat(w.completed().stream().mapToInt(s -> s.keys().size()).sum()).isEqualTo(10);
    }
  }

  @Test
  void sidecarIndexOffsetsPointAtEachSample() {
    List<EditTriplet> ts = triplets(8);
    writeAll(tmp, ts, 3);
    ShardIndex index = ShardIndex.load(tmp);
    assertThat(index.size()).isEqualTo(8);
    for (EditTriplet t : ts) {
      ShardSample s = index.fetch(tmp, t.id());
      assertThat(s.key()).isEqualTo(t.id());
      assertThat(s.edited()).isEqualTo(t.edited());
    }
    assertThat(index.locate("syn-00000004").orElseThrow().shard()).isEqualTo("train-000001.tar");
  }

  @Test
  void keysWithSlashesBecomeFoldersAndRoundTrip() {
    EditTriplet t = triplets(1).get(0);
    SampleMetadata m = t.metadata().toBuilder().optId("omniedit/addition/x-1").build();
    EditTriplet slashed = new EditTriplet("omniedit/addition/x-1", t.input(), t.instruction(), t.edited(), m);
    writeAll(tmp, List.of(slashed), 5);
    try (ShardReader r = ShardReader.openDirectory(tmp, ErrorPolicy.STOP)) {
      assertThat(r.next().key()).isEqualTo("omniedit/addition/x-1");
    }
  }

  @Test
  void duplicateKeysAreRefused() {
    EditTriplet t = triplets(1).get(0);
    try (ShardWriter w = ShardWriter.builder(tmp, "d").build()) {
      w.write(t);
      assertThatThrownBy(() -> w.write(t)).hasMessageContaining("already written");
    }
  }

  @Test
  void truncatedShardNamesShardKeyAndMemberAndContinueSkipsToNextShard() throws IOException {
    writeAll(tmp, triplets(6), 3);
    Path first = tmp.resolve("train-000000.tar");
    byte[] bytes = Files.readAllBytes(first);
    long cut = ShardIndex.read(first).get(2).offset() + 512 + 100;
    Files.write(first, java.util.Arrays.copyOf(bytes, (int) cut));

    assertThatThrownBy(() -> {
      try (ShardReader r = ShardReader.openDirectory(tmp, ErrorPolicy.STOP)) {
        r.forEachRemaining(s -> { });
      }
    }).isInstanceOf(ShardException.class)
        .hasMessageContaining("train-000000.tar")
        .hasMessageContaining("syn-00000002")
        .hasMessageContaining("syn-00000002.input.png");

    List<String> keys = new ArrayList<>();
    try (ShardReader r = ShardReader.openDirectory(tmp, ErrorPolicy.CONTINUE)) {
      r.forEachRemaining(s -> keys.add(s.key()));
      assertThat(r.errors()).hasSize(1);
      assertThat(r.errors().get(0).key()).isEqualTo("syn-00000002");
    }
    assertThat(keys).containsExactly("syn-00000000", "syn-00000001", "syn-00000003", "syn-00000004", "syn-00000005");
  }

  @Test
  void corruptPngAndMissingMemberAndBadMetadataAreReportedPerSample() throws IOException {
    List<EditTriplet> ts = triplets(4);
    Path shard = tmp.resolve("hand-000000.tar");
    try (OutputStream os = Files.newOutputStream(shard);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(os)) {
      // sample 0: fine
      put(tar, ts.get(0).id() + ".input.png", ImageCodec.encodePng(ts.get(0).input()));
      put(tar, ts.get(0).id() + ".edited.png", ImageCodec.encodePng(ts.get(0).edited()));
      put(tar, ts.get(0).id() + ".json", MetadataCodec.toJsonBytes(ts.get(0).metadata()));
      // sample 1: corrupt edited PNG (cut in half)
      byte[] png = ImageCodec.encodePng(ts.get(1).edited());
      put(tar, ts.get(1).id() + ".input.png", ImageCodec.encodePng(ts.get(1).input()));
      put(tar, ts.get(1).id() + ".edited.png", java.util.Arrays.copyOf(png, png.length / 2));
      put(tar, ts.get(1).id() + ".json", MetadataCodec.toJsonBytes(ts.get(1).metadata()));
      // sample 2: no edited member
      put(tar, ts.get(2).id() + ".input.png", ImageCodec.encodePng(ts.get(2).input()));
      put(tar, ts.get(2).id() + ".json", MetadataCodec.toJsonBytes(ts.get(2).metadata()));
      // sample 3: metadata with an unknown nested field
      String json = MetadataCodec.toJson(ts.get(3).metadata()).replace("\"source\":{", "\"source\":{\"bogus\":1,");
      put(tar, ts.get(3).id() + ".input.png", ImageCodec.encodePng(ts.get(3).input()));
      put(tar, ts.get(3).id() + ".edited.png", ImageCodec.encodePng(ts.get(3).edited()));
      put(tar, ts.get(3).id() + ".json", json.getBytes(StandardCharsets.UTF_8));
    }
    List<String> keys = new ArrayList<>();
    try (ShardReader r = ShardReader.open(List.of(shard), ErrorPolicy.CONTINUE, true)) {
      r.forEachRemaining(s -> keys.add(s.key()));
      assertThat(keys).containsExactly("syn-00000000");
      assertThat(r.errors()).extracting(ShardError::member).containsExactly(
          "syn-00000001.edited.png", "syn-00000002.edited.png", "syn-00000003.json");
      assertThat(r.errors().get(1).problem()).isEqualTo("member missing");
      assertThat(r.errors().get(2).problem()).contains("source");
    }
    try (ShardReader r = ShardReader.open(List.of(shard), ErrorPolicy.STOP, true)) {
      r.next();
      assertThatThrownBy(r::next).isInstanceOf(ShardException.class)
          .hasMessageContaining("hand-000000.tar").hasMessageContaining("syn-00000001.edited.png");
    }
  }

  private static void put(TarArchiveOutputStream tar, String name, byte[] data) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(data.length);
    tar.putArchiveEntry(e);
    tar.write(data);
    tar.closeArchiveEntry();
  }

  @Test
  void longKeysUsePaxHeadersDeterministically() throws IOException {
    EditTriplet t = triplets(1).get(0);
    String id = "x".repeat(150);
    EditTriplet longOne = new EditTriplet(id, t.input(), t.instruction(), t.edited(), t.metadata().toBuilder().optId(id).build());
    writeAll(tmp.resolve("a"), List.of(longOne), 5);
    writeAll(tmp.resolve("b"), List.of(longOne), 5);
    assertThat(Files.readAllBytes(tmp.resolve("b/train-000000.tar")))
        .isEqualTo(Files.readAllBytes(tmp.resolve("a/train-000000.tar")));
    try (ShardReader r = ShardReader.openDirectory(tmp.resolve("a"), ErrorPolicy.STOP)) {
      assertThat(r.next().key()).isEqualTo(id);
    }
    try (InputStream in = Files.newInputStream(tmp.resolve("a/train-000000.tar"))) {
      ByteArrayOutputStream bo = new ByteArrayOutputStream();
      in.transferTo(bo);
      assertThat(new String(bo.toByteArray(), StandardCharsets.ISO_8859_1)).doesNotContain(System.getProperty("user.name") + "\0");
    }
  }
}
