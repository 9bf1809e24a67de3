package io.gptedit.core.triplet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.instruction.EditInstruction;
import io.gptedit.core.metadata.SampleMetadata;
import org.junit.jupiter.api.Test;

class EditTripletTest {
  private static SampleMetadata meta(String id) {
    return SampleMetadata.builder(id, "synthetic", EditInstruction.of("x"), new Size(2, 2)).build();
  }

  @Test
  void tripletIdMustMatchItsMetadata() {
    RgbImage img = RgbImage.filled(2, 2, 0);
    assertThat(new EditTriplet("a_1", img, EditInstruction.of("x"), img, meta("a_1")).id()).isEqualTo("a_1");
    assertThatThrownBy(() -> new EditTriplet("a_1", img, EditInstruction.of("x"), img, meta("a_2")))
        .hasMessageContaining("differs from metadata id 'a_2'");
  }

  @Test
  void aTripletWithAMalformedIdIsRejectedBeforeItsMetadataIsCompared() {
    RgbImage img = RgbImage.filled(2, 2, 0);
    assertThatThrownBy(() -> new EditTriplet("has.dot", img, EditInstruction.of("x"), img, meta("a_1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sample id 'has.dot'");
  }
}
