/**
 * Benchmark samples loaded from local files, and the official output layouts.
 *
 * <p>Each loader validates every row and names the file and row of anything wrong: a missing field, an unknown
 * task type, an input image that does not exist.
 */
package io.gptedit.eval.bench;
