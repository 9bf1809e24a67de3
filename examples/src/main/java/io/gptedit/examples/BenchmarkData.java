package io.gptedit.examples;

import io.gptedit.eval.Benchmark;
import io.gptedit.eval.EvalException;
import io.gptedit.eval.bench.BenchmarkSet;
import io.gptedit.eval.bench.ComplexEditBench;
import io.gptedit.eval.bench.ComplexEditParquet;
import io.gptedit.eval.bench.GEditBench;
import io.gptedit.eval.bench.GEditParquet;
import io.gptedit.eval.bench.ImgEditBench;
import io.gptedit.eval.bench.OmniContextBench;
import io.gptedit.eval.bench.OmniContextParquet;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine.Option;

/**
 * The benchmark files as published, for {@code gptedit eval} and {@code gptedit edit}: where {@code --data} points
 * and how each benchmark's files are read.
 *
 * <ul>
 *   <li>GEdit-Bench ({@code stepfun-ai/GEdit-Bench}): the parquet files of the {@code train} split (a file, a glob
 *       or a folder of them), converted once to a folder beside the outputs; or a folder already converted (it has
 *       {@code metadata.jsonl}).
 *   <li>ImgEdit Basic ({@code PKU-YuanGroup/ImgEdit}, {@code Benchmark/Basic}): {@code basic_edit.json}; the
 *       original images are under {@code --originals} (default: {@code singleturn/} beside the JSON file).
 *   <li>Complex-Edit ({@code UCSC-VLAA/Complex-Edit}): the parquet files of one split ({@code --split}),
 *       converted once; or the converted dataset folder holding {@code test_real/} and {@code test_syn/}.
 *   <li>OmniContext ({@code OmniGen2/OmniContext}): its parquet files, converted once; or a converted folder.
 * </ul>
 */
final class BenchmarkData {
  @Option(names = "--data", description = "The benchmark's files: GEdit/Complex-Edit/OmniContext parquet (a file, a glob "
      + "or a folder) or a converted folder; ImgEdit's basic_edit.json.")
  Path data;

  @Option(names = "--language", description = "GEdit: en or cn; OmniContext: the instruction_language (default ${DEFAULT-VALUE}).")
  String language = "en";

  @Option(names = "--intersection", description = "GEdit: only the rows whose Intersection_exist is true.")
  boolean intersection;

  @Option(names = "--split", description = "Complex-Edit: real or syn (default ${DEFAULT-VALUE}).")
  String split = "real";

  @Option(names = "--level", description = "Complex-Edit: the complexity level 1-8 (default ${DEFAULT-VALUE}).")
  int level = 8;

  @Option(names = "--originals", description = "ImgEdit: the folder the ids in basic_edit.json are relative to "
      + "(default: singleturn/ beside the JSON file).")
  Path originals;

  /**
   * Loads the samples, converting parquet files into {@code converted} first (kept, so a second run reads the
   * folder).
   */
  BenchmarkSet load(Benchmark benchmark, Path converted) {
    if (data == null) {
      throw new EvalException("--data is required: the benchmark's files (see docs/eval.md)");
    }
    List<Path> parquet = parquetFiles(data);
    return switch (benchmark) {
      case GEDIT -> {
        Path folder = data;
        if (!parquet.isEmpty()) {
          folder = converted.resolve("gedit");
          GEditParquet.export(parquet, folder, GEditParquet.DEFAULT_IMAGE_COLUMN);
        }
        yield GEditBench.load(folder, language, intersection);
      }
      case IMGEDIT -> ImgEditBench.load(data, originals != null ? originals : data.toAbsolutePath().resolveSibling("singleturn"));
      case COMPLEX_EDIT -> {
        Path root = data;
        if (!parquet.isEmpty()) {
          root = converted.resolve("complex-edit");
          ComplexEditParquet.export(parquet, root.resolve("test_" + split.replaceFirst("^test_", "")));
        }
        yield ComplexEditBench.load(root, split, level);
      }
      case OMNICONTEXT -> {
        Path folder = data;
        if (!parquet.isEmpty()) {
          folder = converted.resolve("omnicontext");
          OmniContextParquet.export(parquet, folder);
        }
        yield OmniContextBench.load(folder, language);
      }
      case LOCAL -> throw new EvalException("local-metric benchmarks have no published files");
    };
  }

  /** The parquet files {@code path} names: a file, a folder of them (no metadata.jsonl), or a glob; else none. */
  static List<Path> parquetFiles(Path path) {
    String text = path.toString();
    if (text.contains("*") || text.contains("?") || text.contains("[")) {
      Path dir = path.getParent() == null ? Path.of(".") : path.getParent();
      PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + path.getFileName());
      List<Path> found = list(dir).filter(p -> m.matches(p.getFileName())).sorted().toList();
      if (found.isEmpty()) {
        throw new EvalException("no file matches " + path);
      }
      return found;
    }
    if (Files.isRegularFile(path) && text.endsWith(".parquet")) {
      return List.of(path);
    }
    if (Files.isDirectory(path) && !Files.exists(path.resolve("metadata.jsonl"))) {
      return list(path).filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList();
    }
    if (!Files.exists(path)) {
      throw new EvalException("--data " + path + " does not exist");
    }
    return List.of();
  }

  private static Stream<Path> list(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList().stream();
    } catch (IOException e) {
      throw new EvalException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }
}
