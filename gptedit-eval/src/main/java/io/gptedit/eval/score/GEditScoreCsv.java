package io.gptedit.eval.score;

import static java.util.Objects.requireNonNull;

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
 * Writes the per-task-type CSV files GEdit's official statistics script reads, so it can check our numbers:
 * {@code <model>_<task_type>_gpt_score.csv} with the columns {@value #HEADER} (the misspelling {@code sementics}
 * is the official column name).
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
   * Writes one file per task type present in {@code rows}, atomically.
   *
   * @param dir the folder to write into
   * @param model the model name in the file names
   * @param rows the scored samples
   * @return the files written, in task-type order of first appearance
   * @throws EvalException if a file cannot be written
   */
  public static List<Path> write(Path dir, String model, List<Row> rows) {
    Map<String, List<Row>> byType = new LinkedHashMap<>();
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
