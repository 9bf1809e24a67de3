package io.gptedit.examples;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.gptedit.core.remote.GeneratedImage;
import io.gptedit.core.remote.ImageEditRequest;
import io.gptedit.core.remote.ImageEditService;
import io.gptedit.core.remote.Usage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the README's core-API snippet verbatim (with a stand-in edit service) so the README cannot rot. */
class ReadmeExampleTest {
  @TempDir Path tmp;

  @Test
  void readmeSnippetCompilesRunsAndProducesAnAcceptedRecord() {
    ImageCodec.write(io.gptedit.testkit.synthetic.PadCropWalkthrough.testPattern(500, 300), tmp.resolve("cat.jpg"), ImageFormat.JPEG);
    ImageEditService editService =
        request ->
            new GeneratedImage(
                Resampler.bicubic(request.image(), request.size().width(), request.size().height()),
                Usage.NONE,
                "stand-in");
    // ---- README snippet begins (paths made relative to the test's folder) ----
    RgbImage input = ImageCodec.read(tmp.resolve("cat.jpg"));
    PadCropPlan plan = PadCropPlan.forImage(input);
    RgbImage canvas = plan.pad(input);
    Size generation = plan.preset().generationSize();

    RgbImage generated = editService.edit(ImageEditRequest.of(canvas, "add a red hat", generation)).image();

    RgbImage edited = plan.cropToOriginal(generated);
    QualityVerdict verdict = ResidualPaddingCheck.paperDefault().check(plan.crop(generated), plan)
        .and(PaddingMaskCheck.defaults().check(generated, plan, generation, plan.cropBoxAt(generation)));

    SampleMetadata meta = SampleMetadata.builder("cat_0001", "mydata", EditInstruction.of("add a red hat"),
            plan.original())
        .optPadCrop(plan)
        .optGeneratedAt(generation)
        .optGeneratorModel("gpt-image-1")
        .optQuality(verdict)
        .build();
    String json = MetadataCodec.toJson(meta);
    // ---- README snippet ends ----
    assertThat(edited.width()).isEqualTo(500);
    assertThat(edited.height()).isEqualTo(300);
    assertThat(verdict.accepted()).isTrue();
    assertThat(MetadataCodec.fromJson(json)).isEqualTo(meta);
  }
}
