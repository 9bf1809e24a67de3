package io.gptedit.eval.judge;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.collect.ImmutableMap;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import io.gptedit.eval.Benchmark;
import io.gptedit.eval.EvalException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The prompt templates one benchmark's judge needs, by name.
 *
 * <p>Names: GEdit {@code sc}, {@code pq}; ImgEdit one per family ({@code add} ... {@code action}); Complex-Edit
 * {@code if_ip}, {@code pq}; OmniContext {@code pf}, {@code sc}. Every template takes the variable
 * {@code instruction}. {@link #ours(Benchmark)} gives templates written for this project; {@link #load(Path)}
 * reads a user's copy of the official ones.
 *
 * @param templates name to template
 * @since 0.1
 */
public record PromptSet(Map<String, PromptTemplate> templates) {
  /** Validates the set. */
  public PromptSet {
    templates = ImmutableMap.copyOf(requireNonNull(templates, "templates"));
  }

  /**
   * Returns the template names a benchmark's judge needs.
   *
   * @param benchmark the benchmark
   * @return the names
   */
  public static List<String> required(Benchmark benchmark) {
    return switch (benchmark) {
      case GEDIT -> List.of("sc", "pq");
      case IMGEDIT -> benchmark.categories();
      case COMPLEX_EDIT -> List.of("if_ip", "pq");
      case OMNICONTEXT -> List.of("pf", "sc");
      case LOCAL -> List.of();
    };
  }

  /**
   * Returns this project's own templates for a benchmark.
   *
   * @param benchmark the benchmark
   * @return the templates
   */
  public static PromptSet ours(Benchmark benchmark) {
    return OurPrompts.of(benchmark);
  }

  /**
   * Loads templates from a folder of {@code <name>.txt} files or from a JSON object file mapping names to texts
   * (what {@code json.dump} of a Python dict of the official prompts writes).
   *
   * @param path a folder or a {@code .json} file
   * @return the templates
   * @throws EvalException if the path cannot be read, the JSON is not an object of strings, or a file is empty
   */
  public static PromptSet load(Path path) {
    Map<String, PromptTemplate> out = new LinkedHashMap<>();
    if (Files.isDirectory(path)) {
      try (Stream<Path> files = Files.list(path)) {
        for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".txt")).sorted().toList()) {
          PromptTemplate t = PromptTemplate.load(f);
          out.put(t.name(), t);
        }
      } catch (IOException e) {
        throw new EvalException("cannot list prompt folder " + path + ": " + e.getMessage(), e);
      }
    } else {
      JsonNode root;
      try {
        root = new ObjectMapper().readTree(path.toFile());
      } catch (IOException e) {
        throw new EvalException("cannot read prompt file " + path + ": " + e.getMessage(), e);
      }
      if (root == null || !root.isObject()) {
        throw new EvalException(path + ": expected a JSON object of template name to text");
      }
      for (Map.Entry<String, JsonNode> e : root.properties()) {
        if (!e.getValue().isTextual() || e.getValue().asText().isBlank()) {
          throw new EvalException(path + ": template '" + e.getKey() + "' is not a non-empty string");
        }
        out.put(e.getKey(), PromptTemplate.of(e.getKey(), e.getValue().asText()));
      }
    }
    if (out.isEmpty()) {
      throw new EvalException("no prompt templates in " + path);
    }
    return new PromptSet(out);
  }

  /**
   * Returns one template.
   *
   * @param name the template name
   * @return the template
   * @throws EvalException if the set has no such template
   */
  public PromptTemplate get(String name) {
    PromptTemplate t = templates.get(name);
    if (t == null) {
      throw new EvalException("prompt set has no template '" + name + "'; it has " + templates.keySet());
    }
    return t;
  }

  /**
   * Checks that the set has every template a benchmark needs.
   *
   * @param benchmark the benchmark
   * @return this set
   * @throws EvalException naming the missing templates
   */
  public PromptSet requireFor(Benchmark benchmark) {
    List<String> missing = required(benchmark).stream().filter(n -> !templates.containsKey(n)).toList();
    if (!missing.isEmpty()) {
      throw new EvalException(benchmark.displayName() + " judge needs prompt templates " + missing + "; the set has " + templates.keySet());
    }
    return this;
  }

  /**
   * Returns a copy in which every template writes {@code variable} as {@code token}.
   *
   * @param variable the variable name
   * @param token the literal token
   * @return the new set
   */
  public PromptSet withToken(String variable, String token) {
    Map<String, PromptTemplate> out = new LinkedHashMap<>();
    templates.forEach((k, v) -> out.put(k, v.withToken(variable, token)));
    return new PromptSet(out);
  }

  /**
   * Returns the first 16 hex digits of a SHA-256 over every template's name and text, in name order: the prompt
   * hash reports record.
   *
   * @return the hash
   */
  public String hash() {
    Hasher h = Hashing.sha256().newHasher();
    for (Map.Entry<String, PromptTemplate> e : new TreeMap<>(templates).entrySet()) {
      h.putString(e.getKey(), StandardCharsets.UTF_8).putByte((byte) 0);
      h.putString(e.getValue().text(), StandardCharsets.UTF_8).putByte((byte) 0);
    }
    return h.hash().toString().substring(0, 16);
  }
}
