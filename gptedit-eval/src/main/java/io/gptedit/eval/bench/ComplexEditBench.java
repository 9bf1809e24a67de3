package io.gptedit.eval.bench;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.gptedit.eval.Benchmark;
import io.gptedit.eval.EvalException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Loads one complexity level of one Complex-Edit split from a local folder.
 *
 * <p>The split folder ({@code test_real} or {@code test_syn}) holds {@value #METADATA}: one JSON object per row, in
 * dataset order, with {@code image} (the input's path relative to the split folder) and {@code edit}, the dataset's
 * edit record. The instruction at level k is {@code edit.compound[k-1].compound_instruction}. Row i gets the key
 * {@code %05d} of i: the official scorer pairs outputs with rows by sorted file name, so names are zero-padded.
 *
 * @since 0.1
 */
public final class ComplexEditBench {
  /** The metadata file name inside a split folder. */
  public static final String METADATA = "metadata.jsonl";

  /** The highest complexity level. */
  public static final int MAX_LEVEL = 8;

  private ComplexEditBench() {}

  /**
   * Loads a split at a complexity level.
   *
   * @param root the dataset folder holding {@code test_real/} and {@code test_syn/}
   * @param split {@code real} or {@code syn} (or the full names {@code test_real}, {@code test_syn})
   * @param level the complexity level, 1 to 8 (the paper reports 8)
   * @return the samples, subset {@code C<level>/<split>}
   * @throws EvalException naming the file and line of a row without that level, or a missing image
   */
  public static BenchmarkSet load(Path root, String split, int level) {
    requireNonNull(root, "root");
    String s = split.toLowerCase(Locale.ROOT).replaceFirst("^test_", "");
    if (!s.equals("real") && !s.equals("syn")) {
      throw new EvalException("Complex-Edit split must be real or syn, got '" + split + "'");
    }
    if (level < 1 || level > MAX_LEVEL) {
      throw new EvalException("Complex-Edit level must be 1 to " + MAX_LEVEL + ", got " + level);
    }
    Path folder = root.resolve("test_" + s);
    List<JsonRows.Row> rows = JsonRows.readLines(folder.resolve(METADATA));
    List<BenchSample> samples = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      JsonRows.Row row = rows.get(i);
      JsonNode compound = row.node().path("edit").path("compound");
      if (!compound.isArray()) {
        throw new EvalException(row.where() + ": missing edit.compound list");
      }
      if (compound.size() < level) {
        throw new EvalException(
            row.where() + ": edit.compound has " + compound.size() + " levels, level " + level + " requested");
      }
      JsonNode instruction = compound.get(level - 1).get("compound_instruction");
      if (instruction == null || !instruction.isTextual() || instruction.asText().isBlank()) {
        throw new EvalException(row.where() + ": edit.compound[" + (level - 1) + "].compound_instruction is missing");
      }
      Path input = JsonRows.existingImage(folder, row.text("image"), row.where());
      samples.add(new BenchSample(String.format(Locale.ROOT, "%05d", i), "C" + level, instruction.asText(), input, Set.of()));
    }
    return new BenchmarkSet(Benchmark.COMPLEX_EDIT, "C" + level + "/" + s, samples);
  }
}
