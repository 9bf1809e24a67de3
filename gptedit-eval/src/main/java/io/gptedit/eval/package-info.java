/**
 * Benchmarks as the field scores them: GEdit-Bench, ImgEdit Basic, Complex-Edit and OmniContext SINGLE.
 *
 * <p>The flow is {@code bench} (load samples from local files) {@code -> run} (feed them to any
 * {@link io.gptedit.core.editor.ImageEditor}, write outputs in the official layout) {@code -> judge} (score outputs with
 * an LLM over {@link io.gptedit.core.remote.ChatService}) {@code -> score} (the official aggregation formulas)
 * {@code -> report} (Markdown, CSV and JSON beside the paper's rows). {@code BenchmarkRunner}
 * wires the whole flow; {@code gptedit-testkit}'s {@code MiniBenchmarkDemo} runs it offline on a generated
 * mini-benchmark.
 */
package io.gptedit.eval;
