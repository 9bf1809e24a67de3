package io.gptedit.examples;

import io.gptedit.core.geometry.PadCropPlan;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.ImageFormat;
import io.gptedit.core.image.Resampler;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.instruction.EditInstruction;
import io.gptedit.core.metadata.MetadataCodec;
import io.gptedit.core.metadata.SampleMetadata;
import io.gptedit.core.quality.PaddingMaskCheck;
import io.gptedit.core.quality.QualityVerdict;
import io.gptedit.core.quality.ResidualPaddingCheck;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Walks one image through the paper's pad -> generate -> crop -> check steps, with a stand-in generator that
 * renders the padded canvas at the preset's native size, and prints the resulting metadata record.
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
      input = testPattern(width, height);
    }
    PadCropPlan plan = PadCropPlan.forImage(input);
    RgbImage padded = plan.pad(input);
    Size gen = plan.preset().generationSize();
    // Stand-in generator: render the padded canvas at the preset's native size (no API key needed).
    RgbImage generated = Resampler.bicubic(padded, gen.width(), gen.height());
    RgbImage cropped = plan.cropToOriginal(generated);
    QualityVerdict verdict =
        ResidualPaddingCheck.paperDefault()
            .check(plan.crop(generated), plan)
            .and(PaddingMaskCheck.defaults().check(generated, plan, gen, plan.cropBoxAt(gen)));
    SampleMetadata meta =
        SampleMetadata.builder(
                "demo_padcrop_000001", "synthetic", EditInstruction.of("keep the test pattern"), plan.original())
            .optTask("padcrop-demo")
            .optPadCrop(plan)
            .optGeneratedAt(gen)
            .optGeneratorModel("bicubic-stand-in")
            .optQuality(verdict)
            .build();
    if (out != null) {
      ImageCodec.write(input, out.resolve("input.png"), ImageFormat.PNG);
      ImageCodec.write(padded, out.resolve("padded.png"), ImageFormat.PNG);
      ImageCodec.write(generated, out.resolve("generated.png"), ImageFormat.PNG);
      ImageCodec.write(cropped, out.resolve("cropped.png"), ImageFormat.PNG);
    }
    System.out.printf(
        "input %dx%d -> preset %s, canvas %s, padding %s%n",
        input.width(), input.height(), plan.preset().ratioLabel(), plan.canvas(), plan.padding());
    System.out.printf("generated at %s, crop box %s, verdict %s%n", gen, plan.cropBoxAt(gen),
        verdict.accepted() ? "accepted" : verdict.reasons());
    System.out.println(MetadataCodec.toPrettyJson(meta));
    return verdict.accepted() ? 0 : 1;
  }

  /** Colour gradients with a grid: busy enough that no edge line looks like white padding. */
  static RgbImage testPattern(int w, int h) {
    byte[] px = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = (y * w + x) * 3;
        boolean grid = x % 64 < 2 || y % 64 < 2;
        px[i] = (byte) (grid ? 20 : 30 + 200 * x / Math.max(1, w - 1));
        px[i + 1] = (byte) (grid ? 20 : 30 + 200 * y / Math.max(1, h - 1));
        px[i + 2] = (byte) (grid ? 20 : 180);
      }
    }
    return RgbImage.of(w, h, px);
  }
}
