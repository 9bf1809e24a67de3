/**
 * Runs an {@link io.gptedit.core.editor.ImageEditor} over a benchmark: bounded concurrency, outputs in the official
 * layout, resume by skipping outputs that exist, progress through a listener, optional rewritten instructions.
 */
package io.gptedit.eval.run;
