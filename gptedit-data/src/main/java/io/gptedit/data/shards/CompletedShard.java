package io.gptedit.data.shards;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import java.nio.file.Path;
import java.util.List;

/**
 * A shard that was finished and renamed to its final name.
 *
 * @param path the final shard file
 * @param index the sidecar index file
 * @param keys the sample keys, in order
 * @param bytes the shard's size in bytes
 * @since 0.1
 */
public record CompletedShard(Path path, Path index, List<String> keys, long bytes) {
  /** Validates and freezes. */
  public CompletedShard {
    requireNonNull(path, "path");
    requireNonNull(index, "index");
    keys = ImmutableList.copyOf(keys);
  }

  /**
   * Returns the shard's file name.
   *
   * @return such as {@code train-000003.tar}
   */
  public String name() {
    return path.getFileName().toString();
  }
}
