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
   * @throws EvalException if the list is empty or a file does not exist
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
    return parquetFiles.stream()
        .map(p -> "'" + p.toAbsolutePath().toString().replace("'", "''") + "'")
        .collect(Collectors.joining(", ", "[", "]"));
  }
}
