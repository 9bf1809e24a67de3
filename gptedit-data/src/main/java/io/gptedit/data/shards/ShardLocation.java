package io.gptedit.data.shards;

import static java.util.Objects.requireNonNull;

/**
 * Where a sample lives: its shard's file name and the byte offset of its first member's header.
 *
 * @param shard the shard file name, such as {@code train-000003.tar}
 * @param key the sample key
 * @param offset the byte offset in the shard
 * @since 0.1
 */
public record ShardLocation(String shard, String key, long offset) {
  /** Validates the location. */
  public ShardLocation {
    requireNonNull(shard, "shard");
    requireNonNull(key, "key");
    if (offset < 0 || offset % 512 != 0) {
      throw new IllegalArgumentException("offset must be a non-negative multiple of 512, got " + offset);
    }
  }
}
