package io.gptedit.core.instruction;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import java.util.List;
import java.util.Optional;

/**
 * An edit instruction: the original text, an optional rewrite, and for composed instructions the atomic steps
 * and their complexity level.
 *
 * @param original the source dataset's instruction (non-blank)
 * @param rewritten the rewritten instruction, if any (non-blank when present)
 * @param atomicSteps the atomic edits a composed instruction fuses, in order; empty when not composed
 * @param complexity the complexity level of a composed instruction
 * @since 0.1
 */
public record EditInstruction(
    String original,
    Optional<String> rewritten,
    List<String> atomicSteps,
    Optional<ComplexityLevel> complexity) {

  /**
   * Validates the instruction.
   *
   * @throws IllegalArgumentException if a text is blank, or the number of atomic steps disagrees with the
   *     complexity level
   */
  public EditInstruction {
    requireNonNull(original, "original");
    checkArgument(!original.isBlank(), "instruction text must not be blank");
    requireNonNull(rewritten, "rewritten");
    rewritten.ifPresent(r -> checkArgument(!r.isBlank(), "rewritten instruction must not be blank"));
    atomicSteps = ImmutableList.copyOf(requireNonNull(atomicSteps, "atomicSteps"));
    for (String step : atomicSteps) {
      checkArgument(!step.isBlank(), "atomic steps must not be blank");
    }
    requireNonNull(complexity, "complexity");
    if (complexity.isPresent() && !atomicSteps.isEmpty()) {
      checkArgument(
          atomicSteps.size() == complexity.get().atomicEdits(),
          "complexity %s needs %s atomic steps, got %s",
          complexity.get(),
          complexity.get().atomicEdits(),
          atomicSteps.size());
    }
  }

  /**
   * Returns a plain instruction.
   *
   * @param text the instruction
   * @return an instruction with no rewrite and no steps
   */
  public static EditInstruction of(String text) {
    return new EditInstruction(text, Optional.empty(), List.of(), Optional.empty());
  }

  /**
   * Returns a copy with a rewritten text.
   *
   * @param text the rewrite
   * @return the new instruction
   */
  public EditInstruction withRewrite(String text) {
    return new EditInstruction(original, Optional.of(text), atomicSteps, complexity);
  }

  /**
   * Returns a composed instruction: the fused text and the atomic steps it was made from.
   *
   * @param fused the single instruction that performs all steps
   * @param steps the atomic edits, in order (1 to 8 of them)
   * @return the instruction with complexity {@code C<steps.size()>}
   */
  public static EditInstruction composed(String fused, List<String> steps) {
    return new EditInstruction(
        fused, Optional.empty(), steps, Optional.of(ComplexityLevel.of(steps.size())));
  }

  /**
   * Returns the text an editor should be given: the rewrite if there is one, else the original.
   *
   * @return the effective instruction
   */
  public String text() {
    return rewritten.orElse(original);
  }

  /**
   * Returns how the instruction was made.
   *
   * @return {@link InstructionKind#COMPLEX} for composed, {@link InstructionKind#REWRITE} for rewritten, else
   *     {@link InstructionKind#ORIGINAL}
   */
  public InstructionKind kind() {
    if (complexity.isPresent()) {
      return InstructionKind.COMPLEX;
    }
    return rewritten.isPresent() ? InstructionKind.REWRITE : InstructionKind.ORIGINAL;
  }
}
