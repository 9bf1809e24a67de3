package io.gptedit.eval.bench;

import io.gptedit.eval.EvalException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** Checks parquet file lists and quotes them for DuckDB's {@code read_parquet}; shared by the exporters. */
final class ParquetFiles {
  private ParquetFiles() {}

  /**
   * Returns the files as a DuckDB list literal, such as {@code ['/a/x.parquet', '/a/y.parquet']}.
   *
   * @throws EvalException if the list is empty, a file does not exist or DuckDB (optional) is not on the class path
   */
  static String sqlList(List<Path> parquetFiles) {
    if (parquetFiles.isEmpty()) {
      throw new EvalException("no parquet files given");
    }
    for (Path p : parquetFiles) {
      if (!Files.isRegularFile(p)) {
        throw new EvalException("parquet file " + p + " does not exist");
      }
    }
    requireDuckDb(parquetFiles.get(0));
    return parquetFiles.stream()
        .map(p -> "'" + p.toAbsolutePath().toString().replace("'", "''") + "'")
        .collect(Collectors.joining(", ", "[", "]"));
  }

  /** The DuckDB JDBC version gptedit is built and tested with (gptedit-bom pins it). */
  static final String DUCKDB_VERSION = "1.4.4.0";

  /**
   * Checks that DuckDB's JDBC driver, an optional dependency of gptedit-eval, is on the class path.
   *
   * @throws EvalException naming the dependency to add
   */
  static void requireDuckDb(Path file) {
    try {
      Class.forName("org.duckdb.DuckDBDriver", false, ParquetFiles.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new EvalException(
          "reading parquet file " + file + " needs DuckDB, an optional dependency of gptedit-eval that is not on the"
              + " class path: add org.duckdb:duckdb_jdbc, version " + DUCKDB_VERSION + " (gptedit-bom manages it)",
          e);
    }
  }
}
