package io.gptedit.eval.bench;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.gptedit.eval.Benchmark;
import io.gptedit.eval.EvalException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads ImgEdit Basic from {@code basic_edit.json} and the folder of original images.
 *
 * <p>The file maps each key to {@code {"id": "<folder>/<file>.jpg", "prompt": "...", "edit_type": "<family>"}};
 * originals are at {@code <originals>/<id>}. The older version of the file names the {@code adjust} family
 * {@code alter}; both are accepted and reported as {@code adjust}.
 *
 * @since 0.1
 */
public final class ImgEditBench {
  private ImgEditBench() {}

  /**
   * Loads the benchmark.
   *
   * @param basicEditJson the {@code basic_edit.json} file
   * @param originals the folder the {@code id} paths are relative to ({@code Benchmark/singleturn})
   * @return the samples, in file order
   * @throws EvalException naming the file and key of a malformed entry, an unknown family or a missing image
   */
  public static BenchmarkSet load(Path basicEditJson, Path originals) {
    requireNonNull(basicEditJson, "basicEditJson");
    requireNonNull(originals, "originals");
    JsonNode root = JsonRows.readObject(basicEditJson);
    List<BenchSample> samples = new ArrayList<>();
    int line = 0;
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      line++;
      String where = basicEditJson + " entry " + line + " (key '" + e.getKey() + "')";
      if (!e.getValue().isObject()) {
        throw new EvalException(where + ": expected an object");
      }
      JsonRows.Row row = new JsonRows.Row(where, e.getValue());
      String family = row.text("edit_type");
      String id = row.text("id");
      String prompt = row.text("prompt");
      if (family.equals("alter")) {
        family = "adjust";
      }
      if (!Benchmark.IMGEDIT.categories().contains(family)) {
        throw new EvalException(
            where + ": unknown edit_type '" + family + "'; expected one of " + Benchmark.IMGEDIT.categories() + " (or alter)");
      }
      Path input = JsonRows.existingImage(originals, id, where);
      try {
        samples.add(new BenchSample(e.getKey(), family, prompt, input, Set.of()));
      } catch (IllegalArgumentException ex) {
        throw new EvalException(where + ": " + ex.getMessage(), ex);
      }
    }
    return new BenchmarkSet(Benchmark.IMGEDIT, "basic", samples);
  }
}
