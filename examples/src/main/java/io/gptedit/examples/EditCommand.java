package io.gptedit.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.editor.ImageEditor;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.ImageFormat;
import io.gptedit.core.image.RgbImage;
import io.gptedit.eval.Benchmark;
import io.gptedit.eval.bench.BenchmarkSet;
import io.gptedit.eval.run.EditRunner;
import io.gptedit.eval.run.ProgressEvent;
import io.gptedit.eval.run.RunSummary;
import io.gptedit.eval.score.SampleFailure;
import io.gptedit.models.train.EditorCheckpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import io.gptedit.core.progress.ProgressLine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gptedit edit}: edits with any {@link ImageEditor} ({@code --editor checkpoint:DIR | onnx:DIR |
 * openai:MODEL}, or {@code --checkpoint DIR} as before): one image ({@code --image}), a folder of images paired by
 * key with a JSONL file of instructions ({@code --folder}, {@code --instructions}), or a benchmark's samples
 * ({@code --benchmark}, {@code --data}) into the official output layout that {@code gptedit eval} reads. With a
 * checkpoint and the same seed it writes the same PNG as the in-memory model that wrote the checkpoint.
 */
@Command(
    name = "edit",
    mixinStandardHelpOptions = true,
    description = "Edit with a trained checkpoint, an ONNX editor or an image-edit API: one image, a folder paired "
        + "by key with instructions, or a benchmark into its official output layout.")
public final class EditCommand implements Callable<Integer> {
  @Option(names = "--checkpoint", description = "a run folder or one of its checkpoint folders (same as --editor checkpoint:DIR)")
  Path checkpoint;

  @Mixin EditorSpecs editorSpec = new EditorSpecs();

  @Option(names = {"-i", "--image"}, description = "one input image (PNG, JPEG or WebP)")
  Path image;

  @Option(names = "--instruction", description = "the edit instruction for --image")
  String instruction;

  @Option(names = {"-o", "--output"}, description = "the output PNG for --image (default edited.png); with --folder, "
      + "the folder for <key>.png; with --benchmark, the output root (default gptedit-runs/edit)")
  Path output;

  @Option(names = "--folder", description = "a folder of input images named <key>.png/.jpg/.jpeg/.webp")
  Path folder;

  @Option(names = "--instructions", description = "with --folder: a JSONL file, one {\"key\": ..., \"instruction\": ...} per line")
  Path instructions;

  @Option(names = "--benchmark", description = "gedit, imgedit, complex-edit or omnicontext (with --data)")
  String benchmark;

  @Mixin BenchmarkData data = new BenchmarkData();

  @Option(names = "--model-name", description = "with --benchmark: the name in the output layout (default: the editor's)")
  String modelName;

  @Option(names = "--seed", description = "the noise seed (default ${DEFAULT-VALUE})")
  long seed = EditOptions.DEFAULT_SEED;

  @Option(names = "--steps", description = "sampling steps (default: the editor's)")
  Integer steps;

  @Option(names = "--guidance", description = "guidance scale (default: the editor's)")
  Double guidance;

  @Override
  public Integer call() {
    System.setProperty("ai.djl.offline", "true");
    int modes = (image != null ? 1 : 0) + (folder != null ? 1 : 0) + (benchmark != null ? 1 : 0);
    if (modes != 1) {
      throw new IllegalArgumentException("give exactly one of --image, --folder or --benchmark");
    }
    if ((checkpoint == null) == (editorSpec.editor == null)) {
      throw new IllegalArgumentException("give exactly one of --checkpoint DIR or --editor SPEC");
    }
    EditOptions.Builder o = EditOptions.builder().optSeed(seed);
    if (steps != null) {
      o.optSteps(steps);
    }
    if (guidance != null) {
      o.optGuidance(guidance);
    }
    EditOptions options = o.build();
    try (ImageEditor editor = checkpoint != null ? EditorCheckpoint.load(checkpoint) : editorSpec.open()) {
      if (image != null) {
        if (instruction == null) {
          throw new IllegalArgumentException("--image needs --instruction");
        }
        RgbImage input = ImageCodec.read(image);
        RgbImage out = editor.edit(input, instruction, options);
        Path png = output != null ? output : Path.of("edited.png");
        ImageCodec.write(out, png, ImageFormat.PNG);
        System.out.printf(Locale.ROOT, "edit: %s (%dx%d) with %s, seed %d -> %s%n", image, input.width(),
            input.height(), editor.name(), seed, png);
      } else if (folder != null) {
        editFolder(editor, options);
      } else {
        editBenchmark(editor, options);
      }
    }
    return 0;
  }

