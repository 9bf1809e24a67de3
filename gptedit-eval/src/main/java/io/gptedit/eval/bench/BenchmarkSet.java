package io.gptedit.eval.bench;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import io.gptedit.eval.Benchmark;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The samples of one benchmark subset, and where each sample's output goes in the official layout.
 *
 * @param benchmark the benchmark
 * @param subset the subset label, such as {@code en}, {@code basic}, {@code C8/real} or {@code SINGLE}
 * @param samples the samples in benchmark order
 * @since 0.1
 */
public record BenchmarkSet(Benchmark benchmark, String subset, List<BenchSample> samples) {
  /**
   * Validates the set.
   *
   * @throws IllegalArgumentException if two samples share a key and category
   */
  public BenchmarkSet {
    requireNonNull(benchmark, "benchmark");
    requireNonNull(subset, "subset");
    samples = ImmutableList.copyOf(requireNonNull(samples, "samples"));
    Set<String> seen = new HashSet<>();
    for (BenchSample s : samples) {
      checkArgument(
          seen.add(s.category() + "/" + s.language() + "/" + s.key()),
          "%s %s: duplicate sample key '%s' in %s",
          benchmark.displayName(),
          subset,
          s.key(),
          s.category());
    }
  }

  /**
   * Returns where a sample's edited image goes, in the layout the official scorer reads:
   * GEdit {@code <root>/<model>/fullset/<task_type>/<lang>/<key>.png}, OmniContext
   * {@code <root>/<model>/fullset/<task_type>/<key>.png}, ImgEdit {@code <root>/<key>.png} and Complex-Edit
   * {@code <root>/<key>.png} with zero-padded row keys.
   *
   * @param root the output root
   * @param model the editor's name (file-name safe)
   * @param sample the sample
   * @return the output file
   */
  public Path outputFile(Path root, String model, BenchSample sample) {
    checkArgument(model.matches("[A-Za-z0-9._+-]+"), "model name '%s' is not file-name safe", model);
    return switch (benchmark) {
      case GEDIT -> root.resolve(model).resolve("fullset").resolve(sample.category()).resolve(sample.language())
          .resolve(sample.key() + ".png");
      case OMNICONTEXT -> root.resolve(model).resolve("fullset").resolve(sample.category()).resolve(sample.key() + ".png");
      case IMGEDIT, COMPLEX_EDIT -> root.resolve(sample.key() + ".png");
      case LOCAL -> root.resolve(model).resolve(sample.key() + ".png");
    };
  }

  /**
   * Returns where GEdit's scorer expects the source image beside an output ({@code <key>_SRCIMG.png}), if the
   * benchmark has one.
   *
   * @param output the output file from {@link #outputFile}
   * @return the source-image file, or {@code null} for benchmarks that read sources from the benchmark data
   */
  public Path sourceCopyFile(Path output) {
    if (benchmark != Benchmark.GEDIT) {
      return null;
    }
    String name = output.getFileName().toString();
    return output.resolveSibling(name.substring(0, name.length() - ".png".length()) + "_SRCIMG.png");
  }
}
