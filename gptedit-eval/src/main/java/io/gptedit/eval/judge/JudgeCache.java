package io.gptedit.eval.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.hash.Hashing;
import io.gptedit.eval.EvalException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Judge replies on disk, so a re-run costs no judge calls.
 *
 * <p>An entry is keyed by benchmark, sample, call (such as {@code sc}), judge model, prompt hash, the content hash
 * of the images sent and the sampling settings; it holds the replies that parsed. Only successful calls are
 * cached: a failed sample is tried again on the next run. Files are written atomically, so concurrent judges and
 * a killed run leave no partial entry.
 */
final class JudgeCache {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Path dir;

  JudgeCache(Path dir) {
    this.dir = dir;
  }

  /** The parts of a cache key; {@link #digest()} names the file. */
  record Key(
      String benchmark, String sample, String call, String model, String promptHash, String imagesHash, String settings) {
    String digest() {
      return Hashing.sha256()
          .hashString(String.join("\u0000", benchmark, sample, call, model, promptHash, imagesHash, settings), StandardCharsets.UTF_8)
          .toString();
    }
  }

  Optional<List<String>> get(Key key) {
    Path f = file(key);
    if (!Files.isRegularFile(f)) {
      return Optional.empty();
    }
    try {
      JsonNode node = MAPPER.readTree(f.toFile());
      List<String> replies = new ArrayList<>();
      for (JsonNode r : node.path("replies")) {
        replies.add(r.asText());
      }
      return replies.isEmpty() ? Optional.empty() : Optional.of(replies);
    } catch (IOException e) {
      throw new EvalException("corrupt judge cache entry " + f + ": " + e.getMessage(), e);
    }
  }

  void put(Key key, List<String> replies) {
    Path f = file(key);
    ObjectNode node = MAPPER.createObjectNode();
    node.put("benchmark", key.benchmark());
    node.put("sample", key.sample());
    node.put("call", key.call());
    node.put("model", key.model());
    node.put("promptHash", key.promptHash());
    node.put("imagesHash", key.imagesHash());
    node.put("settings", key.settings());
    ArrayNode arr = node.putArray("replies");
    replies.forEach(arr::add);
    Path tmp = f.resolveSibling(f.getFileName() + "." + java.util.UUID.randomUUID() + ".tmp");
    try {
      Files.createDirectories(f.getParent());
      Files.write(tmp, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(node));
      Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new EvalException("cannot write judge cache entry " + f + ": " + e.getMessage(), e);
    }
  }

  private Path file(Key key) {
    String d = key.digest();
    return dir.resolve(key.benchmark()).resolve(d.substring(0, 2)).resolve(d + ".json");
  }
}
