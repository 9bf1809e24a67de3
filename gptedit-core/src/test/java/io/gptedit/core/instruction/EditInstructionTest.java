package io.gptedit.core.instruction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EditInstructionTest {
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
