package io.gptedit.eval.bench;

import static java.util.Objects.requireNonNull;

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
 * Turns the Hugging Face parquet export of GEdit-Bench ({@code stepfun-ai/GEdit-Bench}) into the folder
 * {@link GEditBench} reads, with DuckDB.
 *
 * <p>Image columns are {@code struct<bytes, path>}; each input image is decoded (so a corrupt row is caught here,
 * naming the file and key) and written as PNG under {@code images/<lang>/<task_type>/<key>.png}; a repeated key
 * gets its own image, named as {@link GEditBench} names the repeat's sample ({@code <key>__dup2.png}).
 *
 * @since 0.1
 */
public final class GEditParquet {
  /** The image column the benchmark's edits start from. */
  public static final String DEFAULT_IMAGE_COLUMN = "input_image";

  private GEditParquet() {}

  /**
   * Exports parquet files to a GEdit folder; images already exported are kept.
   *
   * @param parquetFiles the dataset's parquet files (the {@code train} split)
   * @param folder the folder to write ({@value GEditBench#METADATA} and {@code images/})
   * @param imageColumn the image column to export, {@value #DEFAULT_IMAGE_COLUMN} or {@code input_image_raw}
   * @return the number of rows exported
   * @throws EvalException if a file cannot be read, a column is missing or an image does not decode (naming the
   *     parquet file and the row's key)
   */
  public static int export(List<Path> parquetFiles, Path folder, String imageColumn) {
    requireNonNull(folder, "folder");
    if (!imageColumn.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new EvalException("bad image column name '" + imageColumn + "'");
    }
    String files = ParquetFiles.sqlList(parquetFiles);
    String sql =
        "SELECT task_type, key, instruction, instruction_language, Intersection_exist, "
            + imageColumn + ".bytes AS image, filename FROM read_parquet(" + files + ", filename = true, file_row_number = true) ORDER BY filename, file_row_number";
    int rows = 0;
    java.util.Map<String, Integer> seen = new java.util.HashMap<>();
    Path metadata = folder.resolve(GEditBench.METADATA);
    Path tmp = folder.resolve(GEditBench.METADATA + ".tmp");
    try {
      Files.createDirectories(folder);
      try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery(sql);
          Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        while (rs.next()) {
          rows++;
          String key = rs.getString("key");
          String source = rs.getString("filename") + " row " + rows + " (key '" + key + "')";
          String lang = rs.getString("instruction_language");
          String taskType = rs.getString("task_type");
          if (key == null || lang == null || taskType == null || key.contains("/") || key.contains("..")) {
            throw new EvalException(source + ": missing or unsafe key, task_type or instruction_language");
          }
          String relative =
              "images/" + lang + "/" + taskType + "/" + GEditBench.rowKey(seen, taskType, lang, key) + ".png";
          Path image = folder.resolve(relative);
          if (!Files.isRegularFile(image)) {
            Blob blob = rs.getBlob("image");
            if (blob == null) {
              throw new EvalException(source + ": " + imageColumn + ".bytes is null");
            }
            byte[] bytes = blob.getBytes(1, (int) blob.length());
            RgbImage decoded;
            try {
              decoded = ImageCodec.decode(bytes, source);
            } catch (ImageDecodeException e) {
              throw new EvalException(source + ": " + imageColumn + " does not decode: " + e.getMessage(), e);
            }
            ImageCodec.write(decoded, image, ImageFormat.PNG);
          }
          ObjectNode row = JsonRows.MAPPER.createObjectNode();
          row.put("task_type", taskType);
          row.put("key", key);
          row.put("instruction", rs.getString("instruction"));
          row.put("instruction_language", lang);
          row.put("Intersection_exist", rs.getBoolean("Intersection_exist"));
          row.put("input_image", relative);
          out.write(JsonRows.MAPPER.writeValueAsString(row));
          out.write('\n');
        }
      }
      Files.move(tmp, metadata, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (SQLException e) {
      throw new EvalException("cannot read GEdit parquet " + files + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new EvalException("cannot write GEdit folder " + folder + ": " + e.getMessage(), e);
    }
    return rows;
  }
}
