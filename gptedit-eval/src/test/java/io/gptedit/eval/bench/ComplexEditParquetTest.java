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

/** The Complex-Edit parquet export (image struct, nested edit record) becomes a loadable split folder. */
class ComplexEditParquetTest {
  @TempDir Path tmp;

  private Path parquet(byte[][] images) throws Exception {
    Path file = tmp.resolve("test_real-00000.parquet");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE t (image STRUCT(bytes BLOB, path VARCHAR),"
              + " edit STRUCT(compound STRUCT(complexity INTEGER, compound_instruction VARCHAR)[]))");
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO t VALUES (struct_pack(bytes := ?, path := 'x.png'), struct_pack(compound := ["
                  + "struct_pack(complexity := 1, compound_instruction := ?),"
                  + "struct_pack(complexity := 2, compound_instruction := ?)]))")) {
        for (int i = 0; i < images.length; i++) {
          ps.setBytes(1, images[i]);
          ps.setString(2, "row " + i + " level 1");
          ps.setString(3, "row " + i + " level 2");
          ps.executeUpdate();
        }
      }
      st.execute("COPY t TO '" + file + "' (FORMAT PARQUET)");
    }
    return file;
  }

  @Test
  void exportsRowsInOrderWithZeroPaddedImagesAndLevels() throws Exception {
    byte[][] images = new byte[12][];
    for (int i = 0; i < images.length; i++) {
      images[i] = ImageCodec.encodePng(RgbImage.filled(3 + i, 2, 0x010203 * i));
    }
    Path root = tmp.resolve("ce");
    assertThat(ComplexEditParquet.export(List.of(parquet(images)), root.resolve("test_real"))).isEqualTo(12);
    BenchmarkSet c2 = ComplexEditBench.load(root, "real", 2);
    assertThat(c2.samples()).hasSize(12);
    assertThat(c2.samples().get(11).key()).isEqualTo("00011");
    assertThat(c2.samples().get(11).instruction()).isEqualTo("row 11 level 2");
    assertThat(ImageCodec.read(c2.samples().get(11).input()).width()).isEqualTo(14);
    assertThatThrownBy(() -> ComplexEditBench.load(root, "real", 3)).hasMessageContaining("2 levels, level 3");
  }

  @Test
  void aCorruptImageNamesTheFileAndRow() throws Exception {
    Path file = parquet(new byte[][] {ImageCodec.encodePng(RgbImage.filled(2, 2, 0)), {9, 9}});
    assertThatThrownBy(() -> ComplexEditParquet.export(List.of(file), tmp.resolve("x")))
        .hasMessageContaining("test_real-00000.parquet row 1");
  }
}
