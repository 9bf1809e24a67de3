package io.gptedit.models.train;

import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.gptedit.core.GpteditException;
import io.gptedit.models.editor.DiffusionEditor;
import io.gptedit.models.nn.DeviceException;
import io.gptedit.models.nn.Devices;
import io.gptedit.models.safetensors.SafetensorsFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Trainer checkpoint to editor: a fine-tuning run folder holds the editor's spec ({@code editor.json}, written by
 * {@link EditFineTuning}) beside the {@link FineTuner}'s checkpoints; {@link #load} rebuilds the editor from the
 * spec and copies a checkpoint's weights into it, strictly (a missing or unexpected tensor is an error naming it).
 * The loaded editor samples only through {@code EulerSampler} over the spec's schedule, exactly as the in-memory
 * model would, so the same seed gives the same image bit for bit.
 *
 * <pre>{@code
 * try (DiffusionEditor editor = EditorCheckpoint.load(Path.of("runs/lab/run"))) { // latest checkpoint
 *   RgbImage out = editor.edit(input, "make the circle red", EditOptions.builder().optSeed(7).build());
 * }
 * }</pre>
 *
 * @since 0.1
 */
public final class EditorCheckpoint {
  /** The spec's file name inside a run folder. */
  public static final String SPEC_FILE = "editor.json";

  private EditorCheckpoint() {}

  /**
   * Writes a spec into a run folder.
   *
   * @param runDir the run folder
   * @param spec the spec
   */
  public static void writeSpec(Path runDir, EditorSpec spec) {
    Checkpoints.writeAtomically(runDir.resolve(SPEC_FILE), spec.toJson());
  }

