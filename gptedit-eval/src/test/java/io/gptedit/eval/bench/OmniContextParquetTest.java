package io.gptedit.eval.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.RgbImage;
import io.gptedit.eval.EvalException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OmniContext's parquet layout (input_images as a list of image structs) becomes a folder the loader filters. */
class OmniContextParquetTest {
  @TempDir Path tmp;

  private Path writeParquet(byte[] badImage) throws Exception {
    Path parquet = tmp.resolve("test-00000.parquet");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (task_type VARCHAR, key VARCHAR, instruction VARCHAR, instruction_language VARCHAR,"
          + " input_images STRUCT(bytes BLOB, path VARCHAR)[])");
      String red = hex(ImageCodec.encodePng(RgbImage.filled(4, 3, 0xFF0000)));
      String blue = hex(ImageCodec.encodePng(RgbImage.filled(2, 2, 0x0000FF)));
      String bad = hex(badImage);
      st.execute("INSERT INTO t VALUES"
          + " ('single_character', 'c1', 'the girl waves', 'en', [{'bytes': " + red + ", 'path': 'a.png'}]),"
          + " ('single_character', 'c1', '女孩挥手', 'zh', [{'bytes': " + red + ", 'path': 'a.png'}]),"
          + " ('single_object', 'o1', 'the cup on a table', 'en', [{'bytes': " + bad + ", 'path': 'b.png'}]),"
          + " ('multi_object', 'm1', 'two things', 'en', [{'bytes': " + red + ", 'path': 'x.png'},"
          + "   {'bytes': " + blue + ", 'path': 'y.png'}])");
      st.execute("COPY t TO '" + parquet + "' (FORMAT PARQUET)");
    }
    return parquet;
  }

  private static String hex(byte[] bytes) {
    StringBuilder sb = new StringBuilder("from_hex('");
    for (byte b : bytes) {
      sb.append(String.format("%02x", b));
    }
    return sb.append("')").toString();
  }

  @Test
  void exportsEveryRowAndTheLoaderKeepsTheSingleRowsOfOneLanguage() throws Exception {
    Path parquet = writeParquet(ImageCodec.encodePng(RgbImage.filled(3, 3, 0x00FF00)));
    Path folder = tmp.resolve("omni");
    assertThat(OmniContextParquet.export(List.of(parquet), folder)).isEqualTo(4);
    BenchmarkSet en = OmniContextBench.load(folder);
    assertThat(en.subset()).isEqualTo("SINGLE");
    assertThat(en.samples()).extracting(BenchSample::key).containsExactly("c1", "o1");
    assertThat(ImageCodec.read(en.samples().get(0).input())).isEqualTo(RgbImage.filled(4, 3, 0xFF0000));
    BenchmarkSet zh = OmniContextBench.load(folder, "zh");
    assertThat(zh.subset()).isEqualTo("SINGLE/zh");
    assertThat(zh.samples()).extracting(BenchSample::instruction).containsExactly("女孩挥手");
    assertThat(folder.resolve("images/multi_object/m1_2.png")).isRegularFile();
  }

  @Test
  void aCorruptImageNamesTheParquetFileRowAndKey() throws Exception {
    Path parquet = writeParquet(new byte[] {1, 2, 3});
    assertThatThrownBy(() -> OmniContextParquet.export(List.of(parquet), tmp.resolve("o")))
        .isInstanceOf(EvalException.class)
        .hasMessageContaining("test-00000.parquet row 3")
        .hasMessageContaining("key 'o1'");
  }
}
