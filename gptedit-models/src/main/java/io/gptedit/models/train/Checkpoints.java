package io.gptedit.models.train;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableMap;
import io.gptedit.core.GpteditException;
import io.gptedit.models.safetensors.SafetensorsFile;
import io.gptedit.models.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Training checkpoints on disk, written atomically.
 *
 * <p>A checkpoint is a folder {@code <run>/checkpoints/step-NNNNNNNNN/} holding {@code weights.safetensors} (the
 * model's parameters, diffusers names), {@code optimizer.safetensors} (the optimizer's state arrays, with its
 * scalars in the header's {@code __metadata__}) and {@code state.json} (step, seed, the full training config,
 * provenance and, for fp16 runs, the {@link LossScaler}'s state). It is written under a {@code .tmp} name and renamed when complete, so a process killed mid-write
 * leaves no half checkpoint that {@link #latest(Path)} would pick up. The trainer derives every step's random
 * numbers from {@code (seed, step)}, so step and seed are the whole RNG state and a resumed run continues
 * bit-exactly.
 *
 * @since 0.1
 */
public final class Checkpoints {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PREFIX = "step-";
  /** A complete checkpoint folder's name: the prefix and the step in 9 digits. */
  private static final String NAME_PATTERN = PREFIX + "\\d{9}";

  private Checkpoints() {}

  /**
   * What a checkpoint records besides arrays.
   *
   * @param step the number of optimizer steps taken
   * @param seed the run's seed
   * @param config the full training config as JSON text
   * @param provenance free-form facts (data hash, code version, ...)
   * @param lossScaler the fp16 loss scaler's state, empty for fp32 runs
   */
  public record State(
      long step, long seed, String config, Map<String, String> provenance, Optional<LossScaler.State> lossScaler) {
    /** Validates the state. */
    public State {
      checkArgument(step >= 0, "step must be >= 0, got %s", step);
      requireNonNull(config, "config");
      provenance = ImmutableMap.copyOf(requireNonNull(provenance, "provenance"));
      requireNonNull(lossScaler, "lossScaler");
    }

    /**
     * Creates the state of an fp32 run (no loss scaler).
     *
     * @param step the number of optimizer steps taken
     * @param seed the run's seed
     * @param config the full training config as JSON text
     * @param provenance free-form facts
     */
    public State(long step, long seed, String config, Map<String, String> provenance) {
      this(step, seed, config, provenance, Optional.empty());
    }
  }

  /**
   * A checkpoint read back.
   *
   * @param dir the checkpoint folder
   * @param state the recorded state
   * @param weights the parameters, owned by the manager given to {@link #load}
   * @param optimizerTensors the optimizer's state arrays
   * @param optimizerScalars the optimizer's scalars
   */
  public record Loaded(
      Path dir,
      State state,
      Map<String, NDArray> weights,
      Map<String, NDArray> optimizerTensors,
      Map<String, Double> optimizerScalars) {}

  /** Thrown when a checkpoint folder is incomplete or malformed; the message names the file. */
  public static final class CheckpointException extends GpteditException {
    private static final long serialVersionUID = 1L;

    CheckpointException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Writes a checkpoint atomically.
   *
   * @param runDir the run folder
   * @param weights the parameters to save
   * @param optimizer the optimizer whose state to save
   * @param state step, seed, config and provenance
   * @return the checkpoint folder
   */
  public static Path save(Path runDir, Map<String, NDArray> weights, ParameterOptimizer optimizer, State state) {
    Path root = runDir.resolve("checkpoints");
    Path dir = root.resolve(name(state.step()));
    Path tmp = root.resolve(name(state.step()) + ".tmp");
    try {
      Files.createDirectories(root);
      deleteTree(tmp);
      Files.createDirectories(tmp);
      SafetensorsWriter w = new SafetensorsWriter().metadata("format", "gptedit-weights");
      new TreeMap<>(weights).forEach(w::add);
      w.write(tmp.resolve("weights.safetensors"));
      SafetensorsWriter o = new SafetensorsWriter().metadata("format", "gptedit-optimizer");
      optimizer.stateScalars().forEach((k, v) -> o.metadata("scalar." + k, Double.toString(v)));
      new TreeMap<>(optimizer.stateTensors()).forEach(o::add);
      o.write(tmp.resolve("optimizer.safetensors"));
      ObjectNode s = JSON.createObjectNode();
      s.put("step", state.step());
      s.put("seed", state.seed());
      s.set("config", JSON.readTree(state.config()));
      ObjectNode prov = s.putObject("provenance");
      state.provenance().forEach(prov::put);
      state.lossScaler().ifPresent(
          ls -> s.putObject("loss_scaler").put("scale", ls.scale()).put("good_steps", ls.goodSteps()));
      Files.writeString(tmp.resolve("state.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(s));
      deleteTree(dir);
      try {
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, dir);
      }
      return dir;
    } catch (IOException e) {
      throw new GpteditException("cannot write checkpoint " + dir + ": " + e, e);
    }
  }

  /**
   * Returns the newest complete checkpoint of a run.
   *
   * @param runDir the run folder
   * @return the folder with the highest step, ignoring unfinished {@code .tmp} folders
   */
  public static Optional<Path> latest(Path runDir) {
    Path root = runDir.resolve("checkpoints");
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> p.getFileName().toString().matches(NAME_PATTERN))
          .filter(p -> Files.isRegularFile(p.resolve("state.json")))
          .max(Comparator.comparing(p -> p.getFileName().toString()));
    } catch (IOException e) {
      throw new GpteditException("cannot list " + root + ": " + e, e);
    }
  }

  /**
   * Returns the step a checkpoint folder was written at, from its name ({@code step-NNNNNNNNN}), without reading it:
   * enough to tell how far a run got from {@link #latest}.
   *
   * @param dir a checkpoint folder, as {@link #save} and {@link #latest} return them
   * @return its step
   * @throws IllegalArgumentException if the folder is not named as a checkpoint
   */
  public static long stepOf(Path dir) {
    String name = dir.getFileName().toString();
    checkArgument(name.matches(NAME_PATTERN), "%s is not a checkpoint folder (%sNNNNNNNNN)", dir, PREFIX);
    return Long.parseLong(name.substring(PREFIX.length()));
  }

  /**
   * Reads a checkpoint.
   *
   * @param dir the checkpoint folder
   * @param manager the manager that will own the arrays
   * @return the checkpoint
   * @throws CheckpointException if a file is missing or malformed
   */
  public static Loaded load(Path dir, NDManager manager) {
    Path stateFile = dir.resolve("state.json");
    State state;
    try {
      JsonNode s = JSON.readTree(Files.readString(stateFile, StandardCharsets.UTF_8));
      if (s == null || !s.path("step").canConvertToLong() || !s.path("seed").canConvertToLong() || !s.has("config")) {
        throw new CheckpointException(stateFile + ": needs integer 'step', 'seed' and a 'config' object", null);
      }
      Map<String, String> prov = new LinkedHashMap<>();
      s.path("provenance").properties().forEach(e -> prov.put(e.getKey(), e.getValue().asText()));
      Optional<LossScaler.State> scaler = Optional.empty();
      JsonNode ls = s.path("loss_scaler");
      if (!ls.isMissingNode()) {
        if (!ls.path("scale").isNumber() || !ls.path("good_steps").canConvertToLong()) {
          throw new CheckpointException(stateFile + ": 'loss_scaler' needs a number 'scale' and 'good_steps'", null);
        }
        scaler = Optional.of(new LossScaler.State(ls.get("scale").asDouble(), ls.get("good_steps").asLong()));
      }
      state =
          new State(s.get("step").asLong(), s.get("seed").asLong(), s.get("config").toString(), prov, scaler);
    } catch (IOException | IllegalArgumentException e) {
      throw new CheckpointException("cannot read " + stateFile + ": " + e.getMessage(), e);
    }
    Map<String, NDArray> weights = readAll(dir.resolve("weights.safetensors"), manager);
    Map<String, NDArray> optTensors = new LinkedHashMap<>();
    Map<String, Double> scalars = new LinkedHashMap<>();
    Path optFile = dir.resolve("optimizer.safetensors");
    try (SafetensorsFile f = SafetensorsFile.open(optFile)) {
      for (String name : f.tensors().keySet()) {
        optTensors.put(name, f.load(manager, name));
      }
      for (Map.Entry<String, String> e : f.metadata().entrySet()) {
        if (e.getKey().startsWith("scalar.")) {
          try {
            scalars.put(e.getKey().substring(7), Double.parseDouble(e.getValue()));
          } catch (NumberFormatException ex) {
            throw new CheckpointException(optFile + ": scalar " + e.getKey() + " is not a number", ex);
          }
        }
      }
    } catch (RuntimeException e) {
      if (e instanceof CheckpointException ce) {
        throw ce;
      }
      throw new CheckpointException("cannot read " + optFile + ": " + e.getMessage(), e);
    }
    return new Loaded(dir, state, weights, optTensors, scalars);
  }

  /** Writes a text file atomically: a temporary file beside it, then a rename. */
  static void writeAtomically(Path file, String content) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(tmp, content, StandardCharsets.UTF_8);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new GpteditException("cannot write " + file + ": " + e, e);
    }
  }

  private static Map<String, NDArray> readAll(Path file, NDManager manager) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      for (String name : f.tensors().keySet()) {
        out.put(name, f.load(manager, name));
      }
    } catch (RuntimeException e) {
      throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return out;
  }

  private static String name(long step) {
    return PREFIX + String.format(Locale.ROOT, "%09d", step);
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    if (Files.isDirectory(p)) {
      try (DirectoryStream<Path> s = Files.newDirectoryStream(p)) {
        for (Path c : s) {
          deleteTree(c);
        }
      }
    }
    Files.delete(p);
  }
}
