package io.gptedit.core.instruction;

/**
 * Complex-Edit's instruction complexity: level {@code Ck} fuses {@code k} atomic edits into one instruction.
 * The paper adds C3 instructions to about half of OmniEdit; Complex-Edit's benchmark reports C8.
 *
 * @since 0.1
 */
public enum ComplexityLevel {
  /** One atomic edit. */
  C1,
  /** Two atomic edits. */
  C2,
  /** Three atomic edits (the paper's composite OmniEdit instructions). */
  C3,
  /** Four atomic edits. */
  C4,
  /** Five atomic edits. */
  C5,
  /** Six atomic edits. */
  C6,
  /** Seven atomic edits. */
  C7,
  /** Eight atomic edits (the benchmark's hardest level). */
  C8;

  /**
   * Returns the number of atomic edits fused at this level.
   *
   * @return 1 to 8
   */
  public int atomicEdits() {
    return ordinal() + 1;
  }

  /**
   * Returns the level that fuses {@code k} atomic edits.
   *
   * @param k 1 to 8
   * @return the level
   * @throws IllegalArgumentException if {@code k} is out of range
   */
  public static ComplexityLevel of(int k) {
    if (k < 1 || k > 8) {
      throw new IllegalArgumentException("complexity level must be 1..8, got " + k);
    }
    return values()[k - 1];
  }
}
