/**
 * Per-sample scores and the official aggregation formulas of each benchmark.
 *
 * <p>{@link io.gptedit.eval.score.Aggregation} turns per-sample scores into per-category and overall figures
 * exactly as the official statistics scripts do; samples whose judging failed are excluded from every mean and
 * counted in the {@link io.gptedit.eval.score.BenchmarkResult}, never replaced by a score.
 */
package io.gptedit.eval.score;
