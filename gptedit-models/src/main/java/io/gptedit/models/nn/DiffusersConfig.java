package io.gptedit.models.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model's {@code config.json} as diffusers (and transformers) write it, read strictly: a required field that is
 * absent or of the wrong type is a {@link WeightLoadException} naming the file and the field.
 *
 * @since 0.1
 */
public final class DiffusersConfig {
  private final Path path;
  private final JsonNode root;

  private DiffusersConfig(Path path, JsonNode root) {
    this.path = path;
    this.root = root;
  }

  /**
   * Reads a config file.
   *
   * @param path the {@code config.json}
   * @return the config
   * @throws WeightLoadException if the file cannot be read or is not a JSON object
   */
  public static DiffusersConfig read(Path path) {
    try {
      JsonNode root = new ObjectMapper().readTree(Files.readAllBytes(path));
      if (root == null || !root.isObject()) {
        throw new WeightLoadException(path + ": config is not a JSON object");
      }
      return new DiffusersConfig(path, root);
    } catch (IOException e) {
      throw new WeightLoadException(path + ": cannot read config: " + e.getMessage());
    }
  }

  /**
   * Returns a required integer field.
   *
   * @param field the field name
   * @return its value
   */
  public int integer(String field) {
    JsonNode n = root.get(field);
    if (n == null || !n.canConvertToInt() || !n.isIntegralNumber()) {
      throw new WeightLoadException(path + ": field '" + field + "' must be an integer, got " + n);
    }
    return n.intValue();
  }

  /**
   * Returns an optional integer field ({@code null} in JSON counts as absent).
   *
   * @param field the field name
   * @param fallback the value when absent
   * @return its value or the fallback
   */
  public int integer(String field, int fallback) {
    JsonNode n = root.get(field);
    return n == null || n.isNull() ? fallback : integer(field);
  }

  /**
   * Returns a required number field.
   *
   * @param field the field name
   * @return its value
   */
  public double number(String field) {
    JsonNode n = root.get(field);
    if (n == null || !n.isNumber()) {
      throw new WeightLoadException(path + ": field '" + field + "' must be a number, got " + n);
    }
    return n.doubleValue();
  }

  /**
   * Returns an optional boolean field.
   *
   * @param field the field name
   * @param fallback the value when absent
   * @return its value or the fallback
   */
  public boolean bool(String field, boolean fallback) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (!n.isBoolean()) {
      throw new WeightLoadException(path + ": field '" + field + "' must be a boolean, got " + n);
    }
    return n.booleanValue();
  }

  /**
   * Returns an optional string field ({@code null} in JSON counts as absent).
   *
   * @param field the field name
   * @param fallback the value when absent
   * @return its value or the fallback
   */
  public String string(String field, String fallback) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (!n.isTextual()) {
      throw new WeightLoadException(path + ": field '" + field + "' must be a string, got " + n);
    }
    return n.textValue();
  }

  /**
   * Returns the first string of an optional array field, such as transformers' {@code architectures}.
   *
   * @param field the field name
   * @param fallback the value when the field is absent or empty
   * @return its first value or the fallback
   */
  public String firstString(String field, String fallback) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull() || (n.isArray() && n.isEmpty())) {
      return fallback;
    }
    if (!n.isArray() || !n.get(0).isTextual()) {
      throw new WeightLoadException(path + ": field '" + field + "' must be an array of strings, got " + n);
    }
    return n.get(0).textValue();
  }

  /**
   * Returns a required array of integers.
   *
   * @param field the field name
   * @return its values
   */
  public int[] integers(String field) {
    JsonNode n = root.get(field);
    if (n == null || !n.isArray()) {
      throw new WeightLoadException(path + ": field '" + field + "' must be an array of integers, got " + n);
    }
    int[] out = new int[n.size()];
    for (int i = 0; i < out.length; i++) {
      if (!n.get(i).isIntegralNumber() || !n.get(i).canConvertToInt()) {
        throw new WeightLoadException(path + ": field '" + field + "' must be an array of integers, got " + n);
      }
      out[i] = n.get(i).intValue();
    }
    return out;
  }

  /**
   * Returns an optional array of integers ({@code null} in JSON counts as absent).
   *
   * @param field the field name
   * @param fallback the values when absent (copied)
   * @return its values or a copy of the fallback
   */
  public int[] integers(String field, int[] fallback) {
    JsonNode n = root.get(field);
    return n == null || n.isNull() ? fallback.clone() : integers(field);
  }

  /**
   * Fails unless a value read from the file equals what the caller expects.
   *
   * @param field the field name
   * @param expected the expected value
   * @param actual the value in the file
   * @throws WeightLoadException if they differ
   */
  public void require(String field, Object expected, Object actual) {
    if (!expected.equals(actual)) {
      throw new WeightLoadException(
          path + ": field '" + field + "' is " + actual + ", but this model supports only " + expected);
    }
  }

  /**
   * Returns the file this was read from.
   *
   * @return the path
   */
  public Path path() {
    return path;
  }
}
