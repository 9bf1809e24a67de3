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
 *
 * <p>The published English set repeats some keys within a task type (the paper's key-indexed results hold 604 keys
 * for 606 rows). Samples are paired with outputs by row, not by key: the first row with a key keeps it, and the
 * n-th repeat within the same task type and language becomes {@code <key>}{@value #REPEAT_SUFFIX}{@code n}, so a
 * repeat neither refuses the load nor shares another row's output file.
 *
 * @since 0.1
 */
public final class GEditBench {
  /** The metadata file name inside a GEdit folder. */
  public static final String METADATA = "metadata.jsonl";

  /** What joins a repeated key and its occurrence number (2, 3, ...) in the sample key. */
  public static final String REPEAT_SUFFIX = "__dup";

  private GEditBench() {}

  /**
   * Returns the sample key of a row: its key, or {@code <key>__dup<n>} for the n-th row (n from 2) with the same
   * task type, language and key, counted in file order.
   *
   * @param seen occurrences so far, by task type, language and key (updated)
   * @param taskType the row's task type
   * @param language the row's language
   * @param key the row's key
   * @return the key to use
   */
  static String rowKey(java.util.Map<String, Integer> seen, String taskType, String language, String key) {
    int n = seen.merge(taskType + "/" + language + "/" + key, 1, Integer::sum);
    return n == 1 ? key : key + REPEAT_SUFFIX + n;
  }

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
    java.util.Map<String, Integer> seen = new java.util.HashMap<>();
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
      String key = rowKey(seen, taskType, lang, row.text("key"));
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
