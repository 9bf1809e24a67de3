package io.gptedit.eval.score;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import java.util.List;

/**
 * One ImgEdit sample's judgement: the family rubric's sub-scores (1 to 5).
 *
 * @param key the sample key in {@code basic_edit.json}
 * @param family the edit family ({@code adjust} also for the older {@code alter})
 * @param subScores the parsed sub-scores in rubric order, at least one
 * @since 0.1
 */
public record ImgEditSampleScore(String key, String family, List<Double> subScores) {
  /** Validates the scores. */
  public ImgEditSampleScore {
    requireNonNull(key, "key");
    requireNonNull(family, "family");
    subScores = ImmutableList.copyOf(requireNonNull(subScores, "subScores"));
    checkArgument(!subScores.isEmpty(), "sample %s: no sub-scores", key);
    for (double v : subScores) {
      checkArgument(Double.isFinite(v) && v >= 0, "sample %s: bad sub-score %s", key, v);
    }
  }

  /**
   * Returns the sample score, the mean of the sub-scores rounded to 2 places as Python's {@code round} does
   * ({@link Stats#roundLikePython}), like the official script.
   *
   * @return the score
   */
  public double score() {
    return Stats.roundLikePython(Stats.mean(subScores), 2);
  }
}
