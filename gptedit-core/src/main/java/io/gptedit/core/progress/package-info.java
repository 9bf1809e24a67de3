/**
 * Progress for long work: {@link io.gptedit.core.progress.ProgressLine}, a periodic line with done/total, rate and a
 * stable ETA, fed by the listeners of curation, editing and benchmark runs.
 *
 * @since 0.1
 */
package io.gptedit.core.progress;
