package io.gptedit.core.files;

import static java.util.Objects.requireNonNull;

import io.gptedit.core.GpteditException;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.stream.Stream;

/**
 * Expands what a user names as "the files": one file, a folder of them, or a glob in the last path element
 * ({@code data/train-*.parquet}), the way the published datasets ship their parquet shards.
 *
 * <pre>{@code
 * List<Path> shards = FilePattern.expand(Path.of("omniedit/data/train-*.parquet"), ".parquet");
 * }</pre>
 *
 * @since 0.1
 */
public final class FilePattern {
  private FilePattern() {}

  /**
   * Expands a file, a folder or a glob into the files it names, sorted by name.
   *
   * <ul>
   *   <li>a glob ({@code *}, {@code ?} or {@code [} in the last element): the matching entries of its folder; none is
   *       an error;
   *   <li>a regular file: itself when its name ends with {@code suffix}, else no file;
   *   <li>a folder: its files (not recursive) whose names end with {@code suffix}, possibly none.
   * </ul>
   *
   * @param path a file, a folder or a glob
   * @param suffix the file-name ending to keep, such as {@code .parquet}
   * @return the files, sorted by name
   * @throws GpteditException naming the path if it does not exist, a glob matches nothing, or a folder cannot be
   *     listed
   */
  public static List<Path> expand(Path path, String suffix) {
    requireNonNull(path, "path");
    requireNonNull(suffix, "suffix");
    Path name = path.getFileName();
    String last = name == null ? "" : name.toString();
    if (last.contains("*") || last.contains("?") || last.contains("[")) {
      Path dir = path.getParent() == null ? Path.of(".") : path.getParent();
      PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + last);
      List<Path> found = list(dir).filter(p -> m.matches(p.getFileName())).sorted().toList();
      if (found.isEmpty()) {
        throw new GpteditException("no file matches " + path);
      }
      return found;
    }
    if (Files.isRegularFile(path)) {
      return last.endsWith(suffix) ? List.of(path) : List.of();
    }
    if (Files.isDirectory(path)) {
      return list(path).filter(p -> p.getFileName().toString().endsWith(suffix) && Files.isRegularFile(p)).sorted()
          .toList();
    }
    throw new GpteditException(path + " does not exist");
  }

  private static Stream<Path> list(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new GpteditException(dir + " does not exist or is not a folder");
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList().stream();
    } catch (IOException e) {
      throw new GpteditException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }
}
