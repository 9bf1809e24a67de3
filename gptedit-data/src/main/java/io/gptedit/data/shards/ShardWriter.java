package io.gptedit.data.shards;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.metadata.MetadataCodec;
import io.gptedit.core.metadata.SampleId;
import io.gptedit.core.triplet.EditTriplet;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes WebDataset tar shards.
 *
 * <p><b>Layout.</b> Each sample is three adjacent members, always in this order: {@code <key>.input.png},
 * {@code <key>.edited.png}, {@code <key>.json} (the {@link MetadataCodec} JSON). Keys are sample ids
 * ({@link SampleId}): no dots, so WebDataset's "key is everything before the first dot of the file
 * name" rule recovers them; a {@code /} in a key is kept and becomes a folder inside the tar, which WebDataset
 * also treats as part of the key. A key may appear only once per writer.
 *
 * <p><b>Determinism.</b> Every header has mtime 0, uid and gid 0, no user or group name and mode {@code 0644};
 * PNGs come from the SDK's deterministic encoder and the JSON from the deterministic codec. Names over 100 bytes
 * use POSIX pax headers. The same samples in the same order give byte-identical shards.
 *
 * <p><b>Rolling and commit.</b> A shard holds at most {@code maxSamples} samples and, unless it holds a single
 * sample, at most {@code maxBytes} bytes. It is written as {@code <name>.tar.tmp}; when full (or on
 * {@link #close()}) the tar is finished and forced to disk, the sidecar index {@code <name>.index.jsonl} (one
 * {@code {"key": ..., "offset": ...}} line per sample, the byte offset of its first header) is written and
 * renamed into place, and then the tar is renamed to {@code <name>.tar}. The tar rename is the commit point: a
 * {@code .tar} file is always complete. Shards are named {@code <prefix>-<6-digit number>.tar}, numbered from
 * {@code firstNumber}.
 *
 * @since 0.1
 */
public final class ShardWriter implements AutoCloseable {
  /** The input member's suffix. */
  public static final String INPUT_SUFFIX = ".input.png";
  /** The edited member's suffix. */
  public static final String EDITED_SUFFIX = ".edited.png";
  /** The metadata member's suffix. */
  public static final String JSON_SUFFIX = ".json";
  /** The sidecar index's suffix (after the shard name without {@code .tar}). */
  public static final String INDEX_SUFFIX = ".index.jsonl";
  /** The suffix of a shard being written. */
  public static final String TMP_SUFFIX = ".tar.tmp";

  private static final int TAR_BLOCK = 512;
  private static final int FILE_MODE = 0100644;

  private final Path dir;
  private final String prefix;
  private final int maxSamples;
  private final long maxBytes;
  private final int pngLevel;
  private final Consumer<CompletedShard> onComplete;
  private final List<CompletedShard> completed = new ArrayList<>();
  private final java.util.Set<String> seenKeys = new java.util.HashSet<>();

  private int nextNumber;
  private Path tmp;
  private Path finalPath;
  private TarArchiveOutputStream tar;
  private final List<String> keys = new ArrayList<>();
  private final StringBuilder index = new StringBuilder();
  private long shardBytes;
  private boolean closed;

  private ShardWriter(Builder b) {
    this.dir = b.dir;
    this.prefix = b.prefix;
    this.maxSamples = b.maxSamples;
    this.maxBytes = b.maxBytes;
    this.pngLevel = b.pngLevel;
    this.onComplete = b.onComplete;
    this.nextNumber = b.firstNumber;
  }

  /**
   * Returns a builder.
   *
   * @param dir the output folder (created if missing)
   * @param prefix the shard name prefix: letters, digits, {@code _} and {@code -}
   * @return a builder with 1,000 samples and 1 GiB per shard, PNG level {@value ImageCodec#DEFAULT_PNG_LEVEL}
   */
  public static Builder builder(Path dir, String prefix) {
    return new Builder(dir, prefix);
  }

  /**
   * Returns the file name of shard {@code number}.
   *
   * @param prefix the prefix
   * @param number the number
   * @return such as {@code train-000003.tar}
   */
  public static String shardName(String prefix, int number) {
    return String.format(Locale.ROOT, "%s-%06d.tar", prefix, number);
  }

  /**
   * Returns the index file that belongs to a shard file.
   *
   * @param shard the shard
   * @return the sidecar index next to it
   */
  public static Path indexFor(Path shard) {
    String n = shard.getFileName().toString();
    String stem = n.endsWith(".tar") ? n.substring(0, n.length() - 4) : n;
    return shard.resolveSibling(stem + INDEX_SUFFIX);
  }

  /**
   * Encodes and writes one triplet.
   *
   * @param triplet the triplet; its id is the key
   * @return where the sample went
   * @throws IllegalArgumentException if the key was already written by this writer
   * @throws UncheckedIOException if the file cannot be written
   */
  public ShardLocation write(EditTriplet triplet) {
    requireNonNull(triplet, "triplet");
    return writeEncoded(
        triplet.id(),
        ImageCodec.encodePng(triplet.input(), pngLevel),
        ImageCodec.encodePng(triplet.edited(), pngLevel),
        MetadataCodec.toJsonBytes(triplet.metadata()));
  }

  /**
   * Writes one sample whose members are already encoded.
   *
   * @param key the sample key
   * @param inputPng the input PNG
   * @param editedPng the edited PNG
   * @param json the metadata JSON
   * @return where the sample went
   */
  public ShardLocation writeEncoded(String key, byte[] inputPng, byte[] editedPng, byte[] json) {
    checkState(!closed, "writer is closed");
    SampleId.check(key);
    checkArgument(seenKeys.add(key), "key '%s' was already written", key);
    long size = memberSize(key + INPUT_SUFFIX, inputPng.length)
        + memberSize(key + EDITED_SUFFIX, editedPng.length)
        + memberSize(key + JSON_SUFFIX, json.length);
    try {
      if (tar != null && (keys.size() >= maxSamples || shardBytes + size > maxBytes)) {
        finishShard();
      }
      if (tar == null) {
        openShard();
      }
      long offset = tar.getBytesWritten();
      putMember(key + INPUT_SUFFIX, inputPng);
      putMember(key + EDITED_SUFFIX, editedPng);
      putMember(key + JSON_SUFFIX, json);
      shardBytes = tar.getBytesWritten();
      keys.add(key);
      index.append("{\"key\":\"").append(key).append("\",\"offset\":").append(offset).append("}\n");
      return new ShardLocation(finalPath.getFileName().toString(), key, offset);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write sample '" + key + "' to " + tmp, e);
    }
  }

  private static long memberSize(String name, long length) {
    long header = name.getBytes(StandardCharsets.UTF_8).length > 100 ? 3L * TAR_BLOCK : TAR_BLOCK;
    return header + (length + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
  }

  private void openShard() throws IOException {
    Files.createDirectories(dir);
    String name = shardName(prefix, nextNumber++);
    finalPath = dir.resolve(name);
    tmp = dir.resolve(name.substring(0, name.length() - 4) + TMP_SUFFIX);
    OutputStream out = new BufferedOutputStream(
        Files.newOutputStream(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE),
        1 << 16);
    tar = new TarArchiveOutputStream(out, StandardCharsets.UTF_8.name());
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    keys.clear();
    index.setLength(0);
    shardBytes = 0;
  }

  private void putMember(String name, byte[] data) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name, true);
    e.setModTime(0L);
    e.setUserId(0);
    e.setGroupId(0);
    e.setUserName("");
    e.setGroupName("");
    e.setMode(FILE_MODE);
    e.setSize(data.length);
    tar.putArchiveEntry(e);
    tar.write(data, 0, data.length);
    tar.closeArchiveEntry();
  }

  private void finishShard() throws IOException {
    tar.finish();
    tar.close();
    tar = null;
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Path idx = indexFor(finalPath);
    Path idxTmp = idx.resolveSibling(idx.getFileName() + ".tmp");
    Files.write(idxTmp, index.toString().getBytes(StandardCharsets.UTF_8));
    try (FileChannel ch = FileChannel.open(idxTmp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(idxTmp, idx, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    long bytes = Files.size(tmp);
    Files.move(tmp, finalPath, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    CompletedShard done = new CompletedShard(finalPath, idx, keys, bytes);
    completed.add(done);
    keys.clear();
    onComplete.accept(done);
  }

  /**
   * Finishes the current shard now, even if it is not full (no-op when it is empty).
   *
   * @throws UncheckedIOException if it cannot be finished
   */
  public void flush() {
    checkState(!closed, "writer is closed");
    if (tar != null) {
      try {
        finishShard();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot finish shard " + tmp, e);
      }
    }
  }

  /**
   * Returns the shards completed so far.
   *
   * @return the shards, in order
   */
  public List<CompletedShard> completed() {
    return List.copyOf(completed);
  }

  /**
   * Returns the number the next shard will get.
   *
   * @return the next shard number
   */
  public int nextNumber() {
    return nextNumber;
  }

  /**
   * Finishes and commits the current shard.
   *
   * @throws UncheckedIOException if it cannot be finished
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    flush();
    closed = true;
  }

  /**
   * Stops without committing the current shard: its temporary file is deleted. For a failing pipeline that must
   * not publish a partial shard.
   */
  public void abort() {
    if (closed) {
      return;
    }
    closed = true;
    if (tar != null) {
      try {
        tar.close();
      } catch (IOException | RuntimeException ignored) {
        // the partial file is deleted next; a close failure changes nothing
      }
      tar = null;
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete partial shard " + tmp, e);
      }
    }
  }

  /** Builds a {@link ShardWriter}. */
  public static final class Builder {
    private final Path dir;
    private final String prefix;
    private int maxSamples = 1000;
    private long maxBytes = 1L << 30;
    private int pngLevel = ImageCodec.DEFAULT_PNG_LEVEL;
    private int firstNumber = 0;
    private Consumer<CompletedShard> onComplete = s -> { };

    private Builder(Path dir, String prefix) {
      this.dir = requireNonNull(dir, "dir");
      requireNonNull(prefix, "prefix");
      checkArgument(prefix.matches("[A-Za-z0-9_-]+"), "shard prefix must be letters, digits, _ or -, got '%s'", prefix);
      this.prefix = prefix;
    }

    /**
     * Sets the most samples per shard.
     *
     * @param n at least 1
     * @return this builder
     */
    public Builder optMaxSamples(int n) {
      checkArgument(n >= 1, "maxSamples must be >= 1, got %s", n);
      this.maxSamples = n;
      return this;
    }

    /**
     * Sets the most bytes per shard (a single larger sample still gets a shard of its own).
     *
     * @param n at least 1024
     * @return this builder
     */
    public Builder optMaxBytes(long n) {
      checkArgument(n >= 1024, "maxBytes must be >= 1024, got %s", n);
      this.maxBytes = n;
      return this;
    }

    /**
     * Sets the PNG zlib level for {@link ShardWriter#write(EditTriplet)}.
     *
     * @param level 0 to 9
     * @return this builder
     */
    public Builder optPngLevel(int level) {
      checkArgument(level >= 0 && level <= 9, "pngLevel must be 0..9, got %s", level);
      this.pngLevel = level;
      return this;
    }

    /**
     * Sets the first shard's number.
     *
     * @param n at least 0
     * @return this builder
     */
    public Builder optFirstNumber(int n) {
      checkArgument(n >= 0, "firstNumber must be >= 0, got %s", n);
      this.firstNumber = n;
      return this;
    }

    /**
     * Sets a callback run after each shard is committed (renamed), on the writing thread.
     *
     * @param callback the callback
     * @return this builder
     */
    public Builder optOnComplete(Consumer<CompletedShard> callback) {
      this.onComplete = requireNonNull(callback, "callback");
      return this;
    }

    /**
     * Builds the writer; nothing is created on disk until the first sample.
     *
     * @return the writer
     */
    public ShardWriter build() {
      return new ShardWriter(this);
    }
  }
}
