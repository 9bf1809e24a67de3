/**
 * Lazy sources of edit triplets ({@link io.gptedit.data.sources.TripletSource}): a plain folder, a Hugging Face
 * parquet shard (DuckDB) and the GPT-Image-Edit-1.5M release; undeliverable samples are skipped and reported as
 * {@link io.gptedit.data.sources.SourceProblem}s.
 *
 * @since 0.1
 */
package io.gptedit.data.sources;
