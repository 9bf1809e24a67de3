package io.gptedit.eval.score;

import static java.util.Objects.requireNonNull;

import io.gptedit.eval.Benchmark;
import io.gptedit.eval.EvalException;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes (and reads back) the per-task-type CSV files GEdit's official statistics script reads, so either side
 * can check the other's numbers:
 * {@code <model>_<task_type>_gpt_score.csv} with the columns {@value #HEADER} (the misspelling {@code sementics}
 * is the official column name).
 *
 * @since 0.1
 */
public final class GEditScoreCsv {
  /** The official header line. */
  public static final String HEADER =
      "source_image,edited_image,instruction,sementics_score,quality_score,intersection_exist,instruction_language";

  /**
   * One CSV row.
   *
   * @param sourceImage the source image file ({@code <key>_SRCIMG.png})
   * @param editedImage the edited image file
   * @param instruction the instruction
   * @param score the sample's judgement
   */
  public record Row(Path sourceImage, Path editedImage, String instruction, GEditSampleScore score) {
    /** Validates the row. */
    public Row {
      requireNonNull(sourceImage, "sourceImage");
      requireNonNull(editedImage, "editedImage");
      requireNonNull(instruction, "instruction");
      requireNonNull(score, "score");
    }
  }

  private GEditScoreCsv() {}

  /**
   * Writes one file per GEdit task type, atomically: a task type with no scored sample gets a header-only file,
   * because the official statistics script opens every task type's file and stops with {@code FileNotFoundError}
   * on a missing one. A task type GEdit does not define gets its own file after the eleven.
   *
   * @param dir the folder to write into
   * @param model the model name in the file names
   * @param rows the scored samples
   * @return the files written, GEdit's task-type order first
   * @throws EvalException if a file cannot be written
   */
  public static List<Path> write(Path dir, String model, List<Row> rows) {
    Map<String, List<Row>> byType = new LinkedHashMap<>();
    for (String taskType : Benchmark.GEDIT.categories()) {
      byType.put(taskType, new ArrayList<>());
    }
    for (Row r : rows) {
      byType.computeIfAbsent(r.score().taskType(), k -> new ArrayList<>()).add(r);
    }
    List<Path> files = new ArrayList<>();
    for (Map.Entry<String, List<Row>> e : byType.entrySet()) {
      Path file = dir.resolve(model + "_" + e.getKey() + "_gpt_score.csv");
      Path tmp = dir.resolve(file.getFileName() + ".tmp");
      try {
        Files.createDirectories(dir);
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
          w.write(HEADER);
          w.write('\n');
          for (Row r : e.getValue()) {
            w.write(String.join(
                ",",
                quote(r.sourceImage().toString()),
                quote(r.editedImage().toString()),
                quote(r.instruction()),
                number(r.score().sc()),
                number(r.score().pq()),
                r.score().intersection() ? "True" : "False",
                quote(r.score().language())));
            w.write('\n');
          }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException ex) {
        throw new EvalException("cannot write " + file + ": " + ex.getMessage(), ex);
      }
      files.add(file);
    }
    return files;
  }

  /**
   * Reads the score files of one model back (ours, or the official scorer's), so the official scorer's judgements
   * can be aggregated with {@link Aggregation#gedit}: each row becomes a sample whose SC and PQ lists hold the
   * file's {@code sementics_score} and {@code quality_score}; the key is the edited image's file name without
   * extension and the task type comes from the file name.
   *
   * @param dir the folder holding {@code <model>_<task_type>_gpt_score.csv} files
   * @param model the model name
   * @return the samples, task types in the benchmark's order
   * @throws EvalException naming the file and line of a malformed row
   */
  public static List<GEditSampleScore> read(Path dir, String model) {
    List<GEditSampleScore> out = new ArrayList<>();
    for (String taskType : Benchmark.GEDIT.categories()) {
      Path file = dir.resolve(model + "_" + taskType + "_gpt_score.csv");
      if (!Files.isRegularFile(file)) {
        continue;
      }
      List<List<String>> rows;
      try {
        rows = parseCsv(Files.readString(file, StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new EvalException("cannot read " + file + ": " + e.getMessage(), e);
      }
      if (rows.isEmpty()) {
        throw new EvalException(file + ": empty file");
      }
      List<String> header = rows.get(0);
      int edited = column(header, "edited_image", file);
      int sc = column(header, "sementics_score", file);
      int pq = column(header, "quality_score", file);
      int inter = column(header, "intersection_exist", file);
      int lang = column(header, "instruction_language", file);
      for (int i = 1; i < rows.size(); i++) {
        List<String> row = rows.get(i);
        String where = file + " line " + (i + 1);
        if (row.size() != header.size()) {
          throw new EvalException(where + ": expected " + header.size() + " cells, got " + row.size());
        }
        String name = Path.of(row.get(edited)).getFileName().toString();
        String key = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
        try {
          out.add(new GEditSampleScore(key, taskType, row.get(lang),
              row.get(inter).equalsIgnoreCase("true"),
              List.of(Double.parseDouble(row.get(sc))), List.of(Double.parseDouble(row.get(pq)))));
        } catch (IllegalArgumentException e) {
          throw new EvalException(where + ": " + e.getMessage(), e);
        }
      }
    }
    return out;
  }

  private static int column(List<String> header, String name, Path file) {
    int i = header.indexOf(name);
    if (i < 0) {
      throw new EvalException(file + ": no column '" + name + "' in " + header);
    }
    return i;
  }

  /** Parses RFC 4180 CSV: quoted cells may hold commas, doubled quotes and line breaks. */
  static List<List<String>> parseCsv(String text) {
    List<List<String>> rows = new ArrayList<>();
    List<String> row = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    boolean any = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cell.append(c);
        }
      } else if (c == '"') {
        quoted = true;
        any = true;
      } else if (c == ',') {
        row.add(cell.toString());
        cell.setLength(0);
        any = true;
      } else if (c == '\n' || c == '\r') {
        if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
          i++;
        }
        if (any || cell.length() > 0) {
          row.add(cell.toString());
          rows.add(row);
        }
        row = new ArrayList<>();
        cell.setLength(0);
        any = false;
      } else {
        cell.append(c);
        any = true;
      }
    }
    if (any || cell.length() > 0) {
      row.add(cell.toString());
      rows.add(row);
    }
    return rows;
  }

  static String quote(String s) {
    if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
      return "\"" + s.replace("\"", "\"\"") + "\"";
    }
    return s;
  }

  private static String number(double v) {
    return v == Math.rint(v) ? String.format(Locale.ROOT, "%.1f", v) : Double.toString(v);
  }
}
