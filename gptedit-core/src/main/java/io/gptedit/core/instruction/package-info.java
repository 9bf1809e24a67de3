/**
 * Edit instructions: {@link io.gptedit.core.instruction.EditInstruction} (the original text, an optional rewrite, the
 * atomic steps of a composed instruction and its {@link io.gptedit.core.instruction.ComplexityLevel}) and
 * {@link io.gptedit.core.instruction.InstructionKind}.
 */
package io.gptedit.core.instruction;
