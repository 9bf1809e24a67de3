package io.gptedit.eval.judge;

import static java.util.Objects.requireNonNull;

import io.gptedit.eval.score.SampleFailure;

/**
 * A judge's verdict on one sample: its scores, or a counted failure.
 *
 * @param <S> the benchmark's per-sample score type
 * @since 0.1
 */
public sealed interface Judgement<S> permits Judgement.Scored, Judgement.Failed {
  /**
   * A scored sample.
   *
   * @param score the scores
   * @param <S> the score type
   */
  record Scored<S>(S score) implements Judgement<S> {
    /** Validates the verdict. */
    public Scored {
      requireNonNull(score, "score");
    }
  }

  /**
   * A sample the judge could not score.
   *
   * @param failure why, and after how many attempts
   * @param <S> the score type
   */
  record Failed<S>(SampleFailure failure) implements Judgement<S> {
    /** Validates the verdict. */
    public Failed {
      requireNonNull(failure, "failure");
    }
  }
}
