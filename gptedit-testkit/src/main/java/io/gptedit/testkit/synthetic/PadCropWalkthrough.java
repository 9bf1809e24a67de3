package io.gptedit.testkit.synthetic;

import static java.util.Objects.requireNonNull;

import io.gptedit.core.geometry.PadCropPlan;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.ImageFormat;
import io.gptedit.core.image.Resampler;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.instruction.EditInstruction;
import io.gptedit.core.metadata.SampleMetadata;
import io.gptedit.core.quality.PaddingMaskCheck;
import io.gptedit.core.quality.QualityVerdict;
import io.gptedit.core.quality.ResidualPaddingCheck;
import java.nio.file.Path;

/**
 * One image through the paper's pad -> generate -> crop -> check steps with a stand-in generator (the padded canvas
 * resized with bicubic to the preset's generation size, so no API key is needed): the geometry and the quality checks
 * are the library's, only the generation is stood in for. {@code gptedit padcrop} prints it.
 *
 * @param input the input image
 * @param plan its pad/crop plan (nearest preset, canvas, padding)
 * @param padded the padded canvas sent to the generator
 * @param generatedAt the preset's generation size
 * @param generated the stand-in generator's canvas at that size
 * @param cropped the generated canvas cropped and resized back to the input's size
 * @param verdict the residual-padding check on the crop and the padding-mask check on the canvas
 * @param metadata the sample's metadata record
 * @since 0.1
 */
public record PadCropWalkthrough(
    RgbImage input,
    PadCropPlan plan,
    RgbImage padded,
    Size generatedAt,
    RgbImage generated,
    RgbImage cropped,
    QualityVerdict verdict,
    SampleMetadata metadata) {

  /** Validates. */
  public PadCropWalkthrough {
    requireNonNull(input, "input");
    requireNonNull(plan, "plan");
    requireNonNull(padded, "padded");
    requireNonNull(generatedAt, "generatedAt");
    requireNonNull(generated, "generated");
    requireNonNull(cropped, "cropped");
    requireNonNull(verdict, "verdict");
    requireNonNull(metadata, "metadata");
  }

  /**
   * Walks an image through the steps.
   *
   * @param input any image
   * @return every intermediate image, the verdict and the metadata
   */
  public static PadCropWalkthrough run(RgbImage input) {
    PadCropPlan plan = PadCropPlan.forImage(input);
    RgbImage padded = plan.pad(input);
    Size gen = plan.preset().generationSize();
    RgbImage generated = Resampler.bicubic(padded, gen.width(), gen.height());
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
    return new PadCropWalkthrough(input, plan, padded, gen, generated, plan.cropToOriginal(generated), verdict, meta);
  }

  /**
   * Writes {@code input.png}, {@code padded.png}, {@code generated.png} and {@code cropped.png}.
   *
   * @param folder the folder (created when missing)
   */
  public void writePngs(Path folder) {
    ImageCodec.write(input, folder.resolve("input.png"), ImageFormat.PNG);
    ImageCodec.write(padded, folder.resolve("padded.png"), ImageFormat.PNG);
    ImageCodec.write(generated, folder.resolve("generated.png"), ImageFormat.PNG);
    ImageCodec.write(cropped, folder.resolve("cropped.png"), ImageFormat.PNG);
  }

  /**
   * A test pattern: colour gradients with a grid, busy enough that no edge line looks like white padding.
   *
   * @param w width
   * @param h height
   * @return the pattern
   */
  public static RgbImage testPattern(int w, int h) {
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
