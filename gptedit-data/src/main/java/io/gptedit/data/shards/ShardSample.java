package io.gptedit.data.shards;

import static java.util.Objects.requireNonNull;

import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.metadata.SampleMetadata;
import io.gptedit.core.triplet.EditTriplet;

/**
 * A sample read from a shard: the key, both images as PNG bytes and the verified metadata.
 *
 * @param shard the shard file name
 * @param key the WebDataset key
 * @param inputPng the input image's PNG bytes
 * @param editedPng the edited image's PNG bytes
 * @param metadata the metadata, validated against the schema
 * @since 0.1
 */
public record ShardSample(String shard, String key, byte[] inputPng, byte[] editedPng, SampleMetadata metadata) {
  /** Validates the sample. */
  public ShardSample {
    requireNonNull(shard, "shard");
    requireNonNull(key, "key");
    requireNonNull(inputPng, "inputPng");
    requireNonNull(editedPng, "editedPng");
    requireNonNull(metadata, "metadata");
  }

  /**
   * Decodes the input image.
   *
   * @return the image
   */
  public RgbImage input() {
    return ImageCodec.decode(inputPng, shard + ":" + key + ShardWriter.INPUT_SUFFIX);
  }

  /**
   * Decodes the edited image.
   *
   * @return the image
   */
  public RgbImage edited() {
    return ImageCodec.decode(editedPng, shard + ":" + key + ShardWriter.EDITED_SUFFIX);
  }

  /**
   * Decodes the sample into a triplet.
   *
   * @return the triplet
   */
  public EditTriplet toTriplet() {
    return new EditTriplet(key, input(), metadata.instruction(), edited(), metadata);
  }
}
