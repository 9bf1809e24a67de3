package io.gptedit.core.metadata;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.common.collect.ImmutableSet;
import io.gptedit.core.geometry.AspectPreset;
import io.gptedit.core.geometry.Box;
import io.gptedit.core.geometry.PadCropPlan;
import io.gptedit.core.geometry.Padding;
import io.gptedit.core.geometry.Side;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.instruction.ComplexityLevel;
import io.gptedit.core.instruction.EditInstruction;
import io.gptedit.core.instruction.InstructionKind;
import io.gptedit.core.quality.QualityVerdict;
import io.gptedit.core.quality.RejectCode;
import io.gptedit.core.quality.RejectReason;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads and writes {@link SampleMetadata} as JSON.
 *
 * <p>Writing is deterministic: fields always appear in the same order and the output for equal records is
 * byte-identical, so shards built from the same input are identical too. Reading is strict and names what is
 * wrong ({@link MetadataException} with the sample id and the field path); see {@link SampleMetadata} for the
 * unknown-field policy. {@code read(write(m)).equals(m)} holds for every valid record.
 *
 * <p>The JSON Schema of the format is {@link #SCHEMA_RESOURCE} on the class path.
 *
 * <p>Reading is bounded: a document over {@link #MAX_JSON_BYTES} bytes is refused before it is parsed, and
 * nesting deeper than {@link #MAX_NESTING_DEPTH} levels is refused while parsing.
 *
 * @since 0.1
 */
public final class MetadataCodec {
  /** The largest metadata document read, in bytes (UTF-8) or characters: {@value} (1 MiB). */
  public static final int MAX_JSON_BYTES = 1 << 20;

  /** The deepest nesting of objects and arrays read: {@value}. */
  public static final int MAX_NESTING_DEPTH = 64;

  /** Class-path location of the JSON Schema (draft 2020-12) that every written record satisfies. */
  public static final String SCHEMA_RESOURCE = "/io/gptedit/core/metadata/sample-metadata.schema.json";

  /** The top-level fields of the schema; anything else is an extension. */
  static final Set<String> KNOWN_FIELDS =
      ImmutableSet.of(
          "schema_version",
          "id",
          "source",
          "instruction",
          "original_size",
          "padding",
          "generation_resolution",
          "crop_box",
          "models",
          "quality",
          "files",
          "input_description");

  private static final ObjectMapper MAPPER =
      JsonMapper.builder(
              JsonFactory.builder()
                  .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxNestingDepth(MAX_NESTING_DEPTH)
                          .maxStringLength(MAX_JSON_BYTES)
                          .maxDocumentLength(MAX_JSON_BYTES)
                          .build())
                  .build())
          .build();

  private MetadataCodec() {}

  /**
   * Reads the JSON Schema text shipped with the library.
   *
   * @return the schema document
   */
  public static String schemaText() {
    try (InputStream in = MetadataCodec.class.getResourceAsStream(SCHEMA_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("schema resource missing: " + SCHEMA_RESOURCE);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------- writing

  /**
   * Writes a record as compact JSON.
   *
   * @param m the record
   * @return one line of JSON
   */
  public static String toJson(SampleMetadata m) {
    requireNonNull(m, "metadata");
    StringWriter out = new StringWriter(512);
    try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
      write(m, g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /**
   * Writes a record as compact UTF-8 JSON.
   *
   * @param m the record
   * @return the JSON bytes
   */
  public static byte[] toJsonBytes(SampleMetadata m) {
    return toJson(m).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Writes a record as indented JSON, for people.
   *
   * @param m the record
   * @return indented JSON
   */
  public static String toPrettyJson(SampleMetadata m) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(MAPPER.readTree(toJson(m)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void write(SampleMetadata m, JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeNumberField("schema_version", m.schemaVersion());
    g.writeStringField("id", m.id());

    g.writeObjectFieldStart("source");
    g.writeStringField("dataset", m.dataset());
    writeOpt(g, "task", m.task());
    writeOpt(g, "sample_id", m.sourceId());
    g.writeEndObject();

    EditInstruction ins = m.instruction();
    g.writeObjectFieldStart("instruction");
    g.writeStringField("type", ins.kind().wireName());
    g.writeStringField("original", ins.original());
    writeOpt(g, "rewritten", ins.rewritten());
    if (ins.complexity().isPresent()) {
      g.writeStringField("complexity", ins.complexity().get().name());
    }
    if (!ins.atomicSteps().isEmpty()) {
      g.writeArrayFieldStart("atomic_steps");
      for (String s : ins.atomicSteps()) {
        g.writeString(s);
      }
      g.writeEndArray();
    }
    g.writeEndObject();

    writeSize(g, "original_size", m.originalSize());
    if (m.padCrop().isPresent()) {
      PadCropPlan p = m.padCrop().get();
      g.writeObjectFieldStart("padding");
      g.writeStringField("preset", p.preset().ratioLabel());
      writeSize(g, "canvas", p.canvas());
      g.writeNumberField("left", p.padding().left());
      g.writeNumberField("top", p.padding().top());
      g.writeNumberField("right", p.padding().right());
      g.writeNumberField("bottom", p.padding().bottom());
      g.writeStringField("color", String.format(Locale.ROOT, "#%06x", p.padColor()));
      g.writeEndObject();
    }
    if (m.generationResolution().isPresent()) {
      writeSize(g, "generation_resolution", m.generationResolution().get());
    }
    if (m.cropBox().isPresent()) {
      Box b = m.cropBox().get();
      g.writeObjectFieldStart("crop_box");
      g.writeNumberField("x", b.x());
      g.writeNumberField("y", b.y());
      g.writeNumberField("width", b.width());
      g.writeNumberField("height", b.height());
      g.writeEndObject();
    }
    if (m.generatorModel().isPresent() || m.rewriterModel().isPresent()) {
      g.writeObjectFieldStart("models");
      writeOpt(g, "generator", m.generatorModel());
      writeOpt(g, "rewriter", m.rewriterModel());
      g.writeEndObject();
    }
    if (m.quality().isPresent()) {
      QualityVerdict q = m.quality().get();
      g.writeObjectFieldStart("quality");
      g.writeBooleanField("accepted", q.accepted());
      g.writeArrayFieldStart("reasons");
      for (RejectReason r : q.reasons()) {
        g.writeStartObject();
        g.writeStringField("code", r.code().name());
        if (r.side().isPresent()) {
          g.writeStringField("side", r.side().get().name().toLowerCase(Locale.ROOT));
        }
        g.writeStringField("detail", r.detail());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    if (m.inputPath().isPresent() || m.outputPath().isPresent()) {
      g.writeObjectFieldStart("files");
      writeOpt(g, "input", m.inputPath());
      writeOpt(g, "output", m.outputPath());
      g.writeEndObject();
    }
    writeOpt(g, "input_description", m.inputDescription());
    for (Map.Entry<String, String> e : m.extensions().entrySet()) {
      g.writeFieldName(e.getKey());
      g.writeRawValue(e.getValue());
    }
    g.writeEndObject();
  }

  private static void writeOpt(JsonGenerator g, String name, Optional<String> value) throws IOException {
    if (value.isPresent()) {
      g.writeStringField(name, value.get());
    }
  }

  private static void writeSize(JsonGenerator g, String name, Size s) throws IOException {
    g.writeObjectFieldStart(name);
    g.writeNumberField("width", s.width());
    g.writeNumberField("height", s.height());
    g.writeEndObject();
  }

  // ---------------------------------------------------------------- reading

  /**
   * Reads a record from JSON text.
   *
   * @param json the JSON document
   * @return the record
   * @throws MetadataException if the JSON is malformed, over {@link #MAX_JSON_BYTES} characters, or a field is
   *     missing, ill-typed or inconsistent
   */
  public static SampleMetadata fromJson(String json) {
    requireNonNull(json, "json");
    if (json.length() > MAX_JSON_BYTES) {
      throw new MetadataException(
          null, "$", "document has " + json.length() + " characters, over the limit of " + MAX_JSON_BYTES);
    }
    JsonNode tree;
    try (JsonParser p = MAPPER.getFactory().createParser(json)) {
      tree = MAPPER.readTree(p);
    } catch (IOException e) {
      throw new MetadataException(null, "$", "not valid JSON: " + (e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage()), e);
    }
    return fromTree(tree);
  }

  /**
   * Reads a record from UTF-8 JSON bytes.
   *
   * @param json the JSON document
   * @return the record
   * @throws MetadataException if the JSON is malformed, over {@link #MAX_JSON_BYTES} bytes, or a field is invalid
   */
  public static SampleMetadata fromJson(byte[] json) {
    requireNonNull(json, "json");
    if (json.length > MAX_JSON_BYTES) {
      throw new MetadataException(
          null, "$", "document has " + json.length + " bytes, over the limit of " + MAX_JSON_BYTES);
    }
    return fromJson(new String(json, StandardCharsets.UTF_8));
  }

  /**
   * Reads a record from a parsed JSON tree.
   *
   * @param root the JSON object
   * @return the record
   * @throws MetadataException if a field is missing, ill-typed or inconsistent
   */
  public static SampleMetadata fromTree(JsonNode root) {
    if (root == null || !root.isObject()) {
      throw new MetadataException(null, "$", "expected a JSON object, got " + kind(root));
    }
    String id = null;
    JsonNode idNode = root.get("id");
    if (idNode != null && idNode.isTextual()) {
      id = idNode.textValue();
    }
    Reader r = new Reader(id);
    int version = r.intField(root, "schema_version", "schema_version", 1);
    if (version > SampleMetadata.CURRENT_SCHEMA_VERSION) {
      throw new MetadataException(
          id,
          "schema_version",
          "version " + version + " was written by a newer gptedit (this one reads up to "
              + SampleMetadata.CURRENT_SCHEMA_VERSION + ")");
    }
    id = r.stringField(root, "id", "id");

    JsonNode source = r.object(root, "source", "source");
    r.onlyFields(source, "source", "dataset", "task", "sample_id");
    String dataset = r.stringField(source, "dataset", "source.dataset");
    Optional<String> task = r.optString(source, "task", "source.task");
    Optional<String> sourceId = r.optString(source, "sample_id", "source.sample_id");

    EditInstruction instruction = readInstruction(r, r.object(root, "instruction", "instruction"));
    Size original = r.size(r.object(root, "original_size", "original_size"), "original_size");

    Optional<PadCropPlan> plan = Optional.empty();
    JsonNode padding = r.optObject(root, "padding", "padding");
    if (padding != null) {
      plan = Optional.of(readPlan(r, padding, original));
    }
    Optional<Size> generation = Optional.empty();
    JsonNode gen = r.optObject(root, "generation_resolution", "generation_resolution");
    if (gen != null) {
      generation = Optional.of(r.size(gen, "generation_resolution"));
    }
    Optional<Box> crop = Optional.empty();
    JsonNode cropNode = r.optObject(root, "crop_box", "crop_box");
    if (cropNode != null) {
      r.onlyFields(cropNode, "crop_box", "x", "y", "width", "height");
      crop =
          Optional.of(
              new Box(
                  r.intField(cropNode, "x", "crop_box.x", 0),
                  r.intField(cropNode, "y", "crop_box.y", 0),
                  r.intField(cropNode, "width", "crop_box.width", 1),
                  r.intField(cropNode, "height", "crop_box.height", 1)));
    }
    Optional<String> generator = Optional.empty();
    Optional<String> rewriter = Optional.empty();
    JsonNode models = r.optObject(root, "models", "models");
    if (models != null) {
      r.onlyFields(models, "models", "generator", "rewriter");
      generator = r.optString(models, "generator", "models.generator");
      rewriter = r.optString(models, "rewriter", "models.rewriter");
    }
    Optional<QualityVerdict> quality = Optional.empty();
    JsonNode q = r.optObject(root, "quality", "quality");
    if (q != null) {
      quality = Optional.of(readQuality(r, q));
    }
    Optional<String> inputPath = Optional.empty();
    Optional<String> outputPath = Optional.empty();
    JsonNode files = r.optObject(root, "files", "files");
    if (files != null) {
      r.onlyFields(files, "files", "input", "output");
      inputPath = r.optString(files, "input", "files.input");
      outputPath = r.optString(files, "output", "files.output");
    }
    Optional<String> description = r.optString(root, "input_description", "input_description");

    SampleMetadata.Builder b =
        SampleMetadata.builder(id, dataset, instruction, original).optSchemaVersion(version);
    task.ifPresent(b::optTask);
    sourceId.ifPresent(b::optSourceId);
    plan.ifPresent(b::optPadCrop);
    generation.ifPresent(b::optGenerationResolution);
    crop.ifPresent(b::optCropBox);
    generator.ifPresent(b::optGeneratorModel);
    rewriter.ifPresent(b::optRewriterModel);
    quality.ifPresent(b::optQuality);
    inputPath.ifPresent(b::optInputPath);
    outputPath.ifPresent(b::optOutputPath);
    description.ifPresent(b::optInputDescription);
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      if (!KNOWN_FIELDS.contains(e.getKey())) {
        b.optExtension(e.getKey(), e.getValue().toString());
      }
    }
    return b.build();
  }

  private static EditInstruction readInstruction(Reader r, JsonNode node) {
    r.onlyFields(node, "instruction", "type", "original", "rewritten", "complexity", "atomic_steps");
    String original = r.stringField(node, "original", "instruction.original");
    Optional<String> rewritten = r.optString(node, "rewritten", "instruction.rewritten");
    Optional<ComplexityLevel> complexity = Optional.empty();
    Optional<String> level = r.optString(node, "complexity", "instruction.complexity");
    if (level.isPresent()) {
      try {
        complexity = Optional.of(ComplexityLevel.valueOf(level.get()));
      } catch (IllegalArgumentException e) {
        throw r.error("instruction.complexity", "expected C1..C8, got '" + level.get() + "'");
      }
    }
    List<String> steps = new ArrayList<>();
    JsonNode stepsNode = node.get("atomic_steps");
    if (stepsNode != null && !stepsNode.isNull()) {
      if (!stepsNode.isArray()) {
        throw r.error("instruction.atomic_steps", "expected an array of strings, got " + kind(stepsNode));
      }
      for (int i = 0; i < stepsNode.size(); i++) {
        JsonNode s = stepsNode.get(i);
        if (!s.isTextual()) {
          throw r.error("instruction.atomic_steps[" + i + "]", "expected a string, got " + kind(s));
        }
        steps.add(s.textValue());
      }
    }
    EditInstruction ins;
    try {
      ins = new EditInstruction(original, rewritten, steps, complexity);
    } catch (IllegalArgumentException e) {
      throw r.error("instruction", e.getMessage());
    }
    Optional<String> type = r.optString(node, "type", "instruction.type");
    if (type.isPresent()) {
      InstructionKind declared;
      try {
        declared = InstructionKind.parse(type.get());
      } catch (IllegalArgumentException e) {
        throw r.error("instruction.type", e.getMessage());
      }
      if (declared != ins.kind()) {
        throw r.error(
            "instruction.type",
            "says '" + type.get() + "' but the fields describe a '" + ins.kind().wireName() + "' instruction");
      }
    }
    return ins;
  }

  private static PadCropPlan readPlan(Reader r, JsonNode node, Size original) {
    r.onlyFields(node, "padding", "preset", "canvas", "left", "top", "right", "bottom", "color");
    String presetText = r.stringField(node, "preset", "padding.preset");
    AspectPreset preset;
    try {
      preset = AspectPreset.parse(presetText);
    } catch (IllegalArgumentException e) {
      throw r.error("padding.preset", e.getMessage());
    }
    Size canvas = r.size(r.object(node, "canvas", "padding.canvas"), "padding.canvas");
    Padding padding =
        new Padding(
            r.intField(node, "left", "padding.left", 0),
            r.intField(node, "top", "padding.top", 0),
            r.intField(node, "right", "padding.right", 0),
            r.intField(node, "bottom", "padding.bottom", 0));
    String color = r.stringField(node, "color", "padding.color");
    if (!color.matches("#[0-9a-fA-F]{6}")) {
      throw r.error("padding.color", "expected #rrggbb, got '" + color + "'");
    }
    try {
      return new PadCropPlan(original, preset, canvas, padding, Integer.parseInt(color.substring(1), 16));
    } catch (IllegalArgumentException e) {
      throw r.error("padding", e.getMessage());
    }
  }

  private static QualityVerdict readQuality(Reader r, JsonNode node) {
    r.onlyFields(node, "quality", "accepted", "reasons");
    JsonNode accepted = node.get("accepted");
    if (accepted == null || !accepted.isBoolean()) {
      throw r.error("quality.accepted", "expected true or false, got " + kind(accepted));
    }
    JsonNode reasons = node.get("reasons");
    List<RejectReason> list = new ArrayList<>();
    if (reasons != null && !reasons.isNull()) {
      if (!reasons.isArray()) {
        throw r.error("quality.reasons", "expected an array, got " + kind(reasons));
      }
      for (int i = 0; i < reasons.size(); i++) {
        String path = "quality.reasons[" + i + "]";
        JsonNode item = reasons.get(i);
        if (!item.isObject()) {
          throw r.error(path, "expected an object, got " + kind(item));
        }
        r.onlyFields(item, path, "code", "side", "detail");
        String codeText = r.stringField(item, "code", path + ".code");
        RejectCode code;
        try {
          code = RejectCode.valueOf(codeText);
        } catch (IllegalArgumentException e) {
          throw r.error(path + ".code", "unknown reject code '" + codeText + "'");
        }
        Optional<Side> side = Optional.empty();
        Optional<String> sideText = r.optString(item, "side", path + ".side");
        if (sideText.isPresent()) {
          try {
            side = Optional.of(Side.valueOf(sideText.get().toUpperCase(Locale.ROOT)));
          } catch (IllegalArgumentException e) {
            throw r.error(path + ".side", "expected left, top, right or bottom, got '" + sideText.get() + "'");
          }
        }
        list.add(new RejectReason(code, side, r.stringField(item, "detail", path + ".detail")));
      }
    }
    QualityVerdict verdict = new QualityVerdict(list);
    if (verdict.accepted() != accepted.booleanValue()) {
      throw r.error(
          "quality.accepted",
          "is " + accepted.booleanValue() + " but there are " + list.size() + " reject reasons");
    }
    return verdict;
  }

  static String kind(JsonNode n) {
    if (n == null || n.isMissingNode()) {
      return "nothing (field missing)";
    }
    if (n.isNull()) {
      return "null";
    }
    String text = n.toString();
    if (text.length() > 40) {
      text = text.substring(0, 37) + "...";
    }
    return n.getNodeType().name().toLowerCase(Locale.ROOT) + " " + text;
  }

  /** Typed field access that names the sample and the path on failure. */
  private static final class Reader {
    private final String id;

    Reader(String id) {
      this.id = id;
    }

    MetadataException error(String path, String problem) {
      return new MetadataException(id, path, problem);
    }

    JsonNode object(JsonNode parent, String name, String path) {
      JsonNode n = parent.get(name);
      if (n == null || !n.isObject()) {
        throw error(path, "expected an object, got " + kind(n));
      }
      return n;
    }

    JsonNode optObject(JsonNode parent, String name, String path) {
      JsonNode n = parent.get(name);
      if (n == null || n.isNull()) {
        return null;
      }
      if (!n.isObject()) {
        throw error(path, "expected an object, got " + kind(n));
      }
      return n;
    }

    String stringField(JsonNode parent, String name, String path) {
      JsonNode n = parent.get(name);
      if (n == null || !n.isTextual()) {
        throw error(path, "expected a string, got " + kind(n));
      }
      return n.textValue();
    }

    Optional<String> optString(JsonNode parent, String name, String path) {
      JsonNode n = parent.get(name);
      if (n == null || n.isNull()) {
        return Optional.empty();
      }
      if (!n.isTextual()) {
        throw error(path, "expected a string, got " + kind(n));
      }
      return Optional.of(n.textValue());
    }

    int intField(JsonNode parent, String name, String path, int min) {
      JsonNode n = parent.get(name);
      if (n == null || !n.isIntegralNumber() || !n.canConvertToInt()) {
        throw error(path, "expected an integer, got " + kind(n));
      }
      int v = n.intValue();
      if (v < min) {
        throw error(path, "expected an integer >= " + min + ", got " + v);
      }
      return v;
    }

    Size size(JsonNode node, String path) {
      onlyFields(node, path, "width", "height");
      return new Size(intField(node, "width", path + ".width", 1), intField(node, "height", path + ".height", 1));
    }

    void onlyFields(JsonNode node, String path, String... allowed) {
      Set<String> ok = ImmutableSet.copyOf(allowed);
      Iterator<String> names = node.fieldNames();
      while (names.hasNext()) {
        String name = names.next();
        if (!ok.contains(name)) {
          throw error(path + "." + name, "unknown field (allowed here: " + String.join(", ", allowed) + ")");
        }
      }
    }
  }
}
