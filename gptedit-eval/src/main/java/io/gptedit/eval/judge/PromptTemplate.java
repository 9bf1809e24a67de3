package io.gptedit.eval.judge;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableMap;
import com.google.common.hash.Hashing;
import io.gptedit.eval.EvalException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A judge prompt: text with named placeholders, written {@code {{name}}} by default.
 *
 * <p>Official templates mark their placeholders differently (for example {@code <instruction>}); load the file
 * with {@link #load(Path)} and map the variable to that token with {@link #withToken(String, String)}, so the text
 * sent is byte-for-byte the official one. {@link #hash()} identifies the text in reports and cache keys.
 *
 * @param name the template's name within its set ({@code sc}, {@code pq}, a family name, ...)
 * @param text the template text
 * @param tokens variable name to the literal token replaced by its value; variables not listed use
 *     {@code {{name}}}
 * @since 0.1
 */
public record PromptTemplate(String name, String text, Map<String, String> tokens) {
  /** Validates the template. */
  public PromptTemplate {
    requireNonNull(name, "name");
    requireNonNull(text, "text");
    checkArgument(!text.isBlank(), "template %s is blank", name);
    tokens = ImmutableMap.copyOf(requireNonNull(tokens, "tokens"));
  }

  /**
   * Returns a template with the default {@code {{name}}} placeholders.
   *
   * @param name the template name
   * @param text the text
   * @return the template
   */
  public static PromptTemplate of(String name, String text) {
    return new PromptTemplate(name, text, Map.of());
  }

  /**
   * Loads a template from a UTF-8 text file; its name is the file name without extension.
   *
   * @param file the file
   * @return the template
   * @throws EvalException if the file cannot be read or is blank
   */
  public static PromptTemplate load(Path file) {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      if (text.isBlank()) {
        throw new EvalException("prompt template " + file + " is empty");
      }
      String fileName = file.getFileName().toString();
      int dot = fileName.lastIndexOf('.');
      return of(dot > 0 ? fileName.substring(0, dot) : fileName, text);
    } catch (IOException e) {
      throw new EvalException("cannot read prompt template " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Returns a copy whose variable is written as {@code token} in the text.
   *
   * @param variable the variable name, such as {@code instruction}
   * @param token the literal token in the text, such as {@code <instruction>}
   * @return the new template
   */
  public PromptTemplate withToken(String variable, String token) {
    checkArgument(!token.isEmpty(), "empty token");
    Map<String, String> t = new HashMap<>(tokens);
    t.put(variable, token);
    return new PromptTemplate(name, text, t);
  }

  /**
   * Fills the placeholders; a variable whose token does not occur is ignored (a quality prompt does not show the
   * instruction).
   *
   * @param values variable name to value
   * @return the prompt text
   */
  public String render(Map<String, String> values) {
    String out = text;
    for (Map.Entry<String, String> e : values.entrySet()) {
      out = out.replace(token(e.getKey()), e.getValue());
    }
    return out;
  }

  /**
   * Checks that the text has a placeholder for a variable.
   *
   * @param variable the variable name
   * @return this template
   * @throws EvalException if the variable's token does not occur (a mis-mapped official template)
   */
  public PromptTemplate requires(String variable) {
    if (!text.contains(token(variable))) {
      throw new EvalException("prompt template '" + name + "' has no placeholder " + token(variable) + " for " + variable);
    }
    return this;
  }

  private String token(String variable) {
    return tokens.getOrDefault(variable, "{{" + variable + "}}");
  }

  /**
   * Returns the first 16 hex digits of the SHA-256 of the text, identifying it in reports and cache keys.
   *
   * @return the hash
   */
  public String hash() {
    return Hashing.sha256().hashString(text, StandardCharsets.UTF_8).toString().substring(0, 16);
  }
}
