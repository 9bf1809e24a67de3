package io.gptedit.eval.judge;

import static java.util.Objects.requireNonNull;

import io.gptedit.core.image.RgbImage;
import io.gptedit.eval.Benchmark;
import io.gptedit.eval.bench.BenchSample;
import io.gptedit.eval.score.MetricScores;
import io.gptedit.eval.score.SampleFailure;
import java.util.Map;

/**
 * The "judge" of a {@link Benchmark#LOCAL} benchmark: a {@link SampleScorer}'s local metrics in place of an LLM. A
 * scorer that throws on a sample turns it into a counted failure, as an unparseable judge reply does.
 *
 * @since 0.1
 */
public final class MetricJudge implements Judge<MetricScores> {
  private final SampleScorer scorer;

  /**
   * Wraps a scorer.
   *
   * @param scorer the local metrics
   */
  public MetricJudge(SampleScorer scorer) {
    this.scorer = requireNonNull(scorer, "scorer");
  }

  @Override
  public Judgement<MetricScores> judge(BenchSample sample, RgbImage source, RgbImage edited) {
    try {
      Map<String, Double> values = scorer.score(sample, source, edited);
      return new Judgement.Scored<>(new MetricScores(sample.key(), sample.category(), values));
    } catch (RuntimeException e) {
      return new Judgement.Failed<>(
          new SampleFailure(
              sample.key(), sample.category(), sample.tags(), SampleFailure.Stage.JUDGE,
              "local metrics failed: " + e.getMessage(), 1));
    }
  }

  @Override
  public Benchmark benchmark() {
    return Benchmark.LOCAL;
  }

  @Override
  public String model() {
    return "local metrics";
  }

  @Override
  public String promptHash() {
    return scorer.id();
  }
}
