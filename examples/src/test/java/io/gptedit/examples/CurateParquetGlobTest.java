package io.gptedit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.synthetic.SyntheticWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gptedit curate --source parquet:GLOB} reads several parquet files with OmniEdit's real columns as one source. */
class CurateParquetGlobTest {
  @TempDir Path tmp;

  private static final String NO_KEY = "GPTEDIT_TEST_KEY_THAT_IS_NOT_SET";
  private static final SyntheticWorld WORLD = SyntheticWorld.builder(13).optSides(48, 96).build();

  /** Writes an OmniEdit-layout parquet file (struct image columns, a prompt list) holding samples [from, to). */
  private static void omniEditParquet(Path file, int from, int to) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (omni_edit_id VARCHAR, task VARCHAR, src_img STRUCT(bytes BLOB, path VARCHAR),"
          + " edited_img STRUCT(bytes BLOB, path VARCHAR), edited_prompt_list VARCHAR[])");
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (?, ?, struct_pack(bytes := ?, path := 'a.png'),"
          + " struct_pack(bytes := ?, path := 'b.png'), [?, 'another paraphrase'])")) {
        for (int i = from; i < to; i++) {
          EditTriplet t = WORLD.sample(i).toTriplet();
          ps.setString(1, "id:" + i);
          ps.setString(2, "addition");
          ps.setBytes(3, ImageCodec.encodePng(t.input()));
          ps.setBytes(4, ImageCodec.encodePng(t.edited()));
          ps.setString(5, t.instruction().text());
          ps.executeUpdate();
        }
      }
      st.execute("COPY t TO '" + file.toAbsolutePath() + "' (FORMAT parquet)");
    }
  }

  @Test
  void aParquetGlobWithOmniEditColumnsIsOneSourceForTheDryRun() throws Exception {
    Path dir = tmp.resolve("omniedit");
    Files.createDirectories(dir);
    omniEditParquet(dir.resolve("train-00000-of-00002.parquet"), 0, 3);
    omniEditParquet(dir.resolve("train-00001-of-00002.parquet"), 3, 7);
    Files.writeString(dir.resolve("README.md"), "not parquet");
    String out = Cli.run("curate", "--source", "parquet:" + dir.resolve("train-*.parquet"), "--dataset", "omniedit",
        "--output", tmp.resolve("dry").toString(), "--dry-run", "--generation-unit", "64", "--key-env", NO_KEY);
    assertThat(out).contains("dry run: 7 inputs").contains("image-edit calls");
    assertThat(tmp.resolve("dry").resolve("ledger.duckdb")).doesNotExist();
  }
}
