package io.gptedit.core.editor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.core.geometry.AspectPreset;
import io.gptedit.core.image.RgbImage;
import org.junit.jupiter.api.Test;

class EditOptionsTest {
  @Test
  void builderRoundTripsThroughToBuilder() {
    EditOptions o =
        EditOptions.builder().optSeed(7).optSteps(28).optGuidance(3.5).optImageGuidance(1.5)
            .optTargetPreset(AspectPreset.PORTRAIT).optExtra("quality", "high").build();
    assertThat(o.toBuilder().build()).isEqualTo(o);
    assertThat(o.steps().getAsInt()).isEqualTo(28);
    assertThat(EditOptions.defaults().seed()).isEqualTo(EditOptions.DEFAULT_SEED);
  }

  @Test
  void outOfRangeOptionsAreRejectedByName() {
    assertThatThrownBy(() -> EditOptions.builder().optSteps(0).build()).hasMessageContaining("steps");
    assertThatThrownBy(() -> EditOptions.builder().optGuidance(Double.NaN).build()).hasMessageContaining("guidance");
    assertThatThrownBy(() -> EditOptions.builder().optImageGuidance(-1).build()).hasMessageContaining("imageGuidance");
  }

  @Test
  void editorDefaultMethodsDelegate() {
    ImageEditor invert =
        (input, instruction, options) -> {
          byte[] px = input.copyRgb();
          for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (255 - (px[i] & 0xFF));
          }
          return RgbImage.of(input.width(), input.height(), px);
        };
    assertThat(invert.edit(RgbImage.filled(1, 1, 0), "invert").rgb(0, 0)).isEqualTo(0xFFFFFF);
    assertThat(invert.name()).isNotBlank();
    invert.close();
  }
}
