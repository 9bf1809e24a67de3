package io.gptedit.eval.run;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.editor.ImageEditor;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.ImageFormat;
import io.gptedit.eval.EvalException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A folder of input images paired by key with a JSONL file of instructions, edited into {@code <key>.png}: the
 * simplest way to run an editor on one's own images ({@code gptedit edit --folder DIR --instructions FILE}).
 *
 * <p>Each line of the instructions file is {@code {"key": "cat", "instruction": "make the cat orange"}}; the input is
 * {@code <key>.png}, {@code .jpg}, {@code .jpeg} or {@code .webp} in the folder. Keys are plain file names and appear
 * once. Keys without an input image are listed in {@link #missing()} and skipped.
 *
 * <pre>{@code
 * FolderEdits edits = FolderEdits.read(Path.of("photos"), Path.of("photos/instructions.jsonl"));
 * try (ImageEditor editor = Editors.open("checkpoint:runs/train")) {
 *   edits.run(editor, EditOptions.defaults(), Path.of("edited"), ProgressListener.NONE);
 * }
 * }</pre>
 *
 * @param items the keys that have an input image, in file order
 * @param missing the keys without an input image
 * @since 0.1
 */
public record FolderEdits(List<Item> items, List<String> missing) {
  /**
   * One edit to make.
   *
   * @param key the output's file name without {@code .png}
   * @param input the input image
   * @param instruction the edit instruction
   */
  public record Item(String key, Path input, String instruction) {
    /** Validates the item. */
    public Item {
      requireNonNull(key, "key");
      requireNonNull(input, "input");
      requireNonNull(instruction, "instruction");
    }
  }

  /** Copies the lists. */
  public FolderEdits {
    items = List.copyOf(items);
    missing = List.copyOf(missing);
  }

  /**
   * Reads the instructions and pairs them with the folder's images.
   *
   * @param folder the folder of input images
   * @param instructionsJsonl one {@code {"key", "instruction"}} object per line
   * @return the edits
   * @throws EvalException naming the file and line of a malformed, duplicate or unsafe entry, or an unreadable file
   */
  public static FolderEdits read(Path folder, Path instructionsJsonl) {
    requireNonNull(folder, "folder");
    requireNonNull(instructionsJsonl, "instructionsJsonl");
    if (!Files.isDirectory(folder)) {
      throw new EvalException(folder + " is not a folder of input images");
    }
    ObjectMapper json = new ObjectMapper();
    List<Item> items = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    try (BufferedReader in = Files.newBufferedReader(instructionsJsonl, StandardCharsets.UTF_8)) {
      String line;
      int n = 0;
      while ((line = in.readLine()) != null) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        String where = instructionsJsonl + " line " + n;
        JsonNode row;
        try {
          row = json.readTree(line);
        } catch (IOException e) {
          throw new EvalException(where + ": not JSON: " + e.getMessage(), e);
        }
        JsonNode key = row == null ? null : row.get("key");
        JsonNode text = row == null ? null : row.get("instruction");
        if (key == null || !key.isTextual() || text == null || !text.isTextual()) {
          throw new EvalException(where + ": needs text fields 'key' and 'instruction'");
        }
        String k = key.asText();
        if (k.isBlank() || k.contains("/") || k.contains("\\") || k.contains("..")) {
          throw new EvalException(where + ": key '" + k + "' is not a plain file name");
        }
        if (!seen.add(k)) {
          throw new EvalException(where + ": key '" + k + "' appears twice");
        }
        Path input = findImage(folder, k);
        if (input == null) {
          missing.add(k);
        } else {
          items.add(new Item(k, input, text.asText()));
        }
      }
    } catch (IOException e) {
      throw new EvalException("cannot read " + instructionsJsonl + ": " + e.getMessage(), e);
    }
    return new FolderEdits(items, missing);
  }

  /**
   * Edits every item into {@code outputDir/<key>.png}, reporting each as an {@link ProgressEvent.Phase#EDIT} event.
   *
   * @param editor the editor
   * @param options seed, steps and guidance for every edit
   * @param outputDir the folder for the outputs (created)
   * @param listener progress
   * @return the number of images written
   */
  public int run(ImageEditor editor, EditOptions options, Path outputDir, ProgressListener listener) {
    requireNonNull(editor, "editor");
    requireNonNull(options, "options");
    requireNonNull(outputDir, "outputDir");
    requireNonNull(listener, "listener");
    int done = 0;
    for (Item item : items) {
      ImageCodec.write(editor.edit(ImageCodec.read(item.input()), item.instruction(), options),
          outputDir.resolve(item.key() + ".png"), ImageFormat.PNG);
      listener.onProgress(
          new ProgressEvent(ProgressEvent.Phase.EDIT, item.key(), ProgressEvent.Status.DONE, ++done, items.size()));
    }
    return done;
  }

  private static Path findImage(Path dir, String key) {
    for (String ext : new String[] {".png", ".jpg", ".jpeg", ".webp"}) {
      Path p = dir.resolve(key + ext);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    return null;
  }
}
