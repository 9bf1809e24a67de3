package io.gptedit.data.shards;

import static java.util.Objects.requireNonNull;

/**
 * One problem found while reading a shard.
 *
 * @param shard the shard file name
 * @param key the sample key, or {@code "?"} when no member could be read
 * @param member the member name (such as {@code key.edited.png}), or {@code "-"} when the problem is not one
 *     member's
 * @param problem what is wrong
 * @since 0.1
 */
public record ShardError(String shard, String key, String member, String problem) {
  /** Validates the error. */
  public ShardError {
    requireNonNull(shard, "shard");
    requireNonNull(key, "key");
    requireNonNull(member, "member");
    requireNonNull(problem, "problem");
  }

  @Override
  public String toString() {
    return "shard " + shard + ", sample '" + key + "', member " + member + ": " + problem;
  }
}
