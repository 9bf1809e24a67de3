package io.gptedit.models.mllm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gptedit.models.nn.WeightLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A transformers {@code preprocessor_config.json} (or {@code config.json}), read strictly: bad fields name the file. */
final class PreprocessorJson {
  private static final long MAX_BYTES = 16L << 20;
  private final Path path;
  private final JsonNode root;

  private PreprocessorJson(Path path, JsonNode root) {
    this.path = path;
    this.root = root;
  }

  static PreprocessorJson read(Path path) {
    try {
      if (!Files.isRegularFile(path)) {
        throw new WeightLoadException(path + ": no such file");
      }
      if (Files.size(path) > MAX_BYTES) {
        throw new WeightLoadException(path + ": larger than " + MAX_BYTES + " bytes");
      }
      JsonNode root = new ObjectMapper().readTree(Files.readAllBytes(path));
      if (root == null || !root.isObject()) {
        throw new WeightLoadException(path + ": not a JSON object");
      }
      return new PreprocessorJson(path, root);
    } catch (IOException e) {
      throw new WeightLoadException(path + ": cannot read: " + e.getMessage());
    }
  }

  Path path() {
    return path;
  }

  JsonNode root() {
    return root;
  }

  /** The nested object {@code field}, or null when absent. */
  PreprocessorJson child(String field) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isObject()) {
      throw new WeightLoadException(path + ": field '" + field + "' must be an object, got " + n);
    }
    return new PreprocessorJson(path, n);
  }

  boolean has(String field) {
    JsonNode n = root.get(field);
    return n != null && !n.isNull();
  }

  int integer(String field) {
    JsonNode n = root.get(field);
    if (n == null || !n.isIntegralNumber() || !n.canConvertToInt()) {
      throw new WeightLoadException(path + ": field '" + field + "' must be an integer, got " + n);
    }
    return n.intValue();
  }

  int integer(String field, int fallback) {
    return has(field) ? integer(field) : fallback;
  }

  double number(String field, double fallback) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (!n.isNumber()) {
      throw new WeightLoadException(path + ": field '" + field + "' must be a number, got " + n);
    }
    return n.doubleValue();
  }

  boolean bool(String field, boolean fallback) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (!n.isBoolean()) {
      throw new WeightLoadException(path + ": field '" + field + "' must be a boolean, got " + n);
    }
    return n.booleanValue();
  }

  String string(String field, String fallback) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (!n.isTextual()) {
      throw new WeightLoadException(path + ": field '" + field + "' must be a string, got " + n);
    }
    return n.textValue();
  }

  int[] integers(String field, int[] fallback) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (!n.isArray()) {
      throw new WeightLoadException(path + ": field '" + field + "' must be an array of integers, got " + n);
    }
    int[] out = new int[n.size()];
    for (int i = 0; i < out.length; i++) {
      if (!n.get(i).isIntegralNumber()) {
        throw new WeightLoadException(path + ": field '" + field + "' must be an array of integers, got " + n);
      }
      out[i] = n.get(i).intValue();
    }
    return out;
  }

  /** Three per-channel numbers (a single number is repeated, as transformers accepts). */
  float[] channels(String field, float[] fallback) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (n.isNumber()) {
      return new float[] {n.floatValue(), n.floatValue(), n.floatValue()};
    }
    if (!n.isArray() || n.size() != 3) {
      throw new WeightLoadException(path + ": field '" + field + "' must be 3 numbers, got " + n);
    }
    float[] out = new float[3];
    for (int i = 0; i < 3; i++) {
      if (!n.get(i).isNumber()) {
        throw new WeightLoadException(path + ": field '" + field + "' must be 3 numbers, got " + n);
      }
      out[i] = n.get(i).floatValue();
    }
    return out;
  }

  WeightLoadException error(String message) {
    return new WeightLoadException(path + ": " + message);
  }
}
