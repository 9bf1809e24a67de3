package io.gptedit.data.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.synthetic.SyntheticSample;
import io.gptedit.data.synthetic.SyntheticWorld;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The release's tar.gz.partNNN archives are streamed without concatenating or extracting them. */
class ReleaseArchiveTest {
  private static final SyntheticWorld WORLD = SyntheticWorld.builder(5).optSides(16, 40).build();

  @TempDir Path tmp;

  private static final String METADATA = """
      [
       {"id": "omniedit_addition_1", "dataset_source": "omniedit", "task": "addition", "input": "input/a.png",
        "output": "output/a.png", "instruction": "Add a cat.", "instruction_type": "rewrite",
        "instruction_original": "put cat", "score": 7},
       {"id": "omniedit_addition_2", "dataset_source": "omniedit", "task": "addition", "input": "input/b.png",
        "output": "output/b.png", "instruction": "Make it blue.", "instruction_type": "original",
        "instruction_original": "make blue"},
       {"id": "omniedit_addition_3", "dataset_source": "omniedit", "task": "addition", "input": "input/gone.png",
        "output": "output/b.png", "instruction": "x", "instruction_type": "original"},
       {"id": "omniedit_addition_4", "dataset_source": "omniedit", "task": "addition", "input": "input/early.png",
        "output": "output/a.png", "instruction": "Early bird.", "instruction_type": "original"}
      ]""";

  /** Entries in archive order; one image comes before the metadata that names it. */
  private Map<String, byte[]> entries() {
    SyntheticSample a = WORLD.sample(0);
    SyntheticSample b = WORLD.sample(1);
    Map<String, byte[]> e = new LinkedHashMap<>();
    String task = "gpt-edit/omniedit/addition/";
    e.put(task + "input/early.png", ImageCodec.encodePng(noise(120, 120))); // ~40 KB: over the small buffers
    e.put(task + "metadata/omniedit_addition.json", METADATA.getBytes(StandardCharsets.UTF_8));
    e.put(task + "input/a.png", ImageCodec.encodePng(a.input()));
    e.put(task + "input/b.png", ImageCodec.encodePng(b.input()));
    e.put(task + "output/a.png", ImageCodec.encodePng(a.target()));
    e.put(task + "output/b.png", ImageCodec.encodePng(b.target()));
    return e;
  }

  private static io.gptedit.core.image.RgbImage noise(int w, int h) {
    byte[] rgb = new byte[w * h * 3];
    new java.util.SplittableRandom(1).nextBytes(rgb);
    return io.gptedit.core.image.RgbImage.of(w, h, rgb);
  }