  /**
   * Reads the spec of a run folder or of one of its checkpoint folders.
   *
   * @param dir a run folder, or a checkpoint folder inside one
   * @return the spec
   * @throws GpteditException if no spec is found or it is malformed
   */
  public static EditorSpec readSpec(Path dir) {
    Path file = specFile(dir);
    try {
      return EditorSpec.fromJson(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    } catch (IOException e) {
      throw new GpteditException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Loads the latest checkpoint of a run (or the given checkpoint) into an editor; EMA weights are used when the
   * checkpoint has them.
   *
   * @param dir a run folder or a checkpoint folder
   * @return the editor; closing it frees every part
   * @throws GpteditException if the folder holds no spec or checkpoint, or the weights do not fit the spec
   */
  public static DiffusionEditor load(Path dir) {
    return load(dir, EditorSpec.NO_EXTERNALS, true);
  }

  /**
   * Loads the latest checkpoint of a run (or the given checkpoint) into an editor on a device, with the EMA weights
   * when the checkpoint has them.
   *
   * @param dir a run folder or a checkpoint folder
   * @param device where the editor's weights live and its edits run ({@link Devices#require checked} first)
   * @return the editor; closing it frees every part
   * @throws DeviceException if the engine does not have the device (before anything is read)
   * @throws GpteditException if the folder holds no spec or checkpoint, or the weights do not fit the spec
   */
  public static DiffusionEditor load(Path dir, Device device) {
    return load(dir, EditorSpec.NO_EXTERNALS, true, device);
  }

  /**
   * Loads a checkpoint into an editor.
   *
   * @param dir a run folder (its latest checkpoint is used) or a checkpoint folder
   * @param resolver supplies the external frozen encoders the spec names
   * @param preferEma whether to use the checkpoint's EMA weights when it has them
   * @return the editor; closing it frees every part
   * @throws GpteditException if the folder holds no spec or checkpoint, or the weights do not fit the spec
   */
  public static DiffusionEditor load(Path dir, EditorSpec.Resolver resolver, boolean preferEma) {
    return load(dir, resolver, preferEma, Devices.defaultDevice());
  }

  /**
   * Loads a checkpoint into an editor on a device ({@link EditorSpec#build(EditorSpec.Resolver, Device)}); the
   * weights are read in Java and created there.
   *
   * @param dir a run folder (its latest checkpoint is used) or a checkpoint folder
   * @param resolver supplies the external frozen encoders the spec names (on {@code device})
   * @param preferEma whether to use the checkpoint's EMA weights when it has them
   * @param device where the editor's weights live and its edits run ({@link Devices#require checked} first)
   * @return the editor; closing it frees every part
   * @throws DeviceException if the engine does not have the device (before anything is read)
   * @throws GpteditException if the folder holds no spec or checkpoint, or the weights do not fit the spec
   */
  public static DiffusionEditor load(Path dir, EditorSpec.Resolver resolver, boolean preferEma, Device device) {
    Devices.require(device);
    requireNonNull(dir, "dir");
    EditorSpec spec = readSpec(dir);
    Path checkpoint = checkpointDir(dir);
    EditorSpec.Parts parts = spec.build(resolver, device);
    try {
      Map<String, NDArray> params = EditFineTuning.parameters(parts.denoiser(), parts.text());
      copyWeights(checkpoint.resolve("weights.safetensors"), params, preferEma);
      return parts.editor(spec, spec.paradigm().tag() + "-" + checkpoint.getFileName());
    } catch (RuntimeException e) {
      parts.close();
      throw e;
    }
  }

  /**
   * Copies a weights file's tensors into parameters, strictly; the file's tensors are created on the parameters'
   * device.
   *
   * @param file the safetensors file
   * @param params the parameters to fill, by name
   * @param preferEma whether {@code __ema__/} tensors replace the plain ones they average
   * @throws GpteditException if a parameter is missing or misshapen, or the file has tensors no parameter takes
   */
  static void copyWeights(Path file, Map<String, NDArray> params, boolean preferEma) {
    try (SafetensorsFile f = SafetensorsFile.open(file);
        NDManager m = NDManager.newBaseManager(
            params.isEmpty() ? null : params.values().iterator().next().getDevice())) {
      TreeSet<String> unexpected = new TreeSet<>();
      for (String name : f.tensors().keySet()) {
        String plain = name.startsWith(FineTuner.EMA_PREFIX) ? name.substring(FineTuner.EMA_PREFIX.length()) : name;
        if (!params.containsKey(plain)) {
          unexpected.add(name);
        }
      }
      List<String> missing = new ArrayList<>();
      Map<String, String> source = new LinkedHashMap<>();
      for (String name : params.keySet()) {
        String ema = FineTuner.EMA_PREFIX + name;
        if (preferEma && f.tensors().containsKey(ema)) {
          source.put(name, ema);
        } else if (f.tensors().containsKey(name)) {
          source.put(name, name);
        } else {
          missing.add(name);
        }
      }
      if (!missing.isEmpty() || !unexpected.isEmpty()) {
        throw new GpteditException(
            file + " does not fit the editor spec: missing " + missing.size() + " " + head(missing) + ", unexpected "
                + unexpected.size() + " " + head(new ArrayList<>(unexpected)));
      }
      for (Map.Entry<String, String> e : source.entrySet()) {
        NDArray target = params.get(e.getKey());
        NDArray saved = f.load(m, e.getValue());
        if (!saved.getShape().equals(target.getShape())) {
          throw new GpteditException(
              file + ": tensor '" + e.getValue() + "' has shape " + saved.getShape() + " but the editor's '"
                  + e.getKey() + "' has " + target.getShape());
        }
        saved.copyTo(target);
        saved.close();
      }
    } catch (GpteditException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new GpteditException("cannot load weights from " + file + ": " + e.getMessage(), e);
    }
  }

  private static String head(List<String> names) {
    int shown = Math.min(names.size(), 10);
    return names.subList(0, shown) + (names.size() > shown ? " ..." : "");
  }

  /** The checkpoint folder a path names: itself if it is one, else the run folder's latest. */
  static Path checkpointDir(Path dir) {
    if (Files.isRegularFile(dir.resolve("weights.safetensors"))) {
      return dir;
    }
    Optional<Path> latest = Checkpoints.latest(dir);
    if (latest.isEmpty()) {
      throw new GpteditException(dir + " is neither a checkpoint folder nor a run folder with checkpoints");
    }
    return latest.get();
  }

  private static Path specFile(Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    for (Path p : new Path[] {abs, abs.getParent(), abs.getParent() == null ? null : abs.getParent().getParent()}) {
      if (p != null && Files.isRegularFile(p.resolve(SPEC_FILE))) {
        return p.resolve(SPEC_FILE);
      }
    }
    throw new GpteditException(
        "no " + SPEC_FILE + " in " + dir + " or the run folder above it: is it a gptedit fine-tuning run?");
  }
}