  /** The output folder of --folder and --benchmark. */
  private Path outputs() {
    return output != null ? output : Path.of("gptedit-runs", "edit");
  }

  private void editFolder(ImageEditor editor, EditOptions options) {
    Path outputs = outputs();
    if (instructions == null) {
      throw new IllegalArgumentException("--folder needs --instructions FILE.jsonl");
    }
    Map<String, String> byKey = readInstructions(instructions);
    ProgressLine line = new ProgressLine("edit", System.err, 1.0);
    List<String> missing = new ArrayList<>();
    int done = 0;
    for (Map.Entry<String, String> e : byKey.entrySet()) {
      Path input = findImage(folder, e.getKey());
      if (input == null) {
        missing.add(e.getKey());
        continue;
      }
      Path out = outputs.resolve(e.getKey() + ".png");
      ImageCodec.write(editor.edit(ImageCodec.read(input), e.getValue(), options), out, ImageFormat.PNG);
      line.update(++done, byKey.size(), e.getKey());
    }
    System.out.printf(Locale.ROOT, "edit: %d of %d images in %s with %s, seed %d -> %s%n", done, byKey.size(), folder,
        editor.name(), seed, outputs);
    if (!missing.isEmpty()) {
      System.out.println("no input image for " + missing.size() + " key(s): " + missing);
    }
  }

  private void editBenchmark(ImageEditor editor, EditOptions options) {
    Benchmark b = Benchmark.fromId(benchmark);
    Path outputs = outputs();
    BenchmarkSet set = data.load(b, outputs.resolve("data"));
    ProgressLine line = new ProgressLine(b.id() + " edit", System.err, 1.0);
    EditRunner.Builder runner = EditRunner.builder()
        .setEditor(editor)
        .setOutputRoot(outputs)
        .optOptions(options)
        .optListener((ProgressEvent e) -> line.update(e.done(), e.total(), ""));
    if (modelName != null) {
      runner.optModelName(modelName);
    }
    RunSummary summary = runner.build().run(set);
    System.out.printf(Locale.ROOT, "edit: %s %s, %d samples: %d generated, %d already there, %d failed -> %s%n",
        b.displayName(), set.subset(), set.samples().size(), summary.generated(), summary.skipped(),
        summary.failures().size(), outputs);
    for (SampleFailure f : summary.failures()) {
      System.out.println("failed: " + f.category() + "/" + f.key() + ": " + f.reason());
    }
  }

  private static Map<String, String> readInstructions(Path file) {
    Map<String, String> out = new LinkedHashMap<>();
    ObjectMapper json = new ObjectMapper();
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
    }
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) {
        continue;
      }
      String where = file + " line " + (i + 1);
      JsonNode row;
      try {
        row = json.readTree(lines.get(i));
      } catch (IOException e) {
        throw new IllegalArgumentException(where + ": not JSON: " + e.getMessage(), e);
      }
      JsonNode key = row == null ? null : row.get("key");
      JsonNode text = row == null ? null : row.get("instruction");
      if (key == null || !key.isTextual() || text == null || !text.isTextual()) {
        throw new IllegalArgumentException(where + ": needs text fields 'key' and 'instruction'");
      }
      String k = key.asText();
      if (k.isBlank() || k.contains("/") || k.contains("\\") || k.contains("..")) {
        throw new IllegalArgumentException(where + ": key '" + k + "' is not a plain file name");
      }
      if (out.put(k, text.asText()) != null) {
        throw new IllegalArgumentException(where + ": key '" + k + "' appears twice");
      }
    }
    return out;
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