  private static byte[] tarGz(Map<String, byte[]> entries) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        TarArchiveEntry entry = new TarArchiveEntry(e.getKey());
        entry.setSize(e.getValue().length);
        tar.putArchiveEntry(entry);
        tar.write(e.getValue());
        tar.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }

  /** Splits at the given offsets (anywhere: inside a tar header, an image, the gzip trailer). */
  private Path parts(byte[] archive, int... cuts) throws Exception {
    Path dir = tmp.resolve("parts");
    Files.createDirectories(dir);
    int from = 0;
    for (int i = 0; i <= cuts.length; i++) {
      int to = i < cuts.length ? cuts[i] : archive.length;
      Files.write(dir.resolve(String.format("omniedit.tar.gz.part%03d", i)), Arrays.copyOfRange(archive, from, to));
      from = to;
    }
    return dir;
  }

  @Test
  void partsSplitMidMemberStreamTheSameTripletsAsTheExtractedFolders() throws Exception {
    Map<String, byte[]> entries = entries();
    byte[] archive = tarGz(entries);
    Path dir = parts(archive, 7, archive.length / 3, archive.length / 3 + 1, archive.length - 5);
    // the same files extracted, read by the folder reader
    for (Map.Entry<String, byte[]> e : entries.entrySet()) {
      Path f = tmp.resolve("extracted").resolve(e.getKey());
      Files.createDirectories(f.getParent());
      Files.write(f, e.getValue());
    }
    List<EditTriplet> folders;
    try (ReleaseSource src = ReleaseSource.metadataFolders(tmp.resolve("extracted/gpt-edit"))) {
      folders = src.stream().toList();
    }
    try (ReleaseSource src = ReleaseSource.archives(dir, ReleaseSource.DEFAULT_ARCHIVE_BUFFER_BYTES)) {
      List<EditTriplet> streamed = src.stream().toList();
      assertThat(streamed).extracting(EditTriplet::id)
          .containsExactlyInAnyOrderElementsOf(folders.stream().map(EditTriplet::id).toList())
          .containsExactlyInAnyOrder("omniedit_addition_1", "omniedit_addition_2", "omniedit_addition_4");
      for (EditTriplet s : streamed) {
        EditTriplet f = folders.stream().filter(t -> t.id().equals(s.id())).findFirst().orElseThrow();
        assertThat(s.input()).isEqualTo(f.input());
        assertThat(s.edited()).isEqualTo(f.edited());
        assertThat(s.instruction()).isEqualTo(f.instruction());
        assertThat(s.metadata().extensions()).isEqualTo(f.metadata().extensions());
        assertThat(s.metadata().inputPath().orElseThrow()).endsWith(f.metadata().inputPath().orElseThrow());
      }
      assertThat(src.problems()).extracting(SourceProblem::sampleId).containsExactly("omniedit_addition_3");
      assertThat(src.problems().get(0).problem()).contains("gone.png").contains("not in the archive");
    }
  }

  @Test
  void instructionOriginalOfANonRewriteRowIsKeptAsAnExtension() throws Exception {
    byte[] archive = tarGz(entries());
    try (ReleaseSource src = ReleaseSource.archives(parts(archive, archive.length / 2), 1 << 20)) {
      EditTriplet two = src.stream().filter(t -> t.id().equals("omniedit_addition_2")).findFirst().orElseThrow();
      assertThat(two.instruction().text()).isEqualTo("Make it blue.");
      assertThat(two.metadata().extensions()).containsEntry(ReleaseSource.INSTRUCTION_ORIGINAL, "\"make blue\"");
    }
  }

  @Test
  void anImageBeforeItsMetadataBeyondTheBufferIsReportedNotHeld() throws Exception {
    byte[] archive = tarGz(entries());
    try (ReleaseSource src = ReleaseSource.archives(parts(archive, 100), 20_000)) {
      assertThat(src.stream().map(EditTriplet::id).toList())
          .containsExactlyInAnyOrder("omniedit_addition_1", "omniedit_addition_2");
      assertThat(src.problems()).extracting(SourceProblem::sampleId)
          .containsExactlyInAnyOrder("omniedit_addition_3", "omniedit_addition_4");
      assertThat(src.problems()).anyMatch(p -> p.problem().contains("evicted"));
    }
  }

  @Test
  void imagesWaitingForTheirPartnerBeyondTheBufferStopWithATypedError() throws Exception {
    byte[] archive = tarGz(entries());
    // input/a.png and input/b.png wait for output/a.png and output/b.png; 100 bytes cannot hold them
    try (ReleaseSource src = ReleaseSource.archives(parts(archive, 100), 100)) {
      assertThatThrownBy(() -> src.stream().toList())
          .isInstanceOf(SourceException.class)
          .hasMessageContaining("omniedit.tar.gz:")
          .hasMessageContaining("wait for their partner image");
    }
  }

  @Test
  void aMissingPartIsRefusedNamingIt() throws Exception {
    byte[] archive = tarGz(entries());
    Path dir = parts(archive, 50, 100);
    Files.delete(dir.resolve("omniedit.tar.gz.part001"));
    assertThatThrownBy(() -> ReleaseSource.archives(dir, 0))
        .isInstanceOf(SourceException.class)
        .hasMessageContaining("omniedit.tar.gz part 1 is missing");
  }
}
