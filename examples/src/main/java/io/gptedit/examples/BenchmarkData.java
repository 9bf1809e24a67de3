package io.gptedit.examples;

import io.gptedit.eval.Benchmark;
import io.gptedit.eval.EvalException;
import io.gptedit.eval.bench.BenchmarkSet;
import io.gptedit.eval.bench.PublishedBenchmarks;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options of {@link PublishedBenchmarks}, for {@code gptedit eval} and {@code gptedit edit}. */
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

  /** Loads the samples, converting parquet files into {@code converted} first. */
  BenchmarkSet load(Benchmark benchmark, Path converted) {
    if (data == null) {
      throw new EvalException("--data is required: the benchmark's files (see docs/eval.md)");
    }
    PublishedBenchmarks.Options options =
        new PublishedBenchmarks.Options(language, intersection, split, level, originals);
    return PublishedBenchmarks.load(benchmark, data, options, converted);
  }
}
