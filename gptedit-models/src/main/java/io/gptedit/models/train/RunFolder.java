package io.gptedit.models.train;

import io.gptedit.core.GpteditException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A fine-tuning run's folder: {@code metrics.jsonl} (one line per step), {@code provenance.json} (written before
 * the first step) and the {@link Checkpoints}.
 */
final class RunFolder {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path dir;

  RunFolder(Path dir) {
    this.dir = dir;
  }

  Path dir() {
    return dir;
  }

  /** Appends a step's line to {@code metrics.jsonl}. */
  void appendMetrics(StepMetrics m) {
    ObjectNode line = JSON.createObjectNode();
    line.put("step", m.step());
    line.put("loss", m.loss());
    line.put("lr", m.lr());
    line.put("grad_norm", m.gradNorm());
    line.put("samples_per_s", m.samplesPerSecond());
    if (m.skipped()) {
      line.put("skipped", true);
    }
    if (m.hasLossScale()) {
      line.put("loss_scale", m.lossScale());
    }
    Path file = dir.resolve("metrics.jsonl");
    try {
      Files.createDirectories(dir);
      try (BufferedWriter w =
          Files.newBufferedWriter(
              file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
        w.write(JSON.writeValueAsString(line));
        w.write('\n');
      }
    } catch (IOException e) {
      throw new GpteditException("cannot append to " + file + ": " + e, e);
    }
  }

  /** Writes {@code provenance.json} atomically. */
  void writeProvenance(long startStep, long seed, String config, Map<String, String> provenance) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", "gptedit-run-provenance");
    root.put("started_at", Instant.now().toString());
    root.put("start_step", startStep);
    root.put("seed", seed);
    try {
      root.set("config", JSON.readTree(config));
      ObjectNode facts = root.putObject("provenance");
      provenance.forEach(facts::put);
      Checkpoints.writeAtomically(
          dir.resolve("provenance.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
    } catch (IOException e) {
      throw new GpteditException("cannot write " + dir.resolve("provenance.json") + ": " + e, e);
    }
  }

  /** Drops the lines of steps after {@code upTo} from {@code metrics.jsonl} (a resumed run rewrites them). */
  void truncateMetrics(long upTo) {
    Path file = dir.resolve("metrics.jsonl");
    if (!Files.isRegularFile(file)) {
      return;
    }
    try {
      List<String> keep = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode n = JSON.readTree(line);
        if (n.path("step").asLong(Long.MAX_VALUE) <= upTo) {
          keep.add(line);
        }
      }
      Files.write(file, keep, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new GpteditException("cannot rewrite " + file + ": " + e, e);
    }
  }
}
