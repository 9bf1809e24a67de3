package io.gptedit.models.onnx;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON config of an ONNX editor folder ({@code onnx-editor.json}): for each of the four graphs its file and,
 * per role, the graph's tensor name, dtype and shape ({@code -1} for a dynamic axis), plus the VAE's spatial factor
 * and the text-token budget. The roles are fixed (see {@link #ROLES}); see {@code docs/onnx.md} for the format.
 *
 * @param denoiser the Flux-style denoiser
 * @param vaeEncoder the VAE encoder, returning normalised latents
 * @param vaeDecoder the VAE decoder, taking normalised latents
 * @param textEncoder the text encoder
 * @param vaeSpatialFactor pixels per latent cell along each axis
 * @param maxTextTokens the tokenizer's budget, end-of-sequence included
 * @since 0.1
 */
public record OnnxEditorConfig(
    Graph denoiser, Graph vaeEncoder, Graph vaeDecoder, Graph textEncoder, int vaeSpatialFactor, int maxTextTokens) {

  /** The config file's name inside an editor folder. */
  public static final String FILE_NAME = "onnx-editor.json";

  /** Input and output roles of each graph; optional roles are listed in {@link #OPTIONAL_ROLES}. */
  public static final Map<String, List<List<String>>> ROLES =
      Map.of(
          "denoiser",
          List.of(
              List.of(
                  "hidden_states", "encoder_hidden_states", "pooled_projections", "timestep", "guidance", "img_ids",
                  "txt_ids"),
              List.of("sample")),
          "vae_encoder", List.of(List.of("image"), List.of("latents")),
          "vae_decoder", List.of(List.of("latents"), List.of("image")),
          "text_encoder", List.of(List.of("input_ids"), List.of("hidden_states", "pooled")));

  /** Roles that may be left out: the text encoder's pooled output (Flux then gets zeros). */
  public static final Set<String> OPTIONAL_ROLES = Set.of("text_encoder.outputs.pooled");

  private static final Set<String> INTEGER_ROLES = Set.of("img_ids", "txt_ids", "input_ids");

  /** Validates the sizes. */
  public OnnxEditorConfig {
    requireNonNull(denoiser, "denoiser");
    requireNonNull(vaeEncoder, "vaeEncoder");
    requireNonNull(vaeDecoder, "vaeDecoder");
    requireNonNull(textEncoder, "textEncoder");
    if (vaeSpatialFactor <= 0 || maxTextTokens <= 0) {
      throw new IllegalArgumentException("vaeSpatialFactor and maxTextTokens must be positive");
    }
  }

  /** Tensor element types the editor feeds and reads. */
  public enum Dtype {
    /** 32-bit float. */
    FLOAT32("float32"),
    /** IEEE half; converted to and from float32 at the graph boundary. */
    FLOAT16("float16"),
    /** 64-bit integer (token and position ids). */
    INT64("int64");

    private final String json;

    Dtype(String json) {
      this.json = json;
    }

    /**
     * Returns the name used in the JSON config.
     *
     * @return for example {@code float16}
     */
    public String json() {
      return json;
    }
  }

  /**
   * One graph tensor.
   *
   * @param name the tensor's name in the graph
   * @param dtype its element type
   * @param shape its shape; {@code -1} marks a dynamic axis
   */
  public record Tensor(String name, Dtype dtype, long[] shape) {
    /** Validates and copies the shape. */
    public Tensor {
      requireNonNull(name, "name");
      requireNonNull(dtype, "dtype");
      shape = requireNonNull(shape, "shape").clone();
      for (long d : shape) {
        if (d < -1 || d == 0) {
          throw new IllegalArgumentException("shape dims must be positive or -1: " + Arrays.toString(shape));
        }
      }
    }

    @Override
    public long[] shape() {
      return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Tensor t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * name.hashCode() + dtype.hashCode()) + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
      return name + " " + dtype.json() + Arrays.toString(shape);
    }
  }

  /**
   * One graph.
   *
   * @param file the {@code .onnx} file, relative to the editor folder
   * @param inputs tensors by role
   * @param outputs tensors by role
   */
  public record Graph(String file, Map<String, Tensor> inputs, Map<String, Tensor> outputs) {
    /** Copies the maps. */
    public Graph {
      requireNonNull(file, "file");
      inputs = Map.copyOf(inputs);
      outputs = Map.copyOf(outputs);
    }
  }

  /**
   * Reads and validates a config file.
   *
   * @param json the {@code onnx-editor.json} file
   * @return the config
   * @throws OnnxConfigException naming the file and the field if the JSON is malformed, a field is missing,
   *     mistyped or unknown, a role is missing or unknown, or a value is invalid
   */
  public static OnnxEditorConfig read(Path json) {
    requireNonNull(json, "json");
    JsonNode root;
    try {
      ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
      root = mapper.readTree(Files.readString(json));
    } catch (JsonProcessingException e) {
      throw new OnnxConfigException(json + ": not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new OnnxConfigException(json + ": cannot read: " + e.getMessage(), e);
    }
    Reader r = new Reader(json);
    r.object(root, "(root)");
    r.onlyFields(root, "", Set.of("denoiser", "vae_encoder", "vae_decoder", "text_encoder", "vae_spatial_factor",
        "max_text_tokens"));
    return new OnnxEditorConfig(
        r.graph(root, "denoiser"),
        r.graph(root, "vae_encoder"),
        r.graph(root, "vae_decoder"),
        r.graph(root, "text_encoder"),
        r.positiveInt(root, "", "vae_spatial_factor"),
        r.positiveInt(root, "", "max_text_tokens"));
  }

  /** Strict field access with errors naming the file and the dotted field path. */
  private record Reader(Path file) {
    OnnxConfigException error(String field, String problem) {
      return new OnnxConfigException(file + ": field '" + field + "': " + problem);
    }

    void object(JsonNode node, String field) {
      if (node == null || !node.isObject()) {
        throw error(field, "must be a JSON object");
      }
    }

    JsonNode required(JsonNode parent, String prefix, String name) {
      JsonNode n = parent.get(name);
      if (n == null || n.isNull()) {
        throw error(prefix + name, "is missing");
      }
      return n;
    }

    void onlyFields(JsonNode node, String prefix, Set<String> allowed) {
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!allowed.contains(f)) {
          throw error(prefix + f, "is not a known field (expected one of " + new java.util.TreeSet<>(allowed) + ")");
        }
      }
    }

    int positiveInt(JsonNode parent, String prefix, String name) {
      JsonNode n = required(parent, prefix, name);
      if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() <= 0) {
        throw error(prefix + name, "must be a positive integer, got " + n);
      }
      return n.intValue();
    }

    String text(JsonNode parent, String prefix, String name) {
      JsonNode n = required(parent, prefix, name);
      if (!n.isTextual() || n.textValue().isBlank()) {
        throw error(prefix + name, "must be a non-empty string, got " + n);
      }
      return n.textValue();
    }

    Graph graph(JsonNode root, String key) {
      JsonNode g = required(root, "", key);
      object(g, key);
      onlyFields(g, key + ".", Set.of("file", "inputs", "outputs"));
      String file = text(g, key + ".", "file");
      if (file.contains("/") || file.contains("\\") || !file.endsWith(".onnx")) {
        throw error(key + ".file", "must be a plain .onnx file name inside the editor folder, got '" + file + "'");
      }
      List<List<String>> roles = ROLES.get(key);
      return new Graph(file, tensors(g, key, "inputs", roles.get(0)), tensors(g, key, "outputs", roles.get(1)));
    }

    Map<String, Tensor> tensors(JsonNode g, String key, String side, List<String> roles) {
      String path = key + "." + side;
      JsonNode node = required(g, key + ".", side);
      object(node, path);
      onlyFields(node, path + ".", Set.copyOf(roles));
      Map<String, Tensor> out = new LinkedHashMap<>();
      for (String role : roles) {
        if (!node.has(role) && OPTIONAL_ROLES.contains(path + "." + role)) {
          continue;
        }
        out.put(role, tensor(required(node, path + ".", role), path + "." + role, role));
      }
      return out;
    }

    Tensor tensor(JsonNode t, String field, String role) {
      object(t, field);
      onlyFields(t, field + ".", Set.of("name", "dtype", "shape"));
      String name = text(t, field + ".", "name");
      String dt = text(t, field + ".", "dtype");
      Dtype dtype =
          Arrays.stream(Dtype.values())
              .filter(d -> d.json().equals(dt))
              .findFirst()
              .orElseThrow(() -> error(field + ".dtype", "must be float32, float16 or int64, got '" + dt + "'"));
      boolean integer = INTEGER_ROLES.contains(role);
      if (integer != (dtype == Dtype.INT64)) {
        throw error(field + ".dtype", (integer ? "must be int64" : "must be float32 or float16") + " for role '"
            + role + "', got " + dt);
      }
      JsonNode s = required(t, field + ".", "shape");
      if (!s.isArray() || s.isEmpty()) {
        throw error(field + ".shape", "must be a non-empty array of integers, got " + s);
      }
      long[] shape = new long[s.size()];
      for (int i = 0; i < shape.length; i++) {
        JsonNode d = s.get(i);
        if (!d.isIntegralNumber() || (d.longValue() <= 0 && d.longValue() != -1)) {
          throw error(field + ".shape[" + i + "]", "must be a positive integer or -1 (dynamic), got " + d);
        }
        shape[i] = d.longValue();
      }
      return new Tensor(name, dtype, shape);
    }
  }
}
