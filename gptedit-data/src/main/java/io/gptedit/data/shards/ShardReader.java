package io.gptedit.data.shards;

import static java.util.Objects.requireNonNull;

import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.ImageDecodeException;
import io.gptedit.core.metadata.MetadataCodec;
import io.gptedit.core.metadata.MetadataException;
import io.gptedit.core.metadata.SampleMetadata;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Streams the samples of one or more shards in order, holding one sample in memory at a time.
 *
 * <p>Each sample is verified: all three members present (adjacent, as {@link ShardWriter} writes them), the
 * metadata parsed strictly by {@link MetadataCodec} with its id equal to the key, and (unless disabled) both PNGs
 * decoded. A problem is reported as a {@link ShardError} naming the shard, the key and the member; under
 * {@link ErrorPolicy#STOP} it is thrown as a {@link ShardException}, under {@link ErrorPolicy#CONTINUE} it is
 * recorded in {@link #errors()} and the sample skipped. A truncated tar cannot be read past the damage: the rest
 * of that shard is reported as one error and reading goes on with the next shard.
 */
public final class ShardReader implements AutoCloseable, Iterator<ShardSample> {
  private final List<Path> shards;
  private final ErrorPolicy policy;
  private final boolean decodeImages;
  private final List<ShardError> errors = new ArrayList<>();

  private int shardIndex = -1;
  private String shardName;
  private TarArchiveInputStream tar;
  private TarArchiveEntry pendingEntry;
  private ShardSample next;

  private ShardReader(List<Path> shards, ErrorPolicy policy, boolean decodeImages) {
    this.shards = List.copyOf(shards);
    this.policy = requireNonNull(policy, "policy");
    this.decodeImages = decodeImages;
  }

  /**
   * Opens shards for reading.
   *
   * @param shards the shard files, read in this order
   * @param policy what to do on a bad sample
   * @param decodeImages whether to decode both PNGs of every sample to verify them
   * @return the reader
   */
  public static ShardReader open(List<Path> shards, ErrorPolicy policy, boolean decodeImages) {
    return new ShardReader(shards, policy, decodeImages);
  }

  /**
   * Opens every committed shard ({@code *.tar}) of a folder, in name order, with image verification.
   *
   * @param dir the folder
   * @param policy what to do on a bad sample
   * @return the reader
   * @throws UncheckedIOException if the folder cannot be listed
   */
  public static ShardReader openDirectory(Path dir, ErrorPolicy policy) {
    return new ShardReader(listShards(dir), policy, true);
  }

  /**
   * Lists the committed shards of a folder in name order ({@code .tar.tmp} files are not committed).
   *
   * @param dir the folder
   * @return the shard files
   */
  public static List<Path> listShards(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".tar")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list shards in " + dir, e);
    }
  }

  /**
   * Returns the problems recorded so far under {@link ErrorPolicy#CONTINUE}.
   *
   * @return the errors, in the order found
   */
  public List<ShardError> errors() {
    return List.copyOf(errors);
  }

  /**
   * Returns the remaining samples as a sequential stream (closing the stream closes the reader).
   *
   * @return the stream
   */
  public Stream<ShardSample> stream() {
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL), false)
        .onClose(this::close);
  }

  @Override
  public boolean hasNext() {
    while (next == null) {
      if (tar == null && !openNextShard()) {
        return false;
      }
      next = readSample();
    }
    return true;
  }

  @Override
  public ShardSample next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    ShardSample s = next;
    next = null;
    return s;
  }

  private boolean openNextShard() {
    closeTar();
    shardIndex++;
    if (shardIndex >= shards.size()) {
      return false;
    }
    Path p = shards.get(shardIndex);
    shardName = p.getFileName().toString();
    try {
      InputStream in = new BufferedInputStream(Files.newInputStream(p), 1 << 16);
      tar = new TarArchiveInputStream(in, StandardCharsets.UTF_8.name());
      pendingEntry = null;
      return true;
    } catch (IOException e) {
      fail(new ShardError(shardName, "?", "-", "cannot open: " + e.getMessage()), e);
      tar = null;
      return openNextShard();
    }
  }

  /** Reads the next sample of the open shard; null when the shard ended or the sample was skipped. */
  private ShardSample readSample() {
    String key = null;
    Map<String, byte[]> members = new LinkedHashMap<>();
    String currentMember = "-";
    try {
      while (true) {
        TarArchiveEntry e;
        if (pendingEntry != null) {
          e = pendingEntry;
          pendingEntry = null;
        } else {
          e = tar.getNextEntry();
          if (e == null) {
            break;
          }
          if (!e.isFile()) {
            continue;
          }
        }
        String name = e.getName();
        String k = keyOf(name);
        if (key == null) {
          key = k;
        } else if (!key.equals(k)) {
          // The next sample begins; its data stays unread in the stream until the next call.
          pendingEntry = e;
          break;
        }
        currentMember = name;
        byte[] data = readFully(e);
        if (members.put(name.substring(k.length()), data) != null) {
          return fail(new ShardError(shardName, key, name, "member appears twice"), null);
        }
      }
    } catch (IOException | RuntimeException ex) {
      String k = key == null ? keyOf(currentMember) : key;
      fail(new ShardError(shardName, k, currentMember, "truncated or corrupt tar: " + ex.getMessage()), ex);
      closeTar();
      return null;
    }
    if (key == null) {
      closeTar();
      return null;
    }
    return assemble(key, members);
  }

  private ShardSample assemble(String key, Map<String, byte[]> members) {
    try {
      return verify(shardName, key, members, decodeImages);
    } catch (ShardException e) {
      return fail(e.error(), e.getCause());
    }
  }

  /**
   * Checks one sample's members (keyed by suffix) and builds it.
   *
   * @throws ShardException naming the member at fault
   */
  static ShardSample verify(String shard, String key, Map<String, byte[]> members, boolean decodeImages) {
    for (String suffix : List.of(ShardWriter.INPUT_SUFFIX, ShardWriter.EDITED_SUFFIX, ShardWriter.JSON_SUFFIX)) {
      if (!members.containsKey(suffix)) {
        throw new ShardException(new ShardError(shard, key, key + suffix, "member missing"), null);
      }
    }
    SampleMetadata meta;
    try {
      meta = MetadataCodec.fromJson(members.get(ShardWriter.JSON_SUFFIX));
    } catch (MetadataException e) {
      throw new ShardException(new ShardError(shard, key, key + ShardWriter.JSON_SUFFIX, e.getMessage()), e);
    }
    if (!meta.id().equals(key)) {
      throw new ShardException(
          new ShardError(shard, key, key + ShardWriter.JSON_SUFFIX, "metadata id '" + meta.id() + "' differs from the key"),
          null);
    }
    if (decodeImages) {
      for (String suffix : List.of(ShardWriter.INPUT_SUFFIX, ShardWriter.EDITED_SUFFIX)) {
        try {
          ImageCodec.decode(members.get(suffix), shard + ":" + key + suffix);
        } catch (ImageDecodeException e) {
          throw new ShardException(new ShardError(shard, key, key + suffix, e.getMessage()), e);
        }
      }
    }
    return new ShardSample(
        shard, key, members.get(ShardWriter.INPUT_SUFFIX), members.get(ShardWriter.EDITED_SUFFIX), meta);
  }

  private ShardSample fail(ShardError error, Throwable cause) {
    if (policy == ErrorPolicy.STOP) {
      closeTar();
      throw new ShardException(error, cause);
    }
    errors.add(error);
    return null;
  }

  private byte[] readFully(TarArchiveEntry e) throws IOException {
    long size = e.getSize();
    if (size > Integer.MAX_VALUE - 16) {
      throw new IOException("member " + e.getName() + " is too large: " + size + " bytes");
    }
    byte[] data = tar.readNBytes((int) size);
    if (data.length != size) {
      throw new IOException("member " + e.getName() + " ends after " + data.length + " of " + size + " bytes");
    }
    return data;
  }

  /** WebDataset's rule: the key is the path up to the first dot of the file name. */
  static String keyOf(String member) {
    int slash = member.lastIndexOf('/');
    int dot = member.indexOf('.', slash + 1);
    return dot < 0 ? member : member.substring(0, dot);
  }

  private void closeTar() {
    if (tar != null) {
      try {
        tar.close();
      } catch (IOException ignored) {
        // reading is over; nothing to recover
      }
      tar = null;
    }
  }

  @Override
  public void close() {
    closeTar();
    shardIndex = shards.size();
  }
}
