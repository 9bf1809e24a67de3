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
        EditOptions.builder().seed(7).steps(28).guidance(3.5).imageGuidance(1.5)
            .targetPreset(AspectPreset.PORTRAIT).extra("quality", "high").build();
    assertThat(o.toBuilder().build()).isEqualTo(o);
    assertThat(o.steps().getAsInt()).isEqualTo(28);
    assertThat(EditOptions.defaults().seed()).isEqualTo(EditOptions.DEFAULT_SEED);
  }

  @Test
  void outOfRangeOptionsAreRejectedByName() {
    assertThatThrownBy(() -> EditOptions.builder().steps(0).build()).hasMessageContaining("steps");
    assertThatThrownBy(() -> EditOptions.builder().guidance(Double.NaN).build()).hasMessageContaining("guidance");
    assertThatThrownBy(() -> EditOptions.builder().imageGuidance(-1).build()).hasMessageContaining("imageGuidance");
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
