package io.gptedit.eval.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gptedit.eval.EvalException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reads JSON files and JSON-lines files with errors that name the file and line. */
final class JsonRows {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private JsonRows() {}

  /** One row: where it is (for messages, such as {@code <file> line 3}) and its object. */
  record Row(String where, JsonNode node) {
    static Row atLine(Path file, int line, JsonNode node) {
      return new Row(file + " line " + line, node);
    }

    String text(String field) {
      JsonNode v = node.get(field);
      if (v == null || v.isNull() || !v.isValueNode()) {
        throw new EvalException(where() + ": missing or non-text field '" + field + "'");
      }
      String s = v.asText();
      if (s.isBlank()) {
        throw new EvalException(where() + ": field '" + field + "' is blank");
      }
      return s;
    }

    boolean bool(String field) {
      JsonNode v = node.get(field);
      if (v == null || v.isNull()) {
        throw new EvalException(where() + ": missing field '" + field + "'");
      }
      if (v.isBoolean()) {
        return v.booleanValue();
      }
      String s = v.asText().trim().toLowerCase(Locale.ROOT);
      if (s.equals("true") || s.equals("1")) {
        return true;
      }
      if (s.equals("false") || s.equals("0")) {
        return false;
      }
      throw new EvalException(where() + ": field '" + field + "' is not a boolean: " + v);
    }
  }

  static List<Row> readLines(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new EvalException("cannot read " + file + ": " + e.getMessage(), e);
    }
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      try {
        JsonNode node = MAPPER.readTree(line);
        if (!node.isObject()) {
          throw new EvalException(file + " line " + (i + 1) + ": expected a JSON object");
        }
        rows.add(Row.atLine(file, i + 1, node));
      } catch (JsonProcessingException e) {
        throw new EvalException(file + " line " + (i + 1) + ": malformed JSON: " + e.getOriginalMessage(), e);
      }
    }
    return rows;
  }

  static JsonNode readObject(Path file) {
    try {
      JsonNode node = MAPPER.readTree(file.toFile());
      if (node == null || !node.isObject()) {
        throw new EvalException(file + ": expected a JSON object at the top level");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new EvalException(
          file + " line " + e.getLocation().getLineNr() + ": malformed JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new EvalException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  static Path existingImage(Path root, String relative, String where) {
    Path p = root.resolve(relative).normalize();
    if (!p.startsWith(root.normalize())) {
      throw new EvalException(where + ": image path '" + relative + "' escapes " + root);
    }
    if (!Files.isRegularFile(p)) {
      throw new EvalException(where + ": input image " + p + " does not exist");
    }
    return p;
  }
}
