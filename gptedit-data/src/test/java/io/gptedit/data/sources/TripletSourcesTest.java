package io.gptedit.data.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.core.GpteditException;
import io.gptedit.data.curation.SourcePolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TripletSourcesTest {
  @TempDir Path tmp;

  @Test
  void aMalformedSpecOrAnUnknownKindIsASourceExceptionQuotingIt() {
    for (String bad : new String[] {"omniedit/data", "parquet:", ":dir"}) {
      assertThatThrownBy(() -> TripletSources.open(bad, "omniedit"))
          .as(bad)
          .isInstanceOf(SourceException.class)
          .hasMessageContaining("'" + bad + "'");
    }
    assertThatThrownBy(() -> TripletSources.open("hub:TIGER-Lab/OmniEdit", "omniedit"))
        .isInstanceOf(SourceException.class)
        .hasMessageContaining("'hub'")
        .hasMessageContaining("release, archives, parquet or folder");
  }

  @Test
  void aParquetGlobThatMatchesNothingAndADatasetWithUnknownColumnsAreNamed() throws Exception {
    Path glob = tmp.resolve("train-*.parquet");
    assertThatThrownBy(() -> TripletSources.open("parquet:" + glob, "omniedit"))
        .isInstanceOf(GpteditException.class)
        .hasMessageContaining(glob.toString());
    Files.writeString(tmp.resolve("train-0.parquet"), "not read before the columns are known");
    assertThatThrownBy(() -> TripletSources.open("parquet:" + glob, "magicbrush"))
        .isInstanceOf(SourceException.class)
        .hasMessageContaining("'magicbrush'");
  }

  @Test
  void aFolderSourceOpensThroughItsSpec() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("mine"));
    try (TripletSource source = TripletSources.open("folder:" + dir, "mine")) {
      assertThat(source).isInstanceOf(FolderSource.class);
    }
  }

  @Test
  void eachDatasetGetsThePapersPolicy() {
    assertThat(SourcePolicy.forDataset("omniedit")).isEqualTo(SourcePolicy.omniEdit());
    assertThat(SourcePolicy.forDataset("hqedit")).isEqualTo(SourcePolicy.generate());
    assertThat(SourcePolicy.forDataset("ultraedit")).isEqualTo(SourcePolicy.regenerateOnly());
    assertThat(ParquetColumns.forDataset("hqedit")).isEqualTo(ParquetColumns.hqEdit());
  }
}
