package io.gptedit.core.triplet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.metadata.SampleMetadata;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

  @ParameterizedTest
  @ValueSource(strings = {"", "has.dot", "has space", "/lead", "trail/", "a//b", "\u00e9"})
  void malformedIdsAreRejectedWithTheReason(String id) {
    assertThatThrownBy(() -> EditTriplet.checkId(id)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sample id");
  }

  @Test
  void instructionKindFollowsItsFields() {
    assertThat(EditInstruction.of("a").kind()).isEqualTo(InstructionKind.ORIGINAL);
    assertThat(EditInstruction.of("a").withRewrite("b").kind()).isEqualTo(InstructionKind.REWRITE);
    assertThat(EditInstruction.of("a").withRewrite("b").text()).isEqualTo("b");
    EditInstruction c3 = EditInstruction.composed("do all three", List.of("one", "two", "three"));
    assertThat(c3.kind()).isEqualTo(InstructionKind.COMPLEX);
    assertThat(c3.complexity()).contains(ComplexityLevel.C3);
  }

  @Test
  void complexityMustMatchTheNumberOfSteps() {
    assertThatThrownBy(
            () -> new EditInstruction("x", Optional.empty(), List.of("a", "b"), Optional.of(ComplexityLevel.C3)))
        .hasMessageContaining("C3 needs 3 atomic steps, got 2");
    assertThatThrownBy(() -> EditInstruction.of("  ")).hasMessageContaining("blank");
    assertThatThrownBy(() -> ComplexityLevel.of(9)).hasMessageContaining("1..8");
  }
}
