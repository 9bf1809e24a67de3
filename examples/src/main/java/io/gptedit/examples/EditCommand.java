package io.gptedit.examples;

import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.editor.DiffusionEditor;
import io.gptedit.models.train.EditorCheckpoint;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gptedit edit}: loads a fine-tuning checkpoint into its editor ({@link EditorCheckpoint}) and edits an image;
 * the same seed gives the same PNG as the in-memory model that wrote the checkpoint.
 */
@Command(
    name = "edit",
    mixinStandardHelpOptions = true,
    description = "Edit an image with a trained editor: a run folder (its latest checkpoint) or a checkpoint folder.")
public final class EditCommand implements Callable<Integer> {
  @Option(names = "--checkpoint", required = true, description = "a run folder or one of its checkpoint folders")
  Path checkpoint;

  @Option(names = {"-i", "--image"}, required = true, description = "the input image (PNG, JPEG or WebP)")
  Path image;

  @Option(names = "--instruction", required = true, description = "the edit instruction")
  String instruction;

  @Option(names = {"-o", "--output"}, description = "the output PNG (default ${DEFAULT-VALUE})")
  Path output = Path.of("edited.png");

  @Option(names = "--seed", description = "the noise seed (default ${DEFAULT-VALUE})")
  long seed = EditOptions.DEFAULT_SEED;

  @Option(names = "--steps", description = "sampling steps (default: the checkpoint's)")
  Integer steps;

  @Option(names = "--guidance", description = "guidance scale (default: the checkpoint's)")
  Double guidance;

  @Override
  public Integer call() {
    System.setProperty("ai.djl.offline", "true");
    RgbImage input = ImageCodec.read(image);
    EditOptions.Builder o = EditOptions.builder().seed(seed);
    if (steps != null) {
      o.steps(steps);
    }
    if (guidance != null) {
      o.guidance(guidance);
    }
    try (DiffusionEditor editor = EditorCheckpoint.load(checkpoint)) {
      RgbImage out = editor.edit(input, instruction, o.build());
      ImageCodec.write(out, output, io.gptedit.core.image.ImageFormat.PNG);
      System.out.printf(
          Locale.ROOT, "edit: %s (%dx%d) with %s, seed %d -> %s%n", image, input.width(), input.height(), editor.name(),
          seed, output);
    }
    return 0;
  }
}
