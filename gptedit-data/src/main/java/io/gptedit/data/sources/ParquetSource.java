package io.gptedit.data.sources;

import static java.util.Objects.requireNonNull;

import io.gptedit.core.triplet.EditTriplet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Reads a Hugging Face parquet shard with DuckDB ({@code read_parquet}, streamed, no Hadoop). The columns are
 * checked against the {@link ParquetColumns} mapping before any row is read; a file that does not fit is a
 * {@link SourceException} listing the columns it has. Sample ids are {@code <dataset>_<id>} with characters
 * outside {@code A-Za-z0-9_-/} replaced by {@code -} (or {@code <dataset>_<file stem>_<row>} without an id
 * column).
 *
 * @since 0.1
 */
public final class ParquetSource extends AbstractSource {
  private final Path file;
  private final ParquetColumns columns;
  private final Connection conn;
  private final Statement statement;
  private final ResultSet rows;
  private long row = -1;

  private ParquetSource(Path file, ParquetColumns columns, Connection conn, Statement statement, ResultSet rows) {
    this.file = file;
    this.columns = columns;
    this.conn = conn;
    this.statement = statement;
    this.rows = rows;
  }

  /**
   * Opens a parquet file.
   *
   * @param file the parquet file
   * @param columns the column mapping
   * @return the source
   * @throws SourceException if the file is missing, unreadable, or lacks a mapped column (the message lists the
   *     columns found)
   */
  public static ParquetSource open(Path file, ParquetColumns columns) {
    return open(List.of(file), columns);
  }

  /**
   * Opens several parquet files as one source (a dataset's shards), read in file-name order; ids without an id
   * column are {@code <dataset>_<file stem>_<row in that file, from 0>}, as for one file.
   *
   * @param files the parquet files, at least one
   * @param columns the column mapping
   * @return the source
   * @throws SourceException if a file is missing, unreadable, or lacks a mapped column
   */
  public static ParquetSource open(List<Path> files, ParquetColumns columns) {
    requireNonNull(columns, "columns");
    if (files.isEmpty()) {
      throw new SourceException("no parquet files given", null);
    }
    for (Path f : files) {
      if (!Files.isRegularFile(f)) {
        throw new SourceException("parquet file " + f + " does not exist", null);
      }
    }
    Path file = files.get(0);
    StringBuilder list = new StringBuilder("[");
    for (Path f : files) {
      list.append(list.length() > 1 ? ", " : "").append('\'').append(f.toAbsolutePath().toString().replace("'", "''"))
          .append('\'');
    }
    String from = "read_parquet(" + list + "], filename = true, file_row_number = true)";
    Connection c = null;
    try {
      Properties props = new Properties();
      props.setProperty("jdbc_stream_results", "true");
      c = DriverManager.getConnection("jdbc:duckdb:", props);
      Map<String, String> types = new LinkedHashMap<>();
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("DESCRIBE SELECT * FROM " + from)) {
        while (rs.next()) {
          types.put(rs.getString("column_name"), rs.getString("column_type"));
        }
      }
      List<String> missing = new ArrayList<>();
      List<String> wanted = new ArrayList<>(List.of(columns.inputImage(), columns.outputImage(), columns.instruction()));
      columns.idColumn().ifPresent(wanted::add);
      columns.task().ifPresent(wanted::add);
      columns.description().ifPresent(wanted::add);
      for (String w : wanted) {
        if (!types.containsKey(w)) {
          missing.add(w);
        }
      }
      if (!missing.isEmpty()) {
        throw new SourceException(String.format(Locale.ROOT,
            "%s does not fit the %s mapping: missing column(s) %s; columns found: %s",
            files.size() == 1 ? file : files, columns.dataset(), missing, types), null);
      }
      String sql = "SELECT "
          + columns.idColumn().map(ParquetSource::quote).map(q -> "CAST(" + q + " AS VARCHAR)").orElse("NULL") + ", "
          + image(columns.inputImage(), types) + ", "
          + image(columns.outputImage(), types) + ", "
          + text(columns.instruction(), types) + ", "
          + columns.task().map(t -> text(t, types)).orElse("NULL") + ", "
          + columns.description().map(t -> text(t, types)).orElse("NULL")
          + ", filename, file_row_number"
          + " FROM " + from + " ORDER BY filename, file_row_number";
      Statement st = c.createStatement();
      ResultSet rs = st.executeQuery(sql);
      return new ParquetSource(file, columns, c, st, rs);
    } catch (SQLException e) {
      closeQuietly(c);
      throw new SourceException("cannot read parquet " + file + ": " + e.getMessage(), e);
    } catch (SourceException e) {
      closeQuietly(c);
      throw e;
    }
  }

  private static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // the open failed already; that error is the one to report
      }
    }
  }

  private static String quote(String column) {
    return "\"" + column.replace("\"", "\"\"") + "\"";
  }

  private static String image(String column, Map<String, String> types) {
    String type = types.get(column).toUpperCase(Locale.ROOT);
    if (type.startsWith("STRUCT")) {
      if (!type.contains("BYTES")) {
        throw new SourceException("image column " + column + " is " + types.get(column) + ", expected struct<bytes, path> or BLOB", null);
      }
      return quote(column) + ".bytes";
    }
    if (type.equals("BLOB")) {
      return quote(column);
    }
    throw new SourceException("image column " + column + " is " + types.get(column) + ", expected struct<bytes, path> or BLOB", null);
  }

  private static String text(String column, Map<String, String> types) {
    String type = types.get(column).toUpperCase(Locale.ROOT);
    return type.endsWith("[]") ? quote(column) + "[1]" : "CAST(" + quote(column) + " AS VARCHAR)";
  }

  @Override
  EditTriplet advance() {
    try {
      while (rows.next()) {
        row++;
        Path rowFile = Path.of(rows.getString(7));
        long fileRow = rows.getLong(8);
        String where = rowFile.getFileName() + " row " + fileRow;
        String stem = rowFile.getFileName().toString().replaceFirst("\\.parquet$", "");
        String rawId = rows.getString(1);
        String id = columns.sampleId(rawId, stem, fileRow);
        try {
          return columns.toTriplet(id, rawId, fileRow, where, rows.getBytes(2), rows.getBytes(3), rows.getString(4),
              rows.getString(5), rows.getString(6));
        } catch (SourceException e) {
          problem(where, id, e.getMessage());
        }
      }
      return null;
    } catch (SQLException e) {
      throw new SourceException("cannot read " + file + " at row " + (row + 1) + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      rows.close();
      statement.close();
      conn.close();
    } catch (SQLException e) {
      throw new SourceException("cannot close " + file, e);
    }
  }
}
