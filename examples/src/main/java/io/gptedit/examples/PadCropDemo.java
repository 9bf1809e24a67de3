package io.gptedit.examples;

import io.gptedit.core.geometry.PadCropPlan;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.metadata.MetadataCodec;
import io.gptedit.testkit.synthetic.PadCropWalkthrough;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Walks one image through the paper's pad -> generate -> crop -> check steps ({@link PadCropWalkthrough}: the
 * library's geometry and checks, a stand-in generator that renders the padded canvas at the preset's native size)
 * and prints the resulting metadata record.
 */
@Command(
    name = "padcrop",
    mixinStandardHelpOptions = true,
    description = "Pad a generated image to its nearest preset, 'generate' at the native size, crop back, "
        + "run the quality checks and print the metadata JSON.")
final class PadCropDemo implements Callable<Integer> {
  @Option(names = "--in", description = "Your own input image (PNG, JPEG or WebP) instead of the test pattern.")
  Path in;

  @Option(names = "--width", description = "Test-pattern width (default ${DEFAULT-VALUE}; not with --in).")
  int width = 1200;

  @Option(names = "--height", description = "Test-pattern height (default ${DEFAULT-VALUE}; not with --in).")
  int height = 768;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-o", "--output"},
      description = "Folder to write input/padded/generated/cropped PNGs to (optional).")
  Path out;

  @Override
  public Integer call() {
    RgbImage input;
    if (in != null) {
      if (spec.commandLine().getParseResult().hasMatchedOption("--width")
          || spec.commandLine().getParseResult().hasMatchedOption("--height")) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--width and --height size the test pattern; with --in the image has its own size");
      }
      input = ImageCodec.read(in);
    } else {
      if (width <= 0 || height <= 0) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--width and --height must be positive, got " + width + "x" + height);
      }
      input = PadCropWalkthrough.testPattern(width, height);
    }
    PadCropWalkthrough w = PadCropWalkthrough.run(input);
    if (out != null) {
      w.writePngs(out);
    }
    PadCropPlan plan = w.plan();
    System.out.printf(
        "input %dx%d -> preset %s, canvas %s, padding %s%n",
        input.width(), input.height(), plan.preset().ratioLabel(), plan.canvas(), plan.padding());
    System.out.printf("generated at %s, crop box %s, verdict %s%n", w.generatedAt(), plan.cropBoxAt(w.generatedAt()),
        w.verdict().accepted() ? "accepted" : w.verdict().reasons());
    System.out.println(MetadataCodec.toPrettyJson(w.metadata()));
    return w.verdict().accepted() ? 0 : 1;
  }
}
