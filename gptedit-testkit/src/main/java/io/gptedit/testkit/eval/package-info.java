/**
 * Offline evaluation: generated mini-benchmarks in the official layouts
 * ({@link io.gptedit.testkit.eval.MiniBenchmarks}), a scripted judge ({@link io.gptedit.testkit.eval.ScriptedJudgeChat})
 * and {@link io.gptedit.testkit.eval.MiniBenchmarkDemo}, which runs a benchmark end to end with them.
 */
package io.gptedit.testkit.eval;
