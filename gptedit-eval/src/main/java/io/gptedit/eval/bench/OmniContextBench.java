package io.gptedit.eval.bench;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.gptedit.eval.Benchmark;
import io.gptedit.eval.EvalException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Loads OmniContext's SINGLE subset from a local folder.
 *
 * <p>The folder holds {@value #METADATA}: one JSON object per row with {@code task_type}, {@code key},
 * {@code instruction}, {@code instruction_language} and {@code input_images} (a list of paths relative to the
 * folder); {@link OmniContextParquet#export} writes it from the Hugging Face parquet files. Rows of other task types
 * (MULTIPLE, SCENE) and of other instruction languages are skipped (a row without {@code instruction_language}
 * counts as {@value #DEFAULT_LANGUAGE}); a SINGLE row must have exactly one input image.
 *
 * @since 0.1
 */
public final class OmniContextBench {
  /** The metadata file name. */
  public static final String METADATA = "metadata.jsonl";

  /** The instruction language the paper reports, and that of rows which do not say. */
  public static final String DEFAULT_LANGUAGE = "en";

  private OmniContextBench() {}

  /**
   * Loads the SINGLE subset in English ({@value #DEFAULT_LANGUAGE}).
   *
   * @param folder the benchmark folder
   * @return the samples, subset {@code SINGLE}
   * @throws EvalException naming the file and line of a malformed row or a missing image
   */
  public static BenchmarkSet load(Path folder) {
    return load(folder, DEFAULT_LANGUAGE);
  }

  /**
   * Loads the SINGLE subset in one instruction language.
   *
   * @param folder the benchmark folder
   * @param language the {@code instruction_language} to keep, such as {@code en}
   * @return the samples, subset {@code SINGLE} ({@code SINGLE/<language>} for a language other than
   *     {@value #DEFAULT_LANGUAGE}), tagged with their language
   * @throws EvalException naming the file and line of a malformed row or a missing image
   */
  public static BenchmarkSet load(Path folder, String language) {
    requireNonNull(folder, "folder");
    requireNonNull(language, "language");
    List<BenchSample> samples = new ArrayList<>();
    for (JsonRows.Row row : JsonRows.readLines(folder.resolve(METADATA))) {
      String taskType = row.text("task_type");
      if (!Benchmark.OMNICONTEXT.categories().contains(taskType)) {
        continue;
      }
      JsonNode lang = row.node().get("instruction_language");
      String rowLanguage = lang == null || lang.isNull() ? DEFAULT_LANGUAGE : row.text("instruction_language");
      if (!rowLanguage.equals(language)) {
        continue;
      }
      JsonNode images = row.node().get("input_images");
      if (images == null || !images.isArray() || images.size() != 1 || !images.get(0).isTextual()) {
        throw new EvalException(row.where() + ": a " + taskType + " row needs exactly one input_images path");
      }
      Path input = JsonRows.existingImage(folder, images.get(0).asText(), row.where());
      try {
        samples.add(new BenchSample(row.text("key"), taskType, row.text("instruction"), input, Set.of(language)));
      } catch (IllegalArgumentException e) {
        throw new EvalException(row.where() + ": " + e.getMessage(), e);
      }
    }
    String subset = language.equals(DEFAULT_LANGUAGE) ? "SINGLE" : "SINGLE/" + language;
    try {
      return new BenchmarkSet(Benchmark.OMNICONTEXT, subset, samples);
    } catch (IllegalArgumentException e) {
      throw new EvalException(folder.resolve(METADATA) + ": " + e.getMessage(), e);
    }
  }
}
