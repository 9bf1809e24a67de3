package io.gptedit.core.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.core.GpteditException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilePatternTest {
  @TempDir Path tmp;

  private Path touch(String name) throws Exception {
    return Files.writeString(tmp.resolve(name), name);
  }

  @Test
  void aGlobAFolderAndAFileExpandToTheSameSortedFiles() throws Exception {
    Path b = touch("train-00001.parquet");
    Path a = touch("train-00000.parquet");
    touch("README.md");
    Files.createDirectory(tmp.resolve("sub.parquet")); // a folder named like a file is not a file
    assertThat(FilePattern.expand(tmp.resolve("train-*.parquet"), ".parquet")).containsExactly(a, b);
    assertThat(FilePattern.expand(tmp, ".parquet")).containsExactly(a, b);
    assertThat(FilePattern.expand(a, ".parquet")).containsExactly(a);
    assertThat(FilePattern.expand(tmp.resolve("README.md"), ".parquet")).isEmpty();
  }

  @Test
  void aGlobThatMatchesNothingOrAMissingPathIsNamed() {
    Path glob = tmp.resolve("test-*.parquet");
    assertThatThrownBy(() -> FilePattern.expand(glob, ".parquet"))
        .isInstanceOf(GpteditException.class)
        .hasMessageContaining(glob.toString());
    Path missing = tmp.resolve("missing");
    assertThatThrownBy(() -> FilePattern.expand(missing, ".parquet"))
        .isInstanceOf(GpteditException.class)
        .hasMessageContaining(missing.toString());
    Path globInMissing = tmp.resolve("missing").resolve("*.parquet");
    assertThatThrownBy(() -> FilePattern.expand(globInMissing, ".parquet"))
        .isInstanceOf(GpteditException.class)
        .hasMessageContaining(missing.toString());
  }
}
