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
 * {@code instruction} and {@code input_images} (a list of paths relative to the folder). Rows of other task types
 * (MULTIPLE, SCENE) are skipped; a SINGLE row must have exactly one input image.
 */
public final class OmniContextBench {
  /** The metadata file name. */
  public static final String METADATA = "metadata.jsonl";

  private OmniContextBench() {}

  /**
   * Loads the SINGLE subset.
   *
   * @param folder the benchmark folder
   * @return the samples, subset {@code SINGLE}
   * @throws EvalException naming the file and line of a malformed row or a missing image
   */
  public static BenchmarkSet load(Path folder) {
    requireNonNull(folder, "folder");
    List<BenchSample> samples = new ArrayList<>();
    for (JsonRows.Row row : JsonRows.readLines(folder.resolve(METADATA))) {
      String taskType = row.text("task_type");
      if (!Benchmark.OMNICONTEXT.categories().contains(taskType)) {
        continue;
      }
      JsonNode images = row.node().get("input_images");
      if (images == null || !images.isArray() || images.size() != 1 || !images.get(0).isTextual()) {
        throw new EvalException(row.where() + ": a " + taskType + " row needs exactly one input_images path");
      }
      Path input = JsonRows.existingImage(folder, images.get(0).asText(), row.where());
      try {
        samples.add(new BenchSample(row.text("key"), taskType, row.text("instruction"), input, Set.of()));
      } catch (IllegalArgumentException e) {
        throw new EvalException(row.where() + ": " + e.getMessage(), e);
      }
    }
    return new BenchmarkSet(Benchmark.OMNICONTEXT, "SINGLE", samples);
  }
}
