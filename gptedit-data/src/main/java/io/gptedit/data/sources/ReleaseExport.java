package io.gptedit.data.sources;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.ImageFormat;
import io.gptedit.core.instruction.EditInstruction;
import io.gptedit.core.instruction.InstructionKind;
import io.gptedit.core.metadata.SampleMetadata;
import io.gptedit.core.triplet.EditTriplet;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Writes triplets (curated shards, any source) in the release's layouts, the inverse of {@link ReleaseSource}:
 *
 * <ul>
 *   <li>metadata folders: {@code <root>/<dataset>/<task>/input/<id>.png}, {@code output/<id>.png} and
 *       {@code metadata/<dataset>_<task>.json}, a JSON array of records with {@code id}, {@code dataset_source},
 *       {@code task}, {@code input}, {@code output}, {@code instruction}, {@code instruction_type},
 *       {@code instruction_original} (the original of a rewrite, or the release's own field of another row),
 *       {@code input_description}, for a composed instruction {@code complexity} and {@code atomic_steps} (fields
 *       the release does not have, so the composition survives the round trip), and every metadata extension as
 *       its own field ({@code release_<name>} back to {@code <name>});
 *   <li>with {@link #optTrainingJson}: the training annotations, {@code <root>/training/<dataset>_<task>.json}
 *       with LLaVA-style records {@code {"image": [input, output], "conversations": [{"from": "human",
 *       "value": "<image>\n<instruction>"}, {"from": "gpt", "value": "<gen_image>"}]}} and a {@code data.txt}
 *       listing them, which {@link ReleaseSource#dataTxt} reads back.
 * </ul>
 *
 * <p>Records are streamed to their files as they come (one array per dataset and task, finished on
 * {@link #close()}, each moved into place atomically); memory holds one sample at a time.
 *
 * @since 0.1
 */
public final class ReleaseExport implements AutoCloseable {
  /** The token the training format puts in the model's turn, where the edited image is generated. */
  public static final String GEN_IMAGE = "<gen_image>";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> SCHEMA_FIELDS = Set.of(
      "schema_version", "id", "source", "instruction", "original_size", "padding", "generation_resolution",
      "crop_box", "models", "quality", "files", "input_description");

  /** One open JSON array file: its temporary path, its final path and whether a record was written. */
  private static final class ArrayFile {
    final Path tmp;
    final Path target;
    final Writer out;
    boolean any;

    ArrayFile(Path target) throws IOException {
      this.target = target;
      this.tmp = target.resolveSibling(target.getFileName() + ".tmp");
      Files.createDirectories(target.getParent());
      this.out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8);
      out.write("[\n");
    }

    void add(JsonNode record) throws IOException {
      out.write(any ? ",\n" : "");
      out.write(JSON.writeValueAsString(record));
      any = true;
    }

    void finish() throws IOException {
      out.write("\n]\n");
      out.close();
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  private final Path root;
  private boolean trainingJson;
  private final Map<String, ArrayFile> metadata = new LinkedHashMap<>();
  private final Map<String, ArrayFile> training = new LinkedHashMap<>();
  private int written;

  private ReleaseExport(Path root) {
    this.root = requireNonNull(root, "root");
  }

  /**
   * Starts an export into a folder.
   *
   * @param root the release root to write (the folder {@link ReleaseSource#metadataFolders} reads)
   * @return the export; close it to finish the files
   */
  public static ReleaseExport create(Path root) {
    return new ReleaseExport(root);
  }

  /**
   * Also writes the training annotations and {@code data.txt}.
   *
   * @param on whether to write them
   * @return this export
   */
  public ReleaseExport optTrainingJson(boolean on) {
    this.trainingJson = on;
    return this;
  }

  /**
   * Writes one triplet.
   *
   * @param t the triplet; its dataset and task (default {@code default}) choose the folder
   * @throws SourceException if a file cannot be written or the id, dataset or task is not a plain name
   */
  public void add(EditTriplet t) {
    SampleMetadata m = t.metadata();
    String dataset = plain(m.dataset(), "dataset", t.id());
    String task = plain(m.task().orElse("default"), "task", t.id());
    String id = plain(t.id(), "id", t.id());
    Path taskDir = root.resolve(dataset).resolve(task);
    String input = "input/" + id + ".png";
    String output = "output/" + id + ".png";
    try {
      ImageCodec.write(t.input(), taskDir.resolve(input), ImageFormat.PNG);
      ImageCodec.write(t.edited(), taskDir.resolve(output), ImageFormat.PNG);
      metadataFile(dataset, task, taskDir).add(record(t, dataset, task, input, output));
      if (trainingJson) {
        ArrayFile f = training.get(dataset + "/" + task);
        if (f == null) {
          f = new ArrayFile(root.resolve("training").resolve(dataset + "_" + task + ".json"));
          training.put(dataset + "/" + task, f);
        }
        ObjectNode r = JSON.createObjectNode();
        r.putArray("image").add(dataset + "/" + task + "/" + input).add(dataset + "/" + task + "/" + output);
        ArrayNode turns = r.putArray("conversations");
        turns.addObject().put("from", "human").put("value", "<image>\n" + t.instruction().text());
        turns.addObject().put("from", "gpt").put("value", GEN_IMAGE);
        f.add(r);
      }
    } catch (IOException e) {
      throw new SourceException("cannot write sample " + t.id() + " under " + root + ": " + e.getMessage(), e);
    }
    written++;
  }

  private ArrayFile metadataFile(String dataset, String task, Path taskDir) throws IOException {
    String k = dataset + "/" + task;
    ArrayFile f = metadata.get(k);
    if (f == null) {
      f = new ArrayFile(taskDir.resolve("metadata").resolve(dataset + "_" + task + ".json"));
      metadata.put(k, f);
    }
    return f;
  }

  private static ObjectNode record(EditTriplet t, String dataset, String task, String input, String output)
      throws IOException {
    SampleMetadata m = t.metadata();
    EditInstruction ins = t.instruction();
    ObjectNode r = JSON.createObjectNode();
    r.put("id", t.id());
    r.put("dataset_source", dataset);
    r.put("task", task);
    r.put("input", input);
    r.put("output", output);
    r.put("instruction", ins.text());
    r.put("instruction_type", ins.kind().name().toLowerCase(java.util.Locale.ROOT));
    if (ins.kind() == InstructionKind.REWRITE) {
      r.put("instruction_original", ins.original());
    }
    ins.complexity().ifPresent(c -> r.put(ReleaseSource.COMPLEXITY, c.name()));
    if (!ins.atomicSteps().isEmpty()) {
      ArrayNode steps = r.putArray(ReleaseSource.ATOMIC_STEPS);
      ins.atomicSteps().forEach(steps::add);
    }
    m.inputDescription().ifPresent(d -> r.put("input_description", d));
    for (Map.Entry<String, String> e : m.extensions().entrySet()) {
      String name = e.getKey();
      if (name.equals(ReleaseSource.INSTRUCTION_ORIGINAL) && ins.kind() == InstructionKind.REWRITE) {
        continue;
      }
      if (name.startsWith("release_") && SCHEMA_FIELDS.contains(name.substring("release_".length()))) {
        name = name.substring("release_".length());
      }
      r.set(name, JSON.readTree(e.getValue()));
    }
    return r;
  }

  private static String plain(String name, String field, String id) {
    if (name.isBlank() || name.contains("/") || name.contains("\\") || name.contains("..")) {
      throw new SourceException("sample " + id + ": " + field + " '" + name + "' is not a plain file name", null);
    }
    return name;
  }

  /**
   * Returns how many triplets were written.
   *
   * @return the count
   */
  public int written() {
    return written;
  }

  /**
   * Finishes every JSON file and, with training annotations, writes {@code data.txt}.
   *
   * @throws SourceException if a file cannot be finished
   */
  @Override
  public void close() {
    try {
      for (ArrayFile f : metadata.values()) {
        f.finish();
      }
      if (trainingJson) {
        StringBuilder data = new StringBuilder();
        for (ArrayFile f : training.values()) {
          f.finish();
          data.append(".,").append(root.relativize(f.target)).append(",1\n");
        }
        Files.createDirectories(root);
        Files.writeString(root.resolve("data.txt"), data.toString(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new SourceException("cannot finish the export under " + root + ": " + e.getMessage(), e);
    } finally {
      metadata.clear();
      training.clear();
    }
  }
}
