package io.gptedit.eval.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.ImageDecodeException;
import io.gptedit.core.image.ImageFormat;
import io.gptedit.core.image.RgbImage;
import io.gptedit.eval.EvalException;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Blob;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;

/**
 * Turns one split of the Hugging Face parquet export of Complex-Edit ({@code UCSC-VLAA/Complex-Edit}, columns
 * {@code image} as {@code struct<bytes, path>} and {@code edit}) into the split folder {@link ComplexEditBench}
 * reads, with DuckDB. Rows keep the dataset's order (file name, then row number), which is what pairs outputs with
 * rows.
 *
 * @since 0.1
 */
public final class ComplexEditParquet {
  private ComplexEditParquet() {}

  /**
   * Exports a split; images already exported are kept.
   *
   * @param parquetFiles the split's parquet files, such as those of {@code test_real}
   * @param splitFolder the folder to write ({@code test_real} or {@code test_syn} under the dataset root)
   * @return the number of rows exported
   * @throws EvalException if a file cannot be read, a column is missing or an image does not decode (naming the
   *     parquet file and row)
   */
  public static int export(List<Path> parquetFiles, Path splitFolder) {
    String files = ParquetFiles.sqlList(parquetFiles);
    String sql =
        "SELECT image.bytes AS image, to_json(edit) AS edit, filename, file_row_number FROM read_parquet("
            + files + ", filename = true, file_row_number = true) ORDER BY filename, file_row_number";
    int rows = 0;
    Path metadata = splitFolder.resolve(ComplexEditBench.METADATA);
    Path tmp = splitFolder.resolve(ComplexEditBench.METADATA + ".tmp");
    try {
      Files.createDirectories(splitFolder);
      try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery(sql);
          Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        while (rs.next()) {
          String source = rs.getString("filename") + " row " + rs.getLong("file_row_number");
          String relative = String.format(Locale.ROOT, "images/%05d.png", rows);
          Path image = splitFolder.resolve(relative);
          if (!Files.isRegularFile(image)) {
            Blob blob = rs.getBlob("image");
            if (blob == null) {
              throw new EvalException(source + ": image.bytes is null");
            }
            RgbImage decoded;
            try {
              decoded = ImageCodec.decode(blob.getBytes(1, (int) blob.length()), source);
            } catch (ImageDecodeException e) {
              throw new EvalException(source + ": image does not decode: " + e.getMessage(), e);
            }
            ImageCodec.write(decoded, image, ImageFormat.PNG);
          }
          String editJson = rs.getString("edit");
          if (editJson == null) {
            throw new EvalException(source + ": edit is null");
          }
          JsonNode edit = JsonRows.MAPPER.readTree(editJson);
          ObjectNode row = JsonRows.MAPPER.createObjectNode();
          row.put("image", relative);
          row.set("edit", edit);
          out.write(JsonRows.MAPPER.writeValueAsString(row));
          out.write('\n');
          rows++;
        }
      }
      Files.move(tmp, metadata, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (SQLException e) {
      throw new EvalException("cannot read Complex-Edit parquet " + files + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new EvalException("cannot write Complex-Edit folder " + splitFolder + ": " + e.getMessage(), e);
    }
    return rows;
  }
}
