package io.gptedit.data.shards;

import static java.util.Objects.requireNonNull;

import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.image.ImageDecodeException;
import io.gptedit.core.metadata.MetadataCodec;
import io.gptedit.core.metadata.MetadataException;
import io.gptedit.core.metadata.SampleMetadata;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
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
 * recorded in {@link #errors()} and the sample skipped.
 *
 * <p>Each shard is also checked as a whole, so that a truncated shard never reads as a complete one:
 * <ul>
 *   <li>it must end with tar's end-of-archive marker (two zero blocks) right after its last member: a 0-byte file,
 *       a cut at a sample boundary and a cut at a member boundary are all reported as truncation, naming the last
 *       member read and, when the sidecar index is there, how many of its samples are missing;
 *   <li>a cut inside a member (its header, data or padding) is reported as truncation of that member, and the
 *       partial sample is not delivered;
 *   <li>when the sidecar index ({@link ShardWriter#indexFor}) exists, every sample's key and byte offset must match
 *       its line, and the index may list no more samples than the shard holds (a shard without a sidecar, such
 *       as a tar made by other tools, gets the end-of-archive check only);
 *   <li>a member may be at most {@link #MAX_MEMBER_BYTES} bytes ({@link MetadataCodec#MAX_JSON_BYTES} for the
 *       metadata), checked from its header before anything is read; memory follows the bytes actually present.
 * </ul>
 * A truncated tar cannot be read past the damage: the rest of that shard is one error and reading goes on with the
 * next shard. An index that disagrees with its shard is one error for that shard (the samples themselves are still
 * verified and delivered under {@link ErrorPolicy#CONTINUE}).
 *
 * @since 0.1
 */
public final class ShardReader implements AutoCloseable, Iterator<ShardSample> {
  /** The largest member accepted, in bytes (the image codec's file limit). */
  public static final long MAX_MEMBER_BYTES = ImageCodec.MAX_FILE_BYTES;

  private static final int BLOCK = 512;
  private static final String CUT_AT_MEMBER_BOUNDARY = "truncated: the file ends";

  private final List<Path> shards;
  private final ErrorPolicy policy;
  private final boolean decodeImages;
  private final List<ShardError> errors = new ArrayList<>();

  private int shardIndex = -1;
  private Path shardPath;
  private String shardName;
  private TarArchiveInputStream tar;
  private TarArchiveEntry pendingEntry;
  private long pendingStart;
  /** The offset just past the last entry taken from the tar (header, data and padding). */
  private long entriesEnd;
  private String lastMember;
  /** The sidecar index of the open shard, or null when it has none (or it was reported bad). */
  private List<ShardLocation> expected;
  /** Samples begun in the open shard. */
  private int samplesSeen;
  private ShardSample next;
  /** A truncation found after a whole sample, reported on the read after that sample's delivery. */
  private ShardError deferred;

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
   * @param decodeImages whether to decode both PNGs of every sample to verify them (the samples keep the decoded
   *     images, so {@link ShardSample#toTriplet()} does not decode again)
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
   * @throws ShardException naming the folder if it is missing or cannot be listed
   */
  public static ShardReader openDirectory(Path dir, ErrorPolicy policy) {
    return new ShardReader(listShards(dir), policy, true);
  }

  /**
   * Lists the committed shards of a folder in name order ({@code .tar.tmp} files are not committed).
   *
   * @param dir the folder
   * @return the shard files
   * @throws ShardException naming the folder if it is missing, not a folder or cannot be listed
   */
  public static List<Path> listShards(Path dir) {
    requireNonNull(dir, "dir");
    if (!Files.isDirectory(dir)) {
      throw new ShardException(
          "shard folder " + dir + (Files.exists(dir) ? " is not a folder" : " does not exist"), null);
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".tar")).sorted().toList();
    } catch (IOException | UncheckedIOException e) {
      throw new ShardException("cannot list the shards in folder " + dir + ": " + e.getMessage(), e);
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
    while (true) {
      closeTar();
      shardIndex++;
      if (shardIndex >= shards.size()) {
        return false;
      }
      shardPath = shards.get(shardIndex);
      shardName = shardPath.getFileName().toString();
      pendingEntry = null;
      entriesEnd = 0;
      lastMember = null;
      samplesSeen = 0;
      expected = null;
      try {
        InputStream in = new BufferedInputStream(Files.newInputStream(shardPath), 1 << 16);
        tar = new TarArchiveInputStream(in, StandardCharsets.UTF_8.name());
      } catch (IOException e) {
        fail(new ShardError(shardName, "?", "-", "cannot open: " + e.getMessage()), e);
        continue;
      }
      if (Files.exists(ShardWriter.indexFor(shardPath))) {
        try {
          expected = ShardIndex.read(shardPath);
        } catch (ShardException e) {
          Path idx = ShardWriter.indexFor(shardPath);
          fail(new ShardError(shardName, "?", idx.getFileName().toString(), e.getMessage()), e);
        }
      }
      return true;
    }
  }

  /** Reads the next sample of the open shard; null when the shard ended or the sample was skipped. */
  private ShardSample readSample() {
    if (deferred != null) {
      ShardError error = deferred;
      deferred = null;
      closeTar();
      return fail(error, null);
    }
    String key = null;
    Map<String, byte[]> members = new LinkedHashMap<>();
    ShardError bad = null;
    try {
      while (true) {
        TarArchiveEntry e;
        long start;
        if (pendingEntry != null) {
          e = pendingEntry;
          start = pendingStart;
          pendingEntry = null;
        } else {
          start = entriesEnd;
          e = tar.getNextEntry();
          if (e == null) {
            return endOfShard(key, members, bad);
          }
          long size = e.getSize();
          entriesEnd = tar.getBytesRead() + (size + BLOCK - 1) / BLOCK * BLOCK;
          if (!e.isFile()) {
            continue;
          }
        }
        String name = e.getName();
        String k = keyOf(name);
        if (key == null) {
          key = k;
          checkIndex(k, start);
        } else if (!key.equals(k)) {
          // The next sample begins; its data stays unread in the stream until the next call.
          pendingEntry = e;
          pendingStart = start;
          break;
        }
        String suffix = name.substring(k.length());
        long limit = suffix.equals(ShardWriter.JSON_SUFFIX) ? MetadataCodec.MAX_JSON_BYTES : MAX_MEMBER_BYTES;
        if (e.getSize() > limit) {
          if (bad == null) {
            bad = new ShardError(shardName, key, name, "member header claims " + e.getSize() + " bytes, over the limit of " + limit);
          }
          lastMember = name;
          continue; // the tar skips its data
        }
        byte[] data = readFully(e);
        lastMember = name;
        if (members.put(suffix, data) != null && bad == null) {
          bad = new ShardError(shardName, key, name, "member appears twice");
        }
      }
    } catch (ShardException stop) {
      throw stop; // already reported under STOP
    } catch (TruncatedMember t) {
      fail(new ShardError(shardName, key, t.member, t.getMessage()), t);
      closeTar();
      return null;
    } catch (IOException | RuntimeException ex) {
      String k = key != null ? key : lastMember != null ? keyOf(lastMember) : "?";
      String truncation = truncationAfterFailure();
      if (truncation != null) {
        // the tar ran out of bytes while skipping padding or reading a header: the cut is in or right after
        // the last member
        fail(new ShardError(shardName, k, lastMember == null ? "-" : lastMember, truncation), ex);
        closeTar();
        return null;
      }
      // a header the tar cannot parse: the member it starts is unknown
      String where = lastMember == null ? "in the first header" : "in the header after member " + lastMember;
      fail(new ShardError(shardName, k, "-", "corrupt tar " + where + ": " + ex.getMessage()), ex);
      closeTar();
      return null;
    }
    if (bad != null) {
      return fail(bad, null);
    }
    return assemble(key, members);
  }

  /** Checks a sample's key and offset against the sidecar index's next line. */
  private void checkIndex(String key, long offset) {
    int n = samplesSeen++;
    if (expected == null) {
      return;
    }
    String problem = null;
    if (n >= expected.size()) {
      problem = "sample #" + (n + 1) + " at offset " + offset + " is not in the sidecar index, which lists "
          + expected.size() + " samples";
    } else {
      ShardLocation loc = expected.get(n);
      if (!loc.key().equals(key) || loc.offset() != offset) {
        problem = "sidecar index line " + (n + 1) + " says '" + loc.key() + "' at offset " + loc.offset()
            + ", the shard has '" + key + "' at offset " + offset;
      }
    }
    if (problem != null) {
      expected = null; // one report per shard
      fail(new ShardError(shardName, key, "-", problem), null);
    }
  }

  /**
   * The tar reported no more entries: makes sure that is the end-of-archive marker right after the last member
   * and that the sidecar index lists no more samples, then delivers the sample in hand (if any). A sample whose
   * three members are all there before a cut at a member boundary is still delivered; the truncation is reported
   * on the next read.
   */
  private ShardSample endOfShard(String key, Map<String, byte[]> members, ShardError bad) throws IOException {
    String truncation = missingEndOfArchive();
    if (truncation != null) {
      boolean wholeSample = key != null && truncation.startsWith(CUT_AT_MEMBER_BOUNDARY)
          && members.keySet().containsAll(List.of(ShardWriter.INPUT_SUFFIX, ShardWriter.EDITED_SUFFIX, ShardWriter.JSON_SUFFIX));
      int complete = key == null || wholeSample ? samplesSeen : samplesSeen - 1;
      String indexNote = expected == null
          ? ""
          : "; the sidecar index lists " + expected.size() + " samples, " + complete + " complete in the shard";
      String k;
      String member;
      if (key == null || wholeSample) {
        // cut at a sample boundary: name the first sample the index expects and the shard lacks
        k = expected != null && samplesSeen < expected.size() ? expected.get(samplesSeen).key() : "?";
        member = "-";
      } else {
        k = key;
        member = lastMember;
      }
      ShardError error = new ShardError(shardName, k, member, truncation + indexNote);
      if (wholeSample && bad == null) {
        deferred = error;
        return assemble(key, members);
      }
      closeTar();
      return fail(error, null);
    }
    List<ShardLocation> index = expected;
    closeTar();
    if (index != null && samplesSeen < index.size()) {
      fail(new ShardError(shardName, index.get(samplesSeen).key(), "-",
          "the sidecar index lists " + index.size() + " samples, the shard holds " + samplesSeen), null);
    }
    if (key == null) {
      return null;
    }
    return bad != null ? fail(bad, null) : assemble(key, members);
  }

  /** Returns why the shard does not end with an end-of-archive marker after its last entry, or null if it does. */
  private String missingEndOfArchive() throws IOException {
    long fileSize;
    byte[] tail = new byte[2 * BLOCK];
    int got = 0;
    try (FileChannel ch = FileChannel.open(shardPath)) {
      fileSize = ch.size();
      ByteBuffer buf = ByteBuffer.wrap(tail);
      while (buf.hasRemaining()) {
        int n = ch.read(buf, entriesEnd + got);
        if (n < 0) {
          break;
        }
        got += n;
      }
    }
    if (fileSize == 0) {
      return "truncated: the file is empty (0 bytes, no end-of-archive)";
    }
    if (fileSize < entriesEnd) {
      return "truncated inside member " + lastMember + ": the file ends " + (entriesEnd - fileSize)
          + " bytes before the end of its padding";
    }
    String after = lastMember == null ? "" : " after member " + lastMember;
    if (fileSize == entriesEnd) {
      return CUT_AT_MEMBER_BOUNDARY + after + " at offset " + fileSize + " with no end-of-archive";
    }
    if (fileSize < entriesEnd + BLOCK && !allZero(tail, got)) {
      return "truncated inside the header of the member" + (lastMember == null ? "" : " following " + lastMember)
          + ": the file ends at offset " + fileSize;
    }
    if (got < 2 * BLOCK || !allZero(tail, 2 * BLOCK)) {
      return "truncated or corrupt" + after + ": no complete end-of-archive marker at offset " + entriesEnd;
    }
    return null;
  }

  /** After the tar failed: the truncation, if the file ends before a whole header could follow the last entry. */
  private String truncationAfterFailure() {
    try {
      return Files.size(shardPath) < entriesEnd + BLOCK ? missingEndOfArchive() : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static boolean allZero(byte[] b, int n) {
    for (int i = 0; i < n; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
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
    RgbImage input = null;
    RgbImage edited = null;
    if (decodeImages) {
      input = decodeMember(shard, key, members, ShardWriter.INPUT_SUFFIX);
      edited = decodeMember(shard, key, members, ShardWriter.EDITED_SUFFIX);
    }
    return new ShardSample(shard, key, members.get(ShardWriter.INPUT_SUFFIX), members.get(ShardWriter.EDITED_SUFFIX),
        meta, input, edited);
  }

  private static RgbImage decodeMember(String shard, String key, Map<String, byte[]> members, String suffix) {
    try {
      return ImageCodec.decode(members.get(suffix), shard + ":" + key + suffix);
    } catch (ImageDecodeException e) {
      throw new ShardException(new ShardError(shard, key, key + suffix, e.getMessage()), e);
    }
  }

  private ShardSample fail(ShardError error, Throwable cause) {
    if (policy == ErrorPolicy.STOP) {
      closeTar();
      throw new ShardException(error, cause);
    }
    errors.add(error);
    return null;
  }

  /** Reads a member's data; memory grows with the bytes actually there, not with the size the header claims. */
  private byte[] readFully(TarArchiveEntry e) throws IOException {
    long size = e.getSize();
    byte[] data;
    try {
      data = tar.readNBytes((int) size);
    } catch (IOException ex) {
      throw new TruncatedMember(e.getName(), "truncated inside member " + e.getName() + " (" + size + " bytes in its header): "
          + ex.getMessage(), ex);
    }
    if (data.length != size) {
      throw new TruncatedMember(e.getName(), "truncated inside member " + e.getName() + ": it ends after " + data.length
          + " of its " + size + " bytes", null);
    }
    return data;
  }

  /** A member whose data the file cuts short. */
  private static final class TruncatedMember extends IOException {
    @java.io.Serial private static final long serialVersionUID = 1L;

    private final String member;

    TruncatedMember(String member, String message, Throwable cause) {
      super(message, cause);
      this.member = member;
    }
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
