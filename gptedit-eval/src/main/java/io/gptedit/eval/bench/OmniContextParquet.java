package io.gptedit.eval.bench;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
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

/**
 * Turns the Hugging Face parquet files of OmniContext ({@code OmniGen2/OmniContext}) into the folder
 * {@link OmniContextBench} reads, with DuckDB.
 *
 * <p>Columns read: {@code task_type}, {@code key}, {@code instruction}, {@code instruction_language} and
 * {@code input_images}, a list of {@code struct<bytes, path>} images. Each input image is decoded (a corrupt one is
 * caught here, naming the file, row and key) and written as PNG under
 * {@code images/<task_type>/<key>_<i>.png}; every row is kept, whatever its task type and language, so the loader
 * chooses.
 *
 * @since 0.1
 */
public final class OmniContextParquet {
  private OmniContextParquet() {}

  /**
   * Exports parquet files to an OmniContext folder; images already exported are kept.
   *
   * @param parquetFiles the dataset's parquet files
   * @param folder the folder to write ({@value OmniContextBench#METADATA} and {@code images/})
   * @return the number of rows exported
   * @throws EvalException if a file cannot be read, a column is missing or an image does not decode
   */
  public static int export(List<Path> parquetFiles, Path folder) {
    requireNonNull(folder, "folder");
    String files = ParquetFiles.sqlList(parquetFiles);
    String sql =
        "SELECT task_type, key, instruction, instruction_language, filename, file_row_number, i,"
            + " input_images[i].bytes AS image FROM (SELECT *, generate_subscripts(input_images, 1) AS i"
            + " FROM read_parquet(" + files + ", filename = true, file_row_number = true))"
            + " ORDER BY filename, file_row_number, i";
    Path metadata = folder.resolve(OmniContextBench.METADATA);
    Path tmp = folder.resolve(OmniContextBench.METADATA + ".tmp");
    int rows = 0;
    try {
      Files.createDirectories(folder);
      try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery(sql);
          Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        ObjectNode row = null;
        String rowId = null;
        while (rs.next()) {
          String id = rs.getString("filename") + "#" + rs.getLong("file_row_number");
          String key = rs.getString("key");
          String taskType = rs.getString("task_type");
          String source = rs.getString("filename") + " row " + (rs.getLong("file_row_number") + 1)
              + " (key '" + key + "')";
          if (key == null || taskType == null || !safe(key) || !safe(taskType)) {
            throw new EvalException(source + ": missing or unsafe key or task_type");
          }
          if (!id.equals(rowId)) {
            if (row != null) {
              out.write(JsonRows.MAPPER.writeValueAsString(row));
              out.write('\n');
            }
            rows++;
            rowId = id;
            row = JsonRows.MAPPER.createObjectNode();
            row.put("task_type", taskType);
            row.put("key", key);
            row.put("instruction", rs.getString("instruction"));
            row.put("instruction_language", rs.getString("instruction_language"));
            row.putArray("input_images");
          }
          int i = rs.getInt("i");
          String relative = "images/" + taskType + "/" + key + "_" + i + ".png";
          Path image = folder.resolve(relative);
          if (!Files.isRegularFile(image)) {
            Blob blob = rs.getBlob("image");
            if (blob == null) {
              throw new EvalException(source + ": input_images[" + i + "].bytes is null");
            }
            RgbImage decoded;
            try {
              decoded = ImageCodec.decode(blob.getBytes(1, (int) blob.length()), source);
            } catch (ImageDecodeException e) {
              throw new EvalException(source + ": input_images[" + i + "] does not decode: " + e.getMessage(), e);
            }
            ImageCodec.write(decoded, image, ImageFormat.PNG);
          }
          ((ArrayNode) row.get("input_images")).add(relative);
        }
        if (row != null) {
          out.write(JsonRows.MAPPER.writeValueAsString(row));
          out.write('\n');
        }
      }
      Files.move(tmp, metadata, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (SQLException e) {
      throw new EvalException("cannot read OmniContext parquet " + files + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new EvalException("cannot write OmniContext folder " + folder + ": " + e.getMessage(), e);
    }
    return rows;
  }

  private static boolean safe(String name) {
    return !name.isBlank() && !name.contains("/") && !name.contains("\\") && !name.contains("..");
  }
}
