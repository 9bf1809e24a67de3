/**
 * WebDataset tar shards of edit triplets: {@link io.gptedit.data.shards.ShardWriter} (atomic, with sidecar indexes),
 * {@link io.gptedit.data.shards.ShardReader} (streaming, one sample in memory, an {@link
 * io.gptedit.data.shards.ErrorPolicy} for corrupt samples) and random access by key ({@link
 * io.gptedit.data.shards.ShardIndex}).
 *
 * @since 0.1
 */
package io.gptedit.data.shards;
