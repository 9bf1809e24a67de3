/**
 * The dataset catalog over a shard folder ({@link io.gptedit.data.index.DatasetIndex}, DuckDB) and what fine-tuning
 * draws from it: {@link io.gptedit.data.index.TrainingSet} and its aspect-bucketed {@link
 * io.gptedit.data.index.TrainingBatches}.
 *
 * @since 0.1
 */
package io.gptedit.data.index;
