package io.gptedit.data.curation;

import static java.util.Objects.requireNonNull;

/**
 * What the pipeline does with one source dataset.
 *
 * @param recipe how samples are regenerated
 * @param rewriteFraction the share of samples whose instruction is rewritten after regeneration, chosen by
 *     hashing the id
 * @param c3Fraction the share of samples that also yield a C3 sample (three proposed atomic edits fused into
 *     one instruction, regenerated from the same input), chosen by hashing the id
 * @since 0.1
 */
public record SourcePolicy(Recipe recipe, double rewriteFraction, double c3Fraction) {
  /** The paper's OmniEdit share of rewritten instructions (about 100,000 of 1.2 M, section 3). */
  public static final double OMNIEDIT_REWRITE_FRACTION = 0.10;

  /** The paper's OmniEdit share augmented with C3 instructions ("about half"). */
  public static final double OMNIEDIT_C3_FRACTION = 0.5;

  /**
   * Validates the policy.
   *
   * @throws IllegalArgumentException if a fraction is outside [0, 1]
   */
  public SourcePolicy {
    requireNonNull(recipe, "recipe");
    if (!(rewriteFraction >= 0 && rewriteFraction <= 1) || !(c3Fraction >= 0 && c3Fraction <= 1)) {
      throw new IllegalArgumentException(
          "fractions must be in [0, 1], got rewrite " + rewriteFraction + ", c3 " + c3Fraction);
    }
  }

  /**
   * Returns OmniEdit's policy: regenerate, rewrite 10 %, C3 for half.
   *
   * @return the policy
   */
  public static SourcePolicy omniEdit() {
    return new SourcePolicy(Recipe.REGENERATE, OMNIEDIT_REWRITE_FRACTION, OMNIEDIT_C3_FRACTION);
  }

  /**
   * Returns a policy that only regenerates (HQ-Edit edit split, UltraEdit).
   *
   * @return the policy
   */
  public static SourcePolicy regenerateOnly() {
    return new SourcePolicy(Recipe.REGENERATE, 0, 0);
  }

  /**
   * Returns the HQ-Edit generate split's policy: a new input from text, then the edit.
   *
   * @return the policy
   */
  public static SourcePolicy generate() {
    return new SourcePolicy(Recipe.GENERATE, 0, 0);
  }

  /**
   * Returns the paper's policy for a source dataset: {@link #omniEdit()} for {@code omniedit}, {@link #generate()}
   * for {@code hqedit} (its generate split), {@link #regenerateOnly()} for any other dataset.
   *
   * @param dataset the source dataset's name
   * @return the policy
   */
  public static SourcePolicy forDataset(String dataset) {
    return switch (requireNonNull(dataset, "dataset")) {
      case "omniedit" -> omniEdit();
      case "hqedit" -> generate();
      default -> regenerateOnly();
    };
  }
}
