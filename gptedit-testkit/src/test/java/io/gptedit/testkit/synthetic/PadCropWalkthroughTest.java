package io.gptedit.testkit.synthetic;

import static org.assertj.core.api.Assertions.assertThat;

import io.gptedit.core.geometry.AspectPreset;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.metadata.MetadataCodec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PadCropWalkthroughTest {
  @Test
  void aLandscapePatternIsPaddedToThreeByTwoGeneratedCroppedBackToItsSizeAndAccepted(@TempDir Path tmp) {
    PadCropWalkthrough w = PadCropWalkthrough.run(PadCropWalkthrough.testPattern(1200, 768));

    assertThat(w.plan().preset()).isEqualTo(AspectPreset.LANDSCAPE);
    assertThat(w.generatedAt()).isEqualTo(AspectPreset.LANDSCAPE.generationSize());
    assertThat(w.generated().width()).isEqualTo(w.generatedAt().width());
    assertThat(w.cropped().width()).isEqualTo(1200);
    assertThat(w.cropped().height()).isEqualTo(768);
    assertThat(w.verdict().accepted()).as(w.verdict().reasons().toString()).isTrue();
    assertThat(MetadataCodec.fromJson(MetadataCodec.toJson(w.metadata()))).isEqualTo(w.metadata());

    w.writePngs(tmp);
    assertThat(ImageCodec.read(tmp.resolve("cropped.png"))).isEqualTo(w.cropped());
    assertThat(ImageCodec.read(tmp.resolve("padded.png")).width()).isEqualTo(w.plan().canvas().width());
  }

  @Test
  void anImageWhoseEdgeIsWhiteLikePaddingIsRejectedByTheResidualPaddingCheck() {
    // A white band on the padded side reads as padding the generator left behind.
    RgbImage pattern = PadCropWalkthrough.testPattern(1200, 768);
    byte[] px = pattern.copyRgb();
    for (int y = 0; y < 768; y++) {
      for (int x = 0; x < 1200; x++) {
        if (y < 40 || y >= 728) {
          int i = (y * 1200 + x) * 3;
          px[i] = px[i + 1] = px[i + 2] = (byte) 255;
        }
      }
    }
    PadCropWalkthrough w = PadCropWalkthrough.run(RgbImage.of(1200, 768, px));
    assertThat(w.verdict().accepted()).isFalse();
  }
}
