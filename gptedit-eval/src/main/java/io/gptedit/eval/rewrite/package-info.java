/**
 * The paper's inference-time "thinking rewrite": a chat model turns a short instruction and the input image into
 * an {input, edit, output} specification, and only {@code edit} replaces the instruction. Results that used it
 * carry a dagger in every report.
 */
package io.gptedit.eval.rewrite;
