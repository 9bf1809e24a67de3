package io.gptedit.eval.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gptedit.eval.EvalException;
import io.gptedit.eval.score.BenchmarkResult;
import io.gptedit.eval.score.CategoryResult;
import io.gptedit.eval.score.SampleFailure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * Renders a {@link Report} as Markdown, CSV and JSON.
 *
 * <p>Figures are printed with two decimals (half-up, as the paper prints them); JSON and CSV keep full precision.
 * Our row is printed beside the paper's rows with the dagger when instructions were rewritten; every report
 * states the judge model, the prompt hash and how many samples failed.
 *
 * @since 0.1
 */
public final class ReportWriter {
  /** The CSV header. */
  public static final String CSV_HEADER =
      "source,model,rewritten,subset,category,metric,value,scored,failed,judge_model,prompt_hash";

  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ReportWriter() {}

  /**
   * Says which prompt set a report's hash stands for: gptedit's own templates, or templates loaded by the user
   * (such as the official ones).
   */
  static String promptSetName(Report report) {
    io.gptedit.eval.Benchmark b = report.benchmark();
    if (b == io.gptedit.eval.Benchmark.LOCAL) {
      return "local metrics, no prompts";
    }
    return io.gptedit.eval.judge.PromptSet.ours(b).hash().equals(report.promptHash())
        ? "gptedit's own templates" : "templates loaded with --prompts / PromptSet.load";
  }

  /**
   * Renders Markdown.
   *
   * @param report the report
   * @return the text
   */
  public static String markdown(Report report) {
    StringBuilder md = new StringBuilder();
    BenchmarkResult main = report.main();
    md.append("# ").append(report.benchmark().displayName()).append(": ").append(report.modelLabel()).append("\n\n");
    md.append("- judge: `").append(report.judgeModel()).append("`, prompt hash `").append(report.promptHash())
        .append("` (").append(promptSetName(report)).append(")\n");
    for (BenchmarkResult r : report.results()) {
      md.append("- ").append(r.subset()).append(": ").append(r.scored()).append(" scored, ").append(r.failed()).append(" failed");
      if (!r.missingCategories().isEmpty()) {
        md.append(" (no scored sample in ").append(String.join(", ", r.missingCategories()))
            .append(": the overall is over the other categories and not comparable with published figures)");
      }
      md.append('\n');
    }
    if (report.rewritten()) {
      md.append("- ").append(Report.DAGGER).append(" instructions rewritten at inference time (thinking rewrite)\n");
    }
    md.append('\n');

    PaperTable paper = report.paper();
    md.append("## Beside the paper (").append(paper.resource()).append(", ").append(paper.subset()).append(")\n\n");
    if (!main.subset().equals(paper.subset())) {
      md.append("The paper reports ").append(paper.subset()).append("; this run is ").append(main.subset())
          .append(", so its row is not directly comparable.\n\n");
    }
    md.append("| model |");
    for (String c : paper.columns()) {
      md.append(' ').append(c).append(" |");
    }
    md.append("\n|---|");
    md.append("---:|".repeat(paper.columns().size()));
    md.append('\n');
    for (PaperRow row : paper.rows()) {
      md.append("| ").append(row.rewrittenPrompts() ? row.model() + " " + Report.DAGGER : row.model()).append(" |");
      for (String c : paper.columns()) {
        md.append(' ').append(row.value(c).isPresent() ? fmt(row.value(c).getAsDouble()) : "").append(" |");
      }
      md.append('\n');
    }
    Map<String, Double> ours = PaperColumns.ours(main);
    md.append("| **").append(report.modelLabel()).append("** (this run, ").append(main.subset()).append(") |");
    for (String c : paper.columns()) {
      Double v = ours.get(c);
      md.append(' ').append(v == null ? "" : "**" + fmt(v) + "**").append(" |");
    }
    md.append("\n\n");

    for (BenchmarkResult r : report.results()) {
      md.append("## ").append(r.subset()).append("\n\n| category |");
      for (String m : r.metricNames()) {
        md.append(' ').append(m).append(" |");
      }
      md.append(" scored | failed |\n|---|");
      md.append("---:|".repeat(r.metricNames().size() + 2));
      md.append('\n');
      for (CategoryResult c : r.categories()) {
        md.append("| ").append(c.category()).append(" |");
        for (String m : r.metricNames()) {
          Double v = c.metrics().get(m);
          md.append(' ').append(v == null ? "n/a" : fmt(v)).append(" |");
        }
        md.append(' ').append(c.scored()).append(" | ").append(c.failed()).append(" |\n");
      }
      md.append("| **overall** |");
      for (String m : r.metricNames()) {
        Double v = r.overall().get(m);
        md.append(' ').append(v == null ? "n/a" : "**" + fmt(v) + "**").append(" |");
      }
      md.append(' ').append(r.scored()).append(" | ").append(r.failed()).append(" |\n\n");
    }

    List<SampleFailure> failures = main.failures();
    if (!failures.isEmpty()) {
      md.append("## Failures (").append(main.subset()).append(": excluded from the means)\n\n");
      md.append("| sample | category | stage | attempts | reason |\n|---|---|---|---:|---|\n");
      for (SampleFailure f : failures) {
        md.append("| ").append(f.key()).append(" | ").append(f.category()).append(" | ").append(f.stage())
            .append(" | ").append(f.attempts()).append(" | ").append(oneLine(f.reason())).append(" |\n");
      }
      md.append('\n');
    }
    return md.toString();
  }

