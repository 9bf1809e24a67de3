package io.gptedit.data.shards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The sidecar indexes of a shard folder, merged: sample key to shard and byte offset.
 *
 * <p>A sidecar over {@link #MAX_INDEX_BYTES} bytes is refused before it is read; {@link #fetch} reads members
 * within {@link ShardReader}'s member limits.
 *
 * @since 0.1
 */
public final class ShardIndex {
  /** The largest sidecar index read, in bytes: {@value} (64 MiB, about a million samples). */
  public static final long MAX_INDEX_BYTES = 64L << 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, ShardLocation> locations;

  private ShardIndex(Map<String, ShardLocation> locations) {
    this.locations = locations;
  }

  /**
   * Loads the sidecar index of every committed shard in a folder.
   *
   * @param dir the shard folder
   * @return the merged index
   * @throws ShardException if an index is missing or malformed, or a key appears in two shards
   */
  public static ShardIndex load(Path dir) {
    Map<String, ShardLocation> out = new LinkedHashMap<>();
    for (Path shard : ShardReader.listShards(dir)) {
      for (ShardLocation loc : read(shard)) {
        ShardLocation old = out.putIfAbsent(loc.key(), loc);
        if (old != null) {
          throw new ShardException("key '" + loc.key() + "' is in both " + old.shard() + " and " + loc.shard(), null);
        }
      }
    }
    return new ShardIndex(out);
  }

  /**
   * Reads one shard's sidecar index.
   *
   * @param shard the shard file
   * @return its locations, in order
   * @throws ShardException if the index is missing or malformed
   */
  public static List<ShardLocation> read(Path shard) {
    Path idx = ShardWriter.indexFor(shard);
    String name = shard.getFileName().toString();
    List<String> lines;
    try {
      long size = Files.size(idx);
      if (size > MAX_INDEX_BYTES) {
        throw new ShardException(
            "index " + idx + " of shard " + name + " has " + size + " bytes, over the limit of " + MAX_INDEX_BYTES, null);
      }
      lines = Files.readAllLines(idx, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ShardException("cannot read index " + idx + " of shard " + name + ": " + e.getMessage(), e);
    }
    java.util.ArrayList<ShardLocation> out = new java.util.ArrayList<>(lines.size());
    int lineNo = 0;
    for (String line : lines) {
      lineNo++;
      if (line.isBlank()) {
        continue;
      }
      try {
        JsonNode n = JSON.readTree(line);
        JsonNode key = n.get("key");
        JsonNode offset = n.get("offset");
        if (key == null || !key.isTextual() || offset == null || !offset.canConvertToLong()) {
          throw new IllegalArgumentException("expected {\"key\": text, \"offset\": integer}");
        }
        out.add(new ShardLocation(name, key.textValue(), offset.longValue()));
      } catch (IOException | RuntimeException e) {
        throw new ShardException("index " + idx + " line " + lineNo + " is malformed: " + e.getMessage(), e);
      }
    }
    return out;
  }

  /**
   * Returns where a key is.
   *
   * @param key the sample key
   * @return the location, if indexed
   */
  public Optional<ShardLocation> locate(String key) {
    return Optional.ofNullable(locations.get(key));
  }

  /**
   * Returns the number of indexed samples.
   *
   * @return the count
   */
  public int size() {
    return locations.size();
  }

  /**
   * Returns every location in shard order.
   *
   * @return the locations
   */
  public List<ShardLocation> locations() {
    return List.copyOf(locations.values());
  }

  /**
   * Reads one sample by seeking to its offset.
   *
   * @param dir the shard folder
   * @param key the key
   * @return the sample
   * @throws ShardException if the key is not indexed or the sample is bad
   */
  public ShardSample fetch(Path dir, String key) {
    ShardLocation loc = locate(key).orElseThrow(() -> new ShardException("key '" + key + "' is not indexed", null));
    try (java.io.InputStream in = Files.newInputStream(dir.resolve(loc.shard()))) {
      in.skipNBytes(loc.offset());
      Map<String, byte[]> members = new LinkedHashMap<>();
      try (TarArchiveInputStream tar = new TarArchiveInputStream(in, StandardCharsets.UTF_8.name())) {
        for (int i = 0; i < 3; i++) {
          TarArchiveEntry e = tar.getNextEntry();
          if (e == null || !ShardReader.keyOf(e.getName()).equals(key)) {
            break;
          }
          String suffix = e.getName().substring(key.length());
          long limit = suffix.equals(ShardWriter.JSON_SUFFIX)
              ? io.gptedit.core.metadata.MetadataCodec.MAX_JSON_BYTES
              : ShardReader.MAX_MEMBER_BYTES;
          if (e.getSize() > limit) {
            throw new ShardException(new ShardError(loc.shard(), key, e.getName(),
                "member header claims " + e.getSize() + " bytes, over the limit of " + limit), null);
          }
          byte[] data = tar.readNBytes((int) e.getSize());
          if (data.length != e.getSize()) {
            throw new ShardException(new ShardError(loc.shard(), key, e.getName(), "truncated inside member "
                + e.getName() + ": it ends after " + data.length + " of its " + e.getSize() + " bytes"), null);
          }
          members.put(suffix, data);
        }
      }
      return ShardReader.verify(loc.shard(), key, members, true);
    } catch (IOException e) {
      throw new ShardException(new ShardError(loc.shard(), key, "-", "cannot read: " + e.getMessage()), e);
    }
  }
}
