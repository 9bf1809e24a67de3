package io.gptedit.eval.judge;

import io.gptedit.core.image.RgbImage;
import io.gptedit.eval.bench.BenchSample;
import java.util.List;
import java.util.Map;

/**
 * Scores one edited sample with local metrics instead of an LLM (through {@link MetricJudge}): the {@link
 * io.gptedit.eval.Benchmark#LOCAL} benchmarks
 * (such as the edit lab's held-out set with the synthetic world's exact scores). Implementations must be safe to
 * call from several threads.
 *
 * @since 0.1
 */
public interface SampleScorer {
  /**
   * Returns the metric names, in report order.
   *
   * @return the names
   */
  List<String> metrics();

  /**
   * Returns an identity of the scorer (its metrics and their settings), for reports.
   *
   * @return the identity
   */
  String id();

  /**
   * Scores one output.
   *
   * @param sample the sample
   * @param input the input image
   * @param output the editor's output
   * @return a value per metric; a metric that does not apply to the sample (for example an edit type's success on
   *     another type) is absent, and the means skip it
   */
  Map<String, Double> score(BenchSample sample, RgbImage input, RgbImage output);
}
