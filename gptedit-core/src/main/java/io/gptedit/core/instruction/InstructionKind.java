package io.gptedit.core.instruction;

import java.util.Locale;

/**
 * Where a sample's instruction came from; the release's {@code instruction_type} field.
 *
 * @since 0.1
 */
public enum InstructionKind {
  /** The source dataset's own instruction. */
  ORIGINAL,
  /** Rewritten by a language model to match the regenerated output (about 10 % of OmniEdit). */
  REWRITE,
  /** Composed from several atomic edits (the C3 samples). */
  COMPLEX;

  /**
   * Returns the release's spelling.
   *
   * @return {@code original}, {@code rewrite} or {@code complex}
   */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses the release's spelling, case-insensitive.
   *
   * @param text {@code original}, {@code rewrite} or {@code complex}
   * @return the kind
   * @throws IllegalArgumentException for any other text
   */
  public static InstructionKind parse(String text) {
    for (InstructionKind k : values()) {
      if (k.name().equalsIgnoreCase(text)) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "unknown instruction type '" + text + "' (expected original, rewrite or complex)");
  }
}