  /**
   * Renders CSV in long form: one line per (source, subset, category, metric), paper rows included.
   *
   * @param report the report
   * @return the text
   */
  public static String csv(Report report) {
    StringBuilder csv = new StringBuilder(CSV_HEADER).append('\n');
    String model = quote(report.model());
    for (BenchmarkResult r : report.results()) {
      for (CategoryResult c : r.categories()) {
        for (Map.Entry<String, Double> m : c.metrics().entrySet()) {
          csv.append(String.join(",", "ours", model, Boolean.toString(report.rewritten()), r.subset(),
              quote(c.category()), m.getKey(), Double.toString(m.getValue()), Integer.toString(c.scored()),
              Integer.toString(c.failed()), quote(report.judgeModel()), report.promptHash())).append('\n');
        }
      }
      for (Map.Entry<String, Double> m : r.overall().entrySet()) {
        csv.append(String.join(",", "ours", model, Boolean.toString(report.rewritten()), r.subset(), "overall",
            m.getKey(), Double.toString(m.getValue()), Integer.toString(r.scored()), Integer.toString(r.failed()),
            quote(report.judgeModel()), report.promptHash())).append('\n');
      }
    }
    for (PaperRow row : report.paper().rows()) {
      for (Map.Entry<String, Double> v : row.values().entrySet()) {
        csv.append(String.join(",", "paper", quote(row.model()), Boolean.toString(row.rewrittenPrompts()),
            report.paper().resource(), quote(v.getKey()), "published", Double.toString(v.getValue()), "", "", "", ""))
            .append('\n');
      }
    }
    return csv.toString();
  }

  /**
   * Renders JSON.
   *
   * @param report the report
   * @return the text
   */
  public static String json(Report report) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("benchmark", report.benchmark().id());
    root.put("model", report.model());
    root.put("rewritten", report.rewritten());
    root.put("judgeModel", report.judgeModel());
    root.put("promptHash", report.promptHash());
    ArrayNode results = root.putArray("results");
    for (BenchmarkResult r : report.results()) {
      ObjectNode o = results.addObject();
      o.put("subset", r.subset());
      o.put("scored", r.scored());
      o.put("failed", r.failed());
      ObjectNode overall = o.putObject("overall");
      r.overall().forEach(overall::put);
      ArrayNode missing = o.putArray("missingCategories");
      r.missingCategories().forEach(missing::add);
      ArrayNode cats = o.putArray("categories");
      for (CategoryResult c : r.categories()) {
        ObjectNode co = cats.addObject();
        co.put("category", c.category());
        co.put("scored", c.scored());
        co.put("failed", c.failed());
        ObjectNode metrics = co.putObject("metrics");
        c.metrics().forEach(metrics::put);
      }
      ArrayNode failures = o.putArray("failures");
      for (SampleFailure f : r.failures()) {
        ObjectNode fo = failures.addObject();
        fo.put("key", f.key());
        fo.put("category", f.category());
        fo.put("stage", f.stage().name());
        fo.put("attempts", f.attempts());
        fo.put("reason", f.reason());
      }
    }
    ObjectNode paper = root.putObject("paper");
    paper.put("table", report.paper().resource());
    ArrayNode rows = paper.putArray("rows");
    for (PaperRow row : report.paper().rows()) {
      ObjectNode ro = rows.addObject();
      ro.put("model", row.model());
      ro.put("rewritten", row.rewrittenPrompts());
      ObjectNode values = ro.putObject("values");
      row.values().forEach(values::put);
    }
    try {
      return MAPPER.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new EvalException("cannot render report JSON: " + e.getMessage(), e);
    }
  }

  /**
   * Writes {@code <benchmark>-<model>.md}, {@code .csv} and {@code .json} into a folder, atomically.
   *
   * @param report the report
   * @param dir the folder
   * @return the three files, Markdown first
   * @throws EvalException if a file cannot be written
   */
  public static List<Path> writeAll(Report report, Path dir) {
    String base = report.benchmark().id() + "-" + report.model() + (report.rewritten() ? "-rewritten" : "");
    Path md = write(dir.resolve(base + ".md"), markdown(report));
    Path csv = write(dir.resolve(base + ".csv"), csv(report));
    Path json = write(dir.resolve(base + ".json"), json(report));
    return List.of(md, csv, json);
  }

  private static Path write(Path file, String text) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new EvalException("cannot write report " + file + ": " + e.getMessage(), e);
    }
    return file;
  }

  static String fmt(double v) {
    return new java.math.BigDecimal(Double.toString(v)).setScale(2, java.math.RoundingMode.HALF_UP).toPlainString();
  }

  private static String oneLine(String s) {
    String t = s.replace('\n', ' ').replace('|', '/');
    return t.length() > 160 ? t.substring(0, 157) + "..." : t;
  }

  private static String quote(String s) {
    if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
      return "\"" + s.replace("\"", "\"\"") + "\"";
    }
    return s;
  }

}
