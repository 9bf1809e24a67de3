package io.gptedit.eval.report;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import io.gptedit.eval.Benchmark;
import io.gptedit.eval.EvalException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A table transcribed from the GPT-IMAGE-EDIT-1.5M paper, shipped as a CSV resource: the reference rows printed
 * beside ours in reports.
 *
 * @param benchmark the benchmark the table reports
 * @param resource the CSV resource name
 * @param columns the value columns in order (without {@code model} and {@code rewritten_prompts})
 * @param rows the published rows in the paper's order
 * @since 0.1
 */
public record PaperTable(Benchmark benchmark, String resource, List<String> columns, List<PaperRow> rows) {
  /** Validates the table. */
  public PaperTable {
    requireNonNull(benchmark, "benchmark");
    requireNonNull(resource, "resource");
    columns = ImmutableList.copyOf(columns);
    rows = ImmutableList.copyOf(rows);
  }

  /**
   * Returns the subset the paper's table reports, in the labels {@code BenchmarkResult.subset()} uses.
   *
   * @return {@code en/fullset}, {@code basic}, {@code C8/real} or {@code SINGLE}
   */
  public String subset() {
    return switch (benchmark) {
      case GEDIT -> "en/fullset";
      case IMGEDIT -> "basic";
      case COMPLEX_EDIT -> "C8/real";
      case OMNICONTEXT -> "SINGLE";
      case LOCAL -> "all";
    };
  }

  /**
   * Loads the paper's table for a benchmark: Table 1 (GEdit-Bench-EN full set), Table 2 (ImgEdit), Table 3
   * (Complex-Edit C8, real images) or Table 6 (OmniContext SINGLE).
   *
   * @param benchmark the benchmark
   * @return the table
   * @throws EvalException if the resource is missing or malformed
   */
  public static PaperTable of(Benchmark benchmark) {
    if (benchmark == Benchmark.LOCAL) {
      return new PaperTable(benchmark, "none", List.of(), List.of()); // local metrics have no published rows
    }
    String resource =
        switch (benchmark) {
          case GEDIT -> "gedit-en-full.csv";
          case IMGEDIT -> "imgedit-full.csv";
          case COMPLEX_EDIT -> "complex-edit-c8.csv";
          case OMNICONTEXT -> "omnicontext-single.csv";
          case LOCAL -> throw new IllegalStateException("unreachable");
        };
    try (InputStream in = PaperTable.class.getResourceAsStream("paper-tables/" + resource)) {
      if (in == null) {
        throw new EvalException("missing resource paper-tables/" + resource);
      }
      return parse(benchmark, resource, in);
    } catch (IOException e) {
      throw new EvalException("cannot read paper-tables/" + resource, e);
    }
  }

  private static PaperTable parse(Benchmark benchmark, String resource, InputStream in) throws IOException {
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    String header = reader.readLine();
    if (header == null) {
      throw new EvalException(resource + ": empty file");
    }
    List<String> names = Arrays.asList(header.split(",", -1));
    if (!names.get(0).equals("model")) {
      throw new EvalException(resource + ": first column must be 'model', got '" + names.get(0) + "'");
    }
    int rewrittenAt = names.indexOf("rewritten_prompts");
    List<String> columns = new ArrayList<>();
    for (int i = 1; i < names.size(); i++) {
      if (i != rewrittenAt) {
        columns.add(names.get(i));
      }
    }
    List<PaperRow> rows = new ArrayList<>();
    String line;
    int lineNo = 1;
    while ((line = reader.readLine()) != null) {
      lineNo++;
      if (line.isBlank()) {
        continue;
      }
      String[] cells = line.split(",", -1);
      if (cells.length != names.size()) {
        throw new EvalException(
            resource + " line " + lineNo + ": expected " + names.size() + " cells, got " + cells.length);
      }
      Map<String, Double> values = new LinkedHashMap<>();
      for (int i = 1; i < cells.length; i++) {
        if (i == rewrittenAt || cells[i].isEmpty()) {
          continue;
        }
        try {
          values.put(names.get(i), Double.parseDouble(cells[i]));
        } catch (NumberFormatException e) {
          throw new EvalException(
              resource + " line " + lineNo + " column " + names.get(i) + ": not a number '" + cells[i] + "'", e);
        }
      }
      boolean rewritten = rewrittenAt >= 0 && Boolean.parseBoolean(cells[rewrittenAt]);
      rows.add(new PaperRow(cells[0], rewritten, values));
    }
    return new PaperTable(benchmark, resource, columns, rows);
  }
}
