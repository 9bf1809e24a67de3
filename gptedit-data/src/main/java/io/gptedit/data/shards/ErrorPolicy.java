package io.gptedit.data.shards;

/**
 * What a reader does when a sample is corrupt, truncated or incomplete.
 *
 * @since 0.1
 */
public enum ErrorPolicy {
  /** Throw a {@link ShardException} naming shard, key and member. */
  STOP,
  /** Record a {@link ShardError}, skip the sample and go on (a truncated shard ends there). */
  CONTINUE
}
