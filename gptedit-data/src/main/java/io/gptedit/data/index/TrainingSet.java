package io.gptedit.data.index;

import static java.util.Objects.requireNonNull;

import io.gptedit.core.geometry.AspectPreset;
import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.shards.ErrorPolicy;
import io.gptedit.data.shards.ShardIndex;
import io.gptedit.data.shards.ShardReader;
import io.gptedit.data.shards.ShardSample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A shard folder's samples as a fine-tuning run draws them: the {@link TrainingBatches} of its {@link
 * DatasetIndex} decide each step's keys and aspect bucket, and the samples are read from the shards, by offset
 * (the sidecar index) or from memory after {@link #preload()}. Step {@code s}'s batch is a pure function of the seed
 * and {@code s}, so a resumed run draws the same batches.
 *
 * @since 0.1
 */
public final class TrainingSet {
  private final Path dir;
  private final TrainingBatches batches;
  private final ShardIndex shards;
  private Map<String, EditTriplet> loaded;

  /**
   * Creates the set.
   *
   * @param dir the shard folder the index catalogues
   * @param batches the batches drawn from that index
   */
  public TrainingSet(Path dir, TrainingBatches batches) {
    this.dir = requireNonNull(dir, "dir");
    this.batches = requireNonNull(batches, "batches");
    this.shards = ShardIndex.load(dir);
  }

  /**
   * Reads every sample into memory once (for data sets that fit, such as the edit lab's), so steps do not read
   * the shards again.
   *
   * @return this set
   */
  public TrainingSet preload() {
    Map<String, EditTriplet> all = new HashMap<>();
    try (ShardReader reader = ShardReader.open(ShardReader.listShards(dir), ErrorPolicy.STOP, false)) {
      while (reader.hasNext()) {
        ShardSample s = reader.next();
        all.put(s.key(), s.toTriplet());
      }
    }
    this.loaded = all;
    return this;
  }

  /**
   * Returns the batch source.
   *
   * @return the batches
   */
  public TrainingBatches batches() {
    return batches;
  }

  /**
   * Returns a step's aspect bucket.
   *
   * @param step the 0-based step
   * @return the preset every sample of the step's batch has
   */
  public AspectPreset bucket(long step) {
    return batches.bucket(step);
  }

  /**
   * Returns a step's samples, in draw order.
   *
   * @param step the 0-based step
   * @return the triplets
   * @throws io.gptedit.data.shards.ShardException if a sample cannot be read
   */
  public List<EditTriplet> batch(long step) {
    List<DatasetIndex.Entry> entries = batches.batch(step);
    List<EditTriplet> out = new ArrayList<>(entries.size());
    for (DatasetIndex.Entry e : entries) {
      out.add(sample(e.key()));
    }
    return out;
  }

  /**
   * Returns one sample by key.
   *
   * @param key the key
   * @return the triplet
   * @throws io.gptedit.data.shards.ShardException if the key is not in the shards or cannot be read
   */
  public EditTriplet sample(String key) {
    if (loaded != null) {
      EditTriplet t = loaded.get(key);
      if (t == null) {
        throw new io.gptedit.data.shards.ShardException("key '" + key + "' is not in " + dir, null);
      }
      return t;
    }
    return shards.fetch(dir, key).toTriplet();
  }
}
