package io.gptedit.eval.bench;

import static java.util.Objects.requireNonNull;

import io.gptedit.core.GpteditException;
import io.gptedit.core.files.FilePattern;
import io.gptedit.eval.Benchmark;
import io.gptedit.eval.EvalException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads a benchmark from its files as published, whatever form the user has them in.
 *
 * <ul>
 *   <li>GEdit-Bench ({@code stepfun-ai/GEdit-Bench}): the parquet files of the {@code train} split (a file, a glob or
 *       a folder of them), converted once to a folder; or a folder already converted (it has {@code metadata.jsonl}).
 *   <li>ImgEdit Basic ({@code PKU-YuanGroup/ImgEdit}, {@code Benchmark/Basic}): {@code basic_edit.json}; the
 *       originals are under {@link Options#imgEditOriginals()} (default: {@code singleturn/} beside the JSON file).
 *   <li>Complex-Edit ({@code UCSC-VLAA/Complex-Edit}): the parquet files of one split, converted once; or the
 *       converted dataset folder holding {@code test_real/} and {@code test_syn/}.
 *   <li>OmniContext ({@code OmniGen2/OmniContext}): its parquet files, converted once; or a converted folder.
 * </ul>
 *
 * <pre>{@code
 * BenchmarkSet gedit = PublishedBenchmarks.load(Benchmark.GEDIT, Path.of("GEdit-Bench/data"),
 *     PublishedBenchmarks.Options.defaults(), Path.of("work/data"));
 * }</pre>
 *
 * @since 0.1
 */
public final class PublishedBenchmarks {
  private PublishedBenchmarks() {}

  /**
   * The choices inside a benchmark.
   *
   * @param language GEdit: {@code en} or {@code cn}; OmniContext: the {@code instruction_language}
   * @param intersectionOnly GEdit: only the rows whose {@code Intersection_exist} is true
   * @param complexEditSplit Complex-Edit: {@code real} or {@code syn}
   * @param complexEditLevel Complex-Edit: the complexity level, 1 to 8
   * @param imgEditOriginals ImgEdit: the folder the ids in {@code basic_edit.json} are relative to, or null for
   *     {@code singleturn/} beside the JSON file
   */
  public record Options(
      String language, boolean intersectionOnly, String complexEditSplit, int complexEditLevel, Path imgEditOriginals) {
    /** Validates the options. */
    public Options {
      requireNonNull(language, "language");
      requireNonNull(complexEditSplit, "complexEditSplit");
      if (complexEditLevel < 1 || complexEditLevel > 8) {
        throw new EvalException("Complex-Edit levels are 1 to 8, got " + complexEditLevel);
      }
    }

    /**
     * The paper's settings: English, every GEdit row, Complex-Edit real at level 8, ImgEdit originals beside the JSON.
     *
     * @return the defaults
     */
    public static Options defaults() {
      return new Options("en", false, "real", 8, null);
    }
  }

  /**
   * Loads a benchmark's samples, converting parquet files into {@code convertDir} first (kept, so a second call
   * reads the converted folder).
   *
   * @param benchmark which benchmark ({@link Benchmark#LOCAL} has no published files)
   * @param data the benchmark's files: parquet (a file, a glob or a folder), a converted folder, or ImgEdit's
   *     {@code basic_edit.json}
   * @param options the choices inside the benchmark
   * @param convertDir where parquet files are converted to (a sub-folder per benchmark)
   * @return the samples
   * @throws GpteditException naming the file or folder that is missing or malformed
   */
  public static BenchmarkSet load(Benchmark benchmark, Path data, Options options, Path convertDir) {
    requireNonNull(benchmark, "benchmark");
    requireNonNull(data, "data");
    requireNonNull(options, "options");
    requireNonNull(convertDir, "convertDir");
    List<Path> parquet = parquetFiles(data);
    return switch (benchmark) {
      case GEDIT -> {
        Path folder = data;
        if (!parquet.isEmpty()) {
          folder = convertDir.resolve("gedit");
          GEditParquet.export(parquet, folder, GEditParquet.DEFAULT_IMAGE_COLUMN);
        }
        yield GEditBench.load(folder, options.language(), options.intersectionOnly());
      }
      case IMGEDIT -> ImgEditBench.load(data, options.imgEditOriginals() != null
          ? options.imgEditOriginals() : data.toAbsolutePath().resolveSibling("singleturn"));
      case COMPLEX_EDIT -> {
        Path root = data;
        if (!parquet.isEmpty()) {
          root = convertDir.resolve("complex-edit");
          ComplexEditParquet.export(parquet, root.resolve("test_" + options.complexEditSplit().replaceFirst("^test_", "")));
        }
        yield ComplexEditBench.load(root, options.complexEditSplit(), options.complexEditLevel());
      }
      case OMNICONTEXT -> {
        Path folder = data;
        if (!parquet.isEmpty()) {
          folder = convertDir.resolve("omnicontext");
          OmniContextParquet.export(parquet, folder);
        }
        yield OmniContextBench.load(folder, options.language());
      }
      case LOCAL -> throw new EvalException("local-metric benchmarks have no published files");
    };
  }

  /** The parquet files {@code data} names; none for a converted folder (it has metadata.jsonl) or a JSON file. */
  private static List<Path> parquetFiles(Path data) {
    if (Files.isDirectory(data) && Files.exists(data.resolve("metadata.jsonl"))) {
      return List.of();
    }
    try {
      return FilePattern.expand(data, ".parquet");
    } catch (GpteditException e) {
      throw new EvalException("benchmark data: " + e.getMessage(), e);
    }
  }
}
