package io.gptedit.eval.score;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import java.util.Collections;
import java.util.List;

/**
 * One GEdit sample's VIEScore judgement: the judge's semantic list (edit success, over-editing) and its quality
 * list (naturalness, artifacts), each on 0 to 10.
 *
 * @param key the sample key
 * @param taskType the task type
 * @param language {@code en} or {@code cn}
 * @param intersection whether the sample belongs to the intersection subset
 * @param semanticScores the semantic-consistency scores, at least one
 * @param qualityScores the perceptual-quality scores, at least one
 * @since 0.1
 */
public record GEditSampleScore(
    String key,
    String taskType,
    String language,
    boolean intersection,
    List<Double> semanticScores,
    List<Double> qualityScores) {
  /** Validates the scores. */
  public GEditSampleScore {
    requireNonNull(key, "key");
    requireNonNull(taskType, "taskType");
    requireNonNull(language, "language");
    semanticScores = ImmutableList.copyOf(requireNonNull(semanticScores, "semanticScores"));
    qualityScores = ImmutableList.copyOf(requireNonNull(qualityScores, "qualityScores"));
    checkArgument(!semanticScores.isEmpty(), "sample %s: empty semantic score list", key);
    checkArgument(!qualityScores.isEmpty(), "sample %s: empty quality score list", key);
    for (double v : semanticScores) {
      checkArgument(Double.isFinite(v) && v >= 0, "sample %s: bad semantic score %s", key, v);
    }
    for (double v : qualityScores) {
      checkArgument(Double.isFinite(v) && v >= 0, "sample %s: bad quality score %s", key, v);
    }
  }

  /**
   * Returns SC, the minimum of the semantic list.
   *
   * @return the semantic-consistency score
   */
  public double sc() {
    return Collections.min(semanticScores);
  }

  /**
   * Returns PQ, the minimum of the quality list.
   *
   * @return the perceptual-quality score
   */
  public double pq() {
    return Collections.min(qualityScores);
  }

  /**
   * Returns O, {@code sqrt(SC * PQ)}.
   *
   * @return the overall score
   */
  public double overall() {
    return Math.sqrt(sc() * pq());
  }
}
