package io.gptedit.data.sources;

import com.fasterxml.jackson.databind.JsonNode;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.ImageDecodeException;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.instruction.ComplexityLevel;
import io.gptedit.core.instruction.EditInstruction;
import io.gptedit.core.metadata.SampleMetadata;
import io.gptedit.core.triplet.EditTriplet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads the GPT-Image-Edit-1.5M release in either of its two formats.
 *
 * <p><b>Metadata folders</b> ({@link #metadataFolders}): {@code <root>/<source>/<task>/metadata/*.json}, each a
 * JSON array of records with {@code id}, {@code dataset_source}, {@code task}, {@code input}, {@code output}
 * (paths relative to the task folder), {@code instruction}, {@code instruction_type} ({@code original},
 * {@code rewrite}, {@code complex}), {@code input_description} and, for OmniEdit, {@code instruction_original}.
 * Other fields are kept as metadata extensions ({@code release_<name>} when the name is one of our schema's).
 *
 * <p><b>Training annotations</b> ({@link #dataTxt}): a {@code data.txt} of lines
 * {@code <image root>,<annotation json>,<flag>}, each annotation a JSON array of LLaVA-style records with
 * {@code image: [input, output]} (relative to the image root) and {@code conversations} whose human turn is
 * {@code <image>\n<instruction>}. Sample ids are {@code <annotation stem>_<index>}; the dataset is the stem up to
 * its first underscore. Several lines may share an image root.
 *
 * <p>A sample whose image is missing or unreadable, or whose record is malformed, is skipped and reported in
 * {@link #problems()} (the release is known to miss 6,705 HQ-Edit generate images).
 *
 * @since 0.1
 */
public final class ReleaseSource extends AbstractSource {
  private static final Set<String> MAPPED = Set.of(
      "id", "dataset_source", "task", "input", "output", "instruction", "instruction_type", "input_description",
      "instruction_original");
  private static final Set<String> SCHEMA_FIELDS = Set.of(
      "schema_version", "id", "source", "instruction", "original_size", "padding", "generation_resolution",
      "crop_box", "models", "quality", "files", "input_description");

  /** One annotation file to read: the file, its image root and whether it is the training format. */
  private record Part(Path file, Path imageRoot, Path relativeTo, boolean training) {}

  private final Deque<Part> parts;
  private Part part;
  private JsonArrayCursor cursor;

  private ReleaseSource(List<Part> parts) {
    this.parts = new ArrayDeque<>(parts);
  }

  /**
   * Opens the metadata-folder layout.
   *
   * @param root the {@code gpt-edit} folder holding {@code <source>/<task>/metadata/*.json}
   * @return the source
   * @throws SourceException if the root cannot be listed or holds no metadata file
   */
  public static ReleaseSource metadataFolders(Path root) {
    List<Part> parts = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root, 4)) {
      Iterator<Path> it = s.filter(p -> p.getFileName().toString().endsWith(".json")
              && p.getParent() != null && p.getParent().getFileName().toString().equals("metadata"))
          .sorted().iterator();
      while (it.hasNext()) {
        Path f = it.next();
        parts.add(new Part(f, f.getParent().getParent(), root, false));
      }
    } catch (IOException e) {
      throw new SourceException("cannot list release root " + root + ": " + e.getMessage(), e);
    }
    if (parts.isEmpty()) {
      throw new SourceException("no <source>/<task>/metadata/*.json under " + root, null);
    }
    return new ReleaseSource(parts);
  }

  /**
   * Opens the training-annotation format.
   *
   * @param dataTxt the {@code data.txt} file
   * @param base the folder its relative paths are relative to (the training repository's root)
   * @return the source
   * @throws SourceException if {@code data.txt} is unreadable or a line is malformed
   */
  public static ReleaseSource dataTxt(Path dataTxt, Path base) {
    List<Part> parts = new ArrayList<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(dataTxt, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new SourceException("cannot read " + dataTxt + ": " + e.getMessage(), e);
    }
    int n = 0;
    for (String line : lines) {
      n++;
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split(",");
      if (f.length < 2) {
        throw new SourceException(dataTxt + " line " + n + ": expected '<image root>,<annotation json>[,<flag>]', got '" + line + "'", null);
      }
      Path root = base.resolve(f[0].strip());
      parts.add(new Part(base.resolve(f[1].strip()), root, root, true));
    }
    return new ReleaseSource(parts);
  }

  @Override
  EditTriplet advance() {
    while (true) {
      if (cursor == null) {
        if (parts.isEmpty()) {
          return null;
        }
        part = parts.poll();
        if (!Files.isRegularFile(part.file())) {
          problem(part.file().toString(), "?", "annotation file is missing");
          continue;
        }
        cursor = new JsonArrayCursor(part.file());
      }
      JsonNode n = cursor.next();
      if (n == null) {
        cursor.close();
        cursor = null;
        continue;
      }
      String where = part.file().getFileName() + "[" + cursor.index() + "]";
      try {
        EditTriplet t = part.training() ? training(n, where) : release(n, where);
        if (t != null) {
          return t;
        }
      } catch (RuntimeException e) {
        problem(where, text(n, "id").orElse("?"), e.getMessage());
      }
    }
  }

  private EditTriplet release(JsonNode n, String where) {
    String id = text(n, "id").orElse(null);
    if (id == null) {
      problem(where, "?", "record has no id");
      return null;
    }
    Path taskDir = part.imageRoot();
    RgbImage input = image(where, id, taskDir, text(n, "input"), "input");
    RgbImage output = image(where, id, taskDir, text(n, "output"), "output");
    if (input == null || output == null) {
      return null;
    }
    String text = text(n, "instruction").orElseThrow(() -> new IllegalArgumentException("record has no instruction"));
    String type = text(n, "instruction_type").orElse("original").toLowerCase(Locale.ROOT);
    Optional<String> original = text(n, "instruction_original");
    EditInstruction instruction = switch (type) {
      case "rewrite" -> original.map(o -> EditInstruction.of(o).withRewrite(text)).orElse(EditInstruction.of(text));
      case "complex" -> new EditInstruction(text, Optional.empty(), List.of(), Optional.of(ComplexityLevel.C3));
      default -> EditInstruction.of(text);
    };
    String dataset = text(n, "dataset_source").orElse(taskDir.getParent().getFileName().toString());
    SampleMetadata.Builder b = SampleMetadata.builder(id, dataset, instruction, new Size(input.width(), input.height()))
        .task(text(n, "task").orElse(taskDir.getFileName().toString()))
        .sourceId(id)
        .inputPath(part.relativeTo().relativize(taskDir.resolve(text(n, "input").get())).toString())
        .outputPath(part.relativeTo().relativize(taskDir.resolve(text(n, "output").get())).toString());
    text(n, "input_description").ifPresent(b::inputDescription);
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      if (!MAPPED.contains(e.getKey())) {
        b.extension(SCHEMA_FIELDS.contains(e.getKey()) ? "release_" + e.getKey() : e.getKey(), e.getValue().toString());
      }
    }
    return new EditTriplet(id, input, instruction, output, b.build());
  }

  private EditTriplet training(JsonNode n, String where) {
    String stem = part.file().getFileName().toString().replaceFirst("\\.json$", "");
    String id = (stem + "_" + cursor.index()).replaceAll("[^A-Za-z0-9_/-]", "-");
    JsonNode images = n.get("image");
    if (images == null || !images.isArray() || images.size() != 2) {
      problem(where, id, "field 'image' must be [input, output]");
      return null;
    }
    RgbImage input = image(where, id, part.imageRoot(), Optional.of(images.get(0).asText()), "input");
    RgbImage output = image(where, id, part.imageRoot(), Optional.of(images.get(1).asText()), "output");
    if (input == null || output == null) {
      return null;
    }
    String instruction = null;
    for (JsonNode turn : n.path("conversations")) {
      if ("human".equals(turn.path("from").asText())) {
        instruction = turn.path("value").asText().replace("<image>", "").strip();
        break;
      }
    }
    if (instruction == null || instruction.isBlank()) {
      problem(where, id, "no human turn with an instruction in 'conversations'");
      return null;
    }
    String dataset = stem.contains("_") ? stem.substring(0, stem.indexOf('_')) : stem;
    EditInstruction ins = dataset.equals("complexedit")
        ? new EditInstruction(instruction, Optional.empty(), List.of(), Optional.of(ComplexityLevel.C3))
        : EditInstruction.of(instruction);
    SampleMetadata m = SampleMetadata.builder(id, dataset, ins, new Size(input.width(), input.height()))
        .task(stem)
        .sourceId(Integer.toString(cursor.index()))
        .inputPath(images.get(0).asText())
        .outputPath(images.get(1).asText())
        .build();
    return new EditTriplet(id, input, ins, output, m);
  }

  private RgbImage image(String where, String id, Path dir, Optional<String> rel, String field) {
    if (rel.isEmpty()) {
      problem(where, id, "record has no '" + field + "' path");
      return null;
    }
    Path file = dir.resolve(rel.get());
    if (!Files.isRegularFile(file)) {
      problem(where, id, field + " image " + file + " is missing");
      return null;
    }
    try {
      return ImageCodec.read(file);
    } catch (ImageDecodeException e) {
      problem(where, id, e.getMessage());
      return null;
    }
  }

  private static Optional<String> text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
  }

  @Override
  public void close() {
    if (cursor != null) {
      cursor.close();
      cursor = null;
    }
    parts.clear();
  }
}
