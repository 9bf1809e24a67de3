package io.gptedit.eval.judge;

import io.gptedit.core.image.RgbImage;
import io.gptedit.eval.Benchmark;
import io.gptedit.eval.bench.BenchSample;

/**
 * Scores one benchmark's outputs with a chat model. Implementations are safe to call from several threads.
 *
 * @param <S> the benchmark's per-sample score type
 * @since 0.1
 */
public interface Judge<S> {
  /**
   * Judges one sample.
   *
   * @param sample the sample (its original instruction is what the judge sees, even when the editor was given a
   *     rewritten one)
   * @param source the input image
   * @param edited the editor's output
   * @return the scores, or a counted failure
   */
  Judgement<S> judge(BenchSample sample, RgbImage source, RgbImage edited);

  /**
   * Returns the benchmark this judge scores.
   *
   * @return the benchmark
   */
  Benchmark benchmark();

  /**
   * Returns the judge model, for reports.
   *
   * @return the model name
   */
  String model();

  /**
   * Returns the hash of the prompt set, for reports.
   *
   * @return the prompt hash
   */
  String promptHash();
}
