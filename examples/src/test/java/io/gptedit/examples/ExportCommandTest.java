package io.gptedit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.shards.ErrorPolicy;
import io.gptedit.data.shards.ShardReader;
import io.gptedit.data.shards.ShardSample;
import io.gptedit.data.sources.ReleaseSource;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportCommandTest {
  @TempDir Path tmp;

  @Test
  void curatedShardsExportToTheReleaseLayoutAndReadBackWithTheSameInstructionsAndImages() {
    Path shards = tmp.resolve("curated");
    Cli.run("curate", "--output", shards.toString(), "--samples", "12");
    Map<String, ShardSample> curated;
    try (ShardReader reader = ShardReader.openDirectory(shards, ErrorPolicy.STOP)) {
      curated = reader.stream().collect(Collectors.toMap(s -> s.toTriplet().id(), Function.identity()));
    }
    assertThat(curated).isNotEmpty();
    Path release = tmp.resolve("release");
    String out = Cli.run("export", "--shards", shards.toString(), "--output", release.toString(), "--training-json");
    assertThat(out).contains("export: " + curated.size() + " samples");
    try (ReleaseSource back = ReleaseSource.metadataFolders(release)) {
      List<EditTriplet> read = back.stream().toList();
      assertThat(read).hasSize(curated.size());
      for (EditTriplet t : read) {
        EditTriplet c = curated.get(t.id()).toTriplet();
        assertThat(t.instruction()).as(t.id()).isEqualTo(c.instruction());
        assertThat(t.input()).isEqualTo(c.input());
        assertThat(t.edited()).isEqualTo(c.edited());
      }
    }
    try (ReleaseSource training = ReleaseSource.dataTxt(release.resolve("data.txt"), release)) {
      assertThat(training.stream().count()).isEqualTo(curated.size());
    }
  }
}
