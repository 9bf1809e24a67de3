package io.gptedit.examples;

import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.editor.ImageEditor;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.ImageFormat;
import io.gptedit.core.image.RgbImage;
import io.gptedit.eval.Benchmark;
import io.gptedit.eval.bench.BenchmarkSet;
import io.gptedit.eval.run.EditRunner;
import io.gptedit.eval.run.FolderEdits;
import io.gptedit.eval.run.ProgressEvent;
import io.gptedit.eval.run.RunSummary;
import io.gptedit.eval.score.SampleFailure;
import io.gptedit.core.progress.ProgressLine;
import java.nio.file.Path;
import java.util.Locale;
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
    try (ImageEditor editor = editorSpec.open(checkpoint)) {
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
    if (instructions == null) {
      throw new IllegalArgumentException("--folder needs --instructions FILE.jsonl");
    }
    Path outputs = outputs();
    FolderEdits edits = FolderEdits.read(folder, instructions);
    ProgressLine line = new ProgressLine("edit", System.err, 1.0);
    int done = edits.run(editor, options, outputs, e -> line.update(e.done(), e.total(), e.key()));
    System.out.printf(Locale.ROOT, "edit: %d of %d images in %s with %s, seed %d -> %s%n", done,
        edits.items().size() + edits.missing().size(), folder, editor.name(), seed, outputs);
    if (!edits.missing().isEmpty()) {
      System.out.println("no input image for " + edits.missing().size() + " key(s): " + edits.missing());
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
}
