package io.gptedit.eval.bench;

import static java.util.Objects.requireNonNull;

import io.gptedit.eval.Benchmark;
import io.gptedit.eval.EvalException;
import io.gptedit.eval.score.Aggregation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Loads GEdit-Bench from a local folder.
 *
 * <p>The folder holds {@value #METADATA} with one JSON object per row carrying the Hugging Face dataset's fields,
 * {@code task_type}, {@code key}, {@code instruction}, {@code instruction_language} ({@code en} or {@code cn}),
 * {@code Intersection_exist}, and {@code input_image}: the input image's path relative to the folder.
 * {@link GEditParquet#export} writes this folder from the dataset's parquet files.
 */
public final class GEditBench {
  /** The metadata file name inside a GEdit folder. */
  public static final String METADATA = "metadata.jsonl";

  private GEditBench() {}

  /**
   * Loads one language of GEdit-Bench.
   *
   * @param folder the benchmark folder
   * @param language {@code en} or {@code cn}
   * @param intersectionOnly whether to keep only rows whose {@code Intersection_exist} is true
   * @return the samples, tagged with their language and {@code intersection} where it applies
   * @throws EvalException naming the file and line of a malformed row, unknown task type or language, or a
   *     missing image
   */
  public static BenchmarkSet load(Path folder, String language, boolean intersectionOnly) {
    requireNonNull(folder, "folder");
    if (!language.equals("en") && !language.equals("cn")) {
      throw new EvalException("GEdit language must be 'en' or 'cn' (the data says cn, not zh), got '" + language + "'");
    }
    Path metadata = folder.resolve(METADATA);
    List<BenchSample> samples = new ArrayList<>();
    for (JsonRows.Row row : JsonRows.readLines(metadata)) {
      String lang = row.text("instruction_language");
      if (!lang.equals("en") && !lang.equals("cn")) {
        throw new EvalException(row.where() + ": instruction_language must be en or cn, got '" + lang + "'");
      }
      String taskType = row.text("task_type");
      if (!Benchmark.GEDIT.categories().contains(taskType)) {
        throw new EvalException(
            row.where() + ": unknown task_type '" + taskType + "'; expected one of " + Benchmark.GEDIT.categories());
      }
      boolean intersection = row.bool("Intersection_exist");
      String key = row.text("key");
      String instruction = row.text("instruction");
      Path input = JsonRows.existingImage(folder, row.text("input_image"), row.where());
      if (!lang.equals(language) || (intersectionOnly && !intersection)) {
        continue;
      }
      Set<String> tags = new HashSet<>();
      tags.add(lang);
      if (intersection) {
        tags.add(Aggregation.INTERSECTION_TAG);
      }
      try {
        samples.add(new BenchSample(key, taskType, instruction, input, tags));
      } catch (IllegalArgumentException e) {
        throw new EvalException(row.where() + ": " + e.getMessage(), e);
      }
    }
    try {
      return new BenchmarkSet(Benchmark.GEDIT, language + (intersectionOnly ? "/intersection" : "/fullset"), samples);
    } catch (IllegalArgumentException e) {
      throw new EvalException(metadata + ": " + e.getMessage(), e);
    }
  }
}
