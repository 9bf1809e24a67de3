package io.gptedit.eval.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.RgbImage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Hugging Face parquet export (image columns as struct of bytes and path) becomes a loadable folder. */
class GEditParquetTest {
  @TempDir Path tmp;

  private Path writeParquet(byte[] secondImage) throws Exception {
    return writeParquet(secondImage, "k2");
  }

  private Path writeParquet(byte[] secondImage, String thirdKey) throws Exception {
    Path parquet = tmp.resolve("train-00000.parquet");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE t (task_type VARCHAR, key VARCHAR, instruction VARCHAR, instruction_language VARCHAR,"
              + " input_image STRUCT(bytes BLOB, path VARCHAR), Intersection_exist BOOLEAN)");
      try (PreparedStatement ps =
          c.prepareStatement("INSERT INTO t VALUES (?, ?, ?, ?, struct_pack(bytes := ?, path := ?), ?)")) {
        Object[][] rows = {
          {"color_alter", "k1", "make it red", "en", ImageCodec.encodePng(RgbImage.filled(5, 4, 0xFF0000)), true},
          {"color_alter", "k1", "把它变红", "cn", ImageCodec.encodeJpeg(RgbImage.filled(6, 6, 0x00FF00)), true},
          {"ps_human", "k2", "smile", "en", secondImage, false},
          {"ps_human", thirdKey, "frown", "en", ImageCodec.encodePng(RgbImage.filled(2, 2, 0x00FFFF)), true},
        };
        for (Object[] row : rows) {
          ps.setString(1, (String) row[0]);
          ps.setString(2, (String) row[1]);
          ps.setString(3, (String) row[2]);
          ps.setString(4, (String) row[3]);
          ps.setBytes(5, (byte[]) row[4]);
          ps.setString(6, row[1] + ".png");
          ps.setBoolean(7, (Boolean) row[5]);
          ps.executeUpdate();
        }
      }
      st.execute("COPY t TO '" + parquet + "' (FORMAT PARQUET)");
    }
    return parquet;
  }

  @Test
  void exportsRowsAndImagesThatTheFolderLoaderReads() throws Exception {
    Path parquet = writeParquet(ImageCodec.encodePng(RgbImage.filled(3, 3, 0x0000FF)), "k3");
    Path folder = tmp.resolve("gedit");
    assertThat(GEditParquet.export(List.of(parquet), folder, GEditParquet.DEFAULT_IMAGE_COLUMN)).isEqualTo(4);
    BenchmarkSet en = GEditBench.load(folder, "en", false);
    assertThat(en.samples()).extracting(BenchSample::key).containsExactly("k1", "k2", "k3");
    assertThat(ImageCodec.read(en.samples().get(0).input())).isEqualTo(RgbImage.filled(5, 4, 0xFF0000));
    assertThat(GEditBench.load(folder, "en", true).samples()).extracting(BenchSample::key).containsExactly("k1", "k3");
    assertThat(GEditBench.load(folder, "cn", false).samples().get(0).instruction()).isEqualTo("把它变红");
  }

  @Test
  void aCorruptImageNamesTheParquetFileAndKey() throws Exception {
    Path parquet = writeParquet(new byte[] {1, 2, 3});
    assertThatThrownBy(() -> GEditParquet.export(List.of(parquet), tmp.resolve("g"), "input_image"))
        .hasMessageContaining("train-00000.parquet")
        .hasMessageContaining("key 'k2'");
  }

  @Test
  void repeatedKeysArePairedByRowAndNeitherRefuseTheLoadNorShareAnOutput() throws Exception {
    Path parquet = writeParquet(ImageCodec.encodePng(RgbImage.filled(3, 3, 0x0000FF)), "k2");
    Path folder = tmp.resolve("gedit-dup");
    assertThat(GEditParquet.export(List.of(parquet), folder, GEditParquet.DEFAULT_IMAGE_COLUMN)).isEqualTo(4);
    BenchmarkSet en = GEditBench.load(folder, "en", false);
    assertThat(en.samples()).extracting(BenchSample::key).containsExactly("k1", "k2", "k2__dup2");
    assertThat(en.samples()).extracting(BenchSample::instruction).containsExactly("make it red", "smile", "frown");
    // each repeat keeps its own input image and its own output file
    assertThat(ImageCodec.read(en.samples().get(1).input())).isEqualTo(RgbImage.filled(3, 3, 0x0000FF));
    assertThat(ImageCodec.read(en.samples().get(2).input())).isEqualTo(RgbImage.filled(2, 2, 0x00FFFF));
    Path out = Path.of("out");
    assertThat(en.outputFile(out, "m", en.samples().get(1))).isNotEqualTo(en.outputFile(out, "m", en.samples().get(2)));
    assertThat(GEditBench.load(folder, "en", true).samples()).extracting(BenchSample::key).containsExactly("k1", "k2__dup2");
  }
}
