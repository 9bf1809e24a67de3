package io.gptedit.core.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.core.editor.EditException;
import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.geometry.AspectPreset;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.Resampler;
import io.gptedit.core.image.RgbImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PadCropEditorTest {

  @Test
  void inputIsPaddedToItsPresetEditedAtNativeSizeAndCroppedBackToItsSize() {
    List<ImageEditRequest> seen = new ArrayList<>();
    ImageEditService upscale =
        r -> {
          seen.add(r);
          return new GeneratedImage(Resampler.bicubic(r.image(), r.size().width(), r.size().height()), Usage.NONE, "m");
        };
    RgbImage input = RgbImage.filled(300, 200, 0x336699);
    RgbImage out = new PadCropEditor(upscale, "stand-in", 0xFFFFFF).edit(input, "keep it");
    assertThat(out.width()).isEqualTo(300);
    assertThat(out.height()).isEqualTo(200);
    assertThat(out.rgb(150, 100)).isEqualTo(0x336699);
    assertThat(seen).singleElement().satisfies(r -> {
      assertThat(r.size()).isEqualTo(new Size(1536, 1024));
      assertThat(r.image().width()).isEqualTo(300); // 300x200 is exactly 3:2: no padding
    });
    new PadCropEditor(upscale, "stand-in", 0xFFFFFF)
        .edit(input, "keep it", EditOptions.builder().optTargetPreset(AspectPreset.SQUARE).build());
    assertThat(seen.get(1).size()).isEqualTo(new Size(1024, 1024));
    assertThat(seen.get(1).image().height()).isEqualTo(300);
  }

  @Test
  void serviceFailuresBecomeEditExceptionsThatKeepRetryability() {
    ImageEditService refusing =
        r -> {
          throw new RemoteException(RemoteException.Kind.CONTENT_POLICY, 400, "refused", null);
        };
    assertThatThrownBy(() -> new PadCropEditor(refusing, "gpt", 0xFFFFFF).edit(RgbImage.filled(8, 8, 0), "x"))
        .isInstanceOf(EditException.class)
        .hasMessageContaining("refused")
        .satisfies(e -> assertThat(((EditException) e).retryable()).isFalse());
  }
}
