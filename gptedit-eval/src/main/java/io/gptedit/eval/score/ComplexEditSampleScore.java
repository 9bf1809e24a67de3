package io.gptedit.eval.score;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import java.util.List;

/**
 * One Complex-Edit sample's judgement: the n judge runs of instruction following (IF), identity preservation
 * (IP) and perceptual quality (PQ), each an integer 0 to 10.
 *
 * @param key the sample key (the zero-padded row index)
 * @param instructionFollowing the IF value of each run
 * @param identityPreservation the IP value of each run
 * @param perceptualQuality the PQ value of each run
 * @since 0.1
 */
public record ComplexEditSampleScore(
    String key,
    List<Double> instructionFollowing,
    List<Double> identityPreservation,
    List<Double> perceptualQuality) {
  /** Validates the runs. */
  public ComplexEditSampleScore {
    requireNonNull(key, "key");
    instructionFollowing = ImmutableList.copyOf(requireNonNull(instructionFollowing, "instructionFollowing"));
    identityPreservation = ImmutableList.copyOf(requireNonNull(identityPreservation, "identityPreservation"));
    perceptualQuality = ImmutableList.copyOf(requireNonNull(perceptualQuality, "perceptualQuality"));
    checkArgument(
        !instructionFollowing.isEmpty() && !identityPreservation.isEmpty() && !perceptualQuality.isEmpty(),
        "sample %s: every measure needs at least one run",
        key);
  }

  /**
   * Returns IF, the mean over runs.
   *
   * @return the instruction-following score
   */
  public double ifScore() {
    return Stats.mean(instructionFollowing);
  }

  /**
   * Returns IP, the mean over runs.
   *
   * @return the identity-preservation score
   */
  public double ipScore() {
    return Stats.mean(identityPreservation);
  }

  /**
   * Returns PQ, the mean over runs.
   *
   * @return the perceptual-quality score
   */
  public double pqScore() {
    return Stats.mean(perceptualQuality);
  }

  /**
   * Returns the sample's overall score, {@code (IF + IP + PQ) / 3}.
   *
   * @return the overall score
   */
  public double overall() {
    return (ifScore() + ipScore() + pqScore()) / 3.0;
  }
}
