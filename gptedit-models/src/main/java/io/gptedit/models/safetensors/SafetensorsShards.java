package io.gptedit.models.safetensors;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A checkpoint split over several safetensors files, opened together: either one file, or an index
 * ({@code *.safetensors.index.json} with a {@code weight_map} from tensor name to shard file, as diffusers and
 * transformers write), whose shards are opened and checked against the map.
 *
 * @since 0.1
 */
public final class SafetensorsShards implements AutoCloseable {
  /** Refuses an index that lists one tensor twice, as the header parser refuses a header that does. */
  private static final ObjectMapper INDEX_JSON =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private final List<SafetensorsFile> files;

  private SafetensorsShards(List<SafetensorsFile> files) {
    this.files = List.copyOf(files);
  }

  /**
   * Opens a single {@code .safetensors} file or every shard named by an index file.
   *
   * @param path a {@code .safetensors} file or a {@code .safetensors.index.json} file
   * @return the open shards; close to release them
   * @throws SafetensorsException if the index is malformed or lists a tensor twice, names a shard outside its
   *     folder, a tensor it maps is not in the named shard, or a shard holds a tensor the index does not map to it
   */
  public static SafetensorsShards open(Path path) {
    requireNonNull(path, "path");
    if (!path.getFileName().toString().endsWith(".json")) {
      return new SafetensorsShards(List.of(SafetensorsFile.open(path)));
    }
    JsonNode map;
    try {
      JsonNode root = INDEX_JSON.readTree(Files.readAllBytes(path));
      map = root == null ? null : root.get("weight_map");
    } catch (IOException e) {
      throw new SafetensorsException(path + ": cannot read the shard index: " + e.getMessage(), e);
    }
    if (map == null || !map.isObject()) {
      throw new SafetensorsException(path + ": shard index has no 'weight_map' object");
    }
    Path dir = path.toAbsolutePath().getParent();
    Map<String, String> tensorToShard = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : map.properties()) {
      if (!e.getValue().isTextual()) {
        throw new SafetensorsException(path + ": weight_map entry for '" + e.getKey() + "' is not a file name");
      }
      tensorToShard.put(e.getKey(), e.getValue().textValue());
    }
    List<SafetensorsFile> opened = new ArrayList<>();
    try {
      Map<String, SafetensorsFile> byName = new TreeMap<>();
      for (String shard : new TreeSet<>(tensorToShard.values())) {
        Path p = dir.resolve(shard).normalize();
        if (!p.startsWith(dir)) {
          throw new SafetensorsException(path + ": shard '" + shard + "' is outside the index's folder");
        }
        SafetensorsFile f = SafetensorsFile.open(p);
        opened.add(f);
        byName.put(shard, f);
      }
      for (Map.Entry<String, String> e : tensorToShard.entrySet()) {
        if (!byName.get(e.getValue()).tensors().containsKey(e.getKey())) {
          throw new SafetensorsException(
              path + ": tensor '" + e.getKey() + "' is mapped to " + e.getValue() + ", which does not contain it");
        }
      }
      for (Map.Entry<String, SafetensorsFile> e : byName.entrySet()) {
        for (String tensor : e.getValue().tensors().keySet()) {
          if (!e.getKey().equals(tensorToShard.get(tensor))) {
            throw new SafetensorsException(path + ": shard " + e.getKey() + " holds tensor '" + tensor
                + "', which the weight_map " + (tensorToShard.containsKey(tensor)
                    ? "maps to " + tensorToShard.get(tensor) : "does not list"));
          }
        }
      }
      return new SafetensorsShards(opened);
    } catch (RuntimeException ex) {
      opened.forEach(SafetensorsFile::close);
      throw ex;
    }
  }

  /**
   * Returns the open files, in shard-name order.
   *
   * @return an immutable list
   */
  public List<SafetensorsFile> files() {
    return files;
  }

  @Override
  public void close() {
    files.forEach(SafetensorsFile::close);
  }
}
