package io.gptedit.data.shards;

import static java.util.Objects.requireNonNull;

import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.metadata.SampleMetadata;
import io.gptedit.core.triplet.EditTriplet;
import java.util.Arrays;
import java.util.Objects;

/**
 * A sample read from a shard: the key, both images as PNG bytes and the verified metadata.
 *
 * <p>When the reader decoded the images to verify them ({@link ShardReader#openDirectory}, or {@code decodeImages}
 * true), the sample keeps the decoded images, so {@link #input()}, {@link #edited()} and {@link #toTriplet()} do not
 * decode the PNGs a second time; otherwise they decode on first use and keep the result. Immutable and thread-safe
 * (a race decodes twice and keeps either result, which are equal).
 *
 * @since 0.1
 */
public final class ShardSample {
  private final String shard;
  private final String key;
  private final byte[] inputPng;
  private final byte[] editedPng;
  private final SampleMetadata metadata;
  private volatile RgbImage input;
  private volatile RgbImage edited;

  /**
   * Creates a sample whose images are decoded on first use.
   *
   * @param shard the shard file name
   * @param key the WebDataset key
   * @param inputPng the input image's PNG bytes
   * @param editedPng the edited image's PNG bytes
   * @param metadata the metadata, validated against the schema
   */
  public ShardSample(String shard, String key, byte[] inputPng, byte[] editedPng, SampleMetadata metadata) {
    this(shard, key, inputPng, editedPng, metadata, null, null);
  }

  /** A sample with images the reader already decoded (either may be null: decoded on first use). */
  ShardSample(String shard, String key, byte[] inputPng, byte[] editedPng, SampleMetadata metadata, RgbImage input,
      RgbImage edited) {
    this.shard = requireNonNull(shard, "shard");
    this.key = requireNonNull(key, "key");
    this.inputPng = requireNonNull(inputPng, "inputPng");
    this.editedPng = requireNonNull(editedPng, "editedPng");
    this.metadata = requireNonNull(metadata, "metadata");
    this.input = input;
    this.edited = edited;
  }

  /**
   * Returns the shard file name.
   *
   * @return the shard
   */
  public String shard() {
    return shard;
  }

  /**
   * Returns the WebDataset key.
   *
   * @return the key
   */
  public String key() {
    return key;
  }

  /**
   * Returns the input image's PNG bytes (the array itself: do not modify it).
   *
   * @return the bytes
   */
  public byte[] inputPng() {
    return inputPng;
  }

  /**
   * Returns the edited image's PNG bytes (the array itself: do not modify it).
   *
   * @return the bytes
   */
  public byte[] editedPng() {
    return editedPng;
  }

  /**
   * Returns the metadata.
   *
   * @return the metadata
   */
  public SampleMetadata metadata() {
    return metadata;
  }

  /**
   * Returns the input image, decoded once.
   *
   * @return the image
   */
  public RgbImage input() {
    RgbImage image = input;
    if (image == null) {
      image = ImageCodec.decode(inputPng, shard + ":" + key + ShardWriter.INPUT_SUFFIX);
      input = image;
    }
    return image;
  }

  /**
   * Returns the edited image, decoded once.
   *
   * @return the image
   */
  public RgbImage edited() {
    RgbImage image = edited;
    if (image == null) {
      image = ImageCodec.decode(editedPng, shard + ":" + key + ShardWriter.EDITED_SUFFIX);
      edited = image;
    }
    return image;
  }

  /**
   * Returns the sample as a triplet.
   *
   * @return the triplet
   */
  public EditTriplet toTriplet() {
    return new EditTriplet(key, input(), metadata.instruction(), edited(), metadata);
  }

  /** Equal when shard, key, metadata and both PNGs' bytes are equal. */
  @Override
  public boolean equals(Object o) {
    return o instanceof ShardSample s
        && shard.equals(s.shard)
        && key.equals(s.key)
        && metadata.equals(s.metadata)
        && Arrays.equals(inputPng, s.inputPng)
        && Arrays.equals(editedPng, s.editedPng);
  }

  @Override
  public int hashCode() {
    return Objects.hash(shard, key, metadata, Arrays.hashCode(inputPng), Arrays.hashCode(editedPng));
  }

  @Override
  public String toString() {
    return "ShardSample[" + shard + ":" + key + ", " + inputPng.length + " + " + editedPng.length + " PNG bytes]";
  }
}
