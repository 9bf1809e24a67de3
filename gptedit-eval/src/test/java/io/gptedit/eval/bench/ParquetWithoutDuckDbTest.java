package io.gptedit.eval.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.gptedit.core.GpteditException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DuckDB is optional in gptedit-eval: without it, the parquet exporters say which dependency to add. */
class ParquetWithoutDuckDbTest {
  @TempDir Path dir;

  @Test
  void exportWithoutDuckDbOnTheClassPathNamesTheDependencyToAdd() throws Exception {
    Path parquet = Files.write(dir.resolve("train-0.parquet"), new byte[] {'P', 'A', 'R', '1'});
    URL eval = GEditParquet.class.getProtectionDomain().getCodeSource().getLocation();
    URL core = GpteditException.class.getProtectionDomain().getCodeSource().getLocation();
    // Only gptedit-eval and gptedit-core: no DuckDB (and no other dependency) is visible to this loader.
    try (URLClassLoader slim = new URLClassLoader(new URL[] {eval, core}, ClassLoader.getPlatformClassLoader())) {
      Class<?> exporter = slim.loadClass(GEditParquet.class.getName());
      assertThat(exporter.getClassLoader()).isSameAs(slim);
      Method export = exporter.getMethod("export", List.class, Path.class, String.class);
      Throwable thrown = null;
      try {
        export.invoke(null, List.of(parquet), dir.resolve("out"), "input_image");
      } catch (InvocationTargetException e) {
        thrown = e.getCause();
      }
      assertThat(thrown).isNotNull();
      assertThat(thrown.getClass().getName()).isEqualTo("io.gptedit.eval.EvalException");
      assertThat(thrown.getMessage())
          .contains("reading parquet file " + parquet)
          .contains("add org.duckdb:duckdb_jdbc");
    }
  }
}
