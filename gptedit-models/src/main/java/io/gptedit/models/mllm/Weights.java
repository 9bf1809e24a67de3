package io.gptedit.models.mllm;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.gptedit.models.nn.DeviceException;
import io.gptedit.models.nn.Devices;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.nn.ParameterSpec;
import io.gptedit.models.nn.WeightLoadException;
import io.gptedit.models.safetensors.SafetensorsFile;
import io.gptedit.models.safetensors.SafetensorsShards;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Checkpoint folders, strict name checks and float32 views of (possibly float16) parameters for the MLLM-path
 * models.
 */
final class Weights {
  /** Checkpoint files looked for, in order of preference. */
  static final List<String> WEIGHT_FILES = List.of("model.safetensors.index.json", "model.safetensors");
  private static final int NAMES_SHOWN = 30;

  private Weights() {}

  /** Opens a transformers folder's weights (the sharded index first, then a single file). */
  static SafetensorsShards open(Path folder) {
    for (String name : WEIGHT_FILES) {
      Path p = folder.resolve(name);
      if (Files.isRegularFile(p)) {
        return SafetensorsShards.open(p);
      }
    }
    throw new WeightLoadException(folder + ": no weights found (looked for " + String.join(", ", WEIGHT_FILES) + ")");
  }

  /** Every tensor name of the shards. */
  static Set<String> names(List<SafetensorsFile> files) {
    Set<String> names = new TreeSet<>();
    files.forEach(f -> names.addAll(f.tensors().keySet()));
    return names;
  }

  /**
   * Fails before anything is allocated unless the checkpoint holds exactly {@code prefix +} each declared name
   * (tensors that {@code ignored} accepts aside), naming every missing and unexpected tensor.
   */
  static void checkNames(ParameterSpec spec, List<SafetensorsFile> files, String prefix, Predicate<String> ignored,
      String model) {
    Set<String> present = names(files);
    List<String> missing = new ArrayList<>();
    Set<String> declared = new TreeSet<>();
    for (String n : spec.entries().keySet()) {
      declared.add(prefix + n);
      if (!present.contains(prefix + n)) {
        missing.add(prefix + n);
      }
    }
    List<String> unexpected = new ArrayList<>();
    for (String n : present) {
      if (!declared.contains(n) && !ignored.test(n)) {
        unexpected.add(n);
      }
    }
    if (!missing.isEmpty() || !unexpected.isEmpty()) {
      String where = files.isEmpty() ? "(no files)" : files.get(0).path().toAbsolutePath().getParent().toString();
      throw new WeightLoadException(where + ": the checkpoint does not match " + model + ": missing "
          + missing.size() + " " + shown(missing) + ", unexpected " + unexpected.size() + " " + shown(unexpected));
    }
  }

  private static String shown(List<String> names) {
    int n = Math.min(names.size(), NAMES_SHOWN);
    return "[" + String.join(", ", names.subList(0, n))
        + (names.size() > n ? ", ... " + (names.size() - n) + " more" : "") + "]";
  }

  /** The parameter as float32: itself, or a float32 copy owned by {@code scope} when stored as float16. */
  /**
   * Checks that a forward's manager is on its weights' device, so every array of the forward is created where the
   * weights are (a mismatch would otherwise surface as a native error deep in the first layer).
   */
  static void requireOn(NDManager manager, ModelWeights p, String model) {
    Device at = manager.getDevice();
    if (!at.equals(p.device())) {
      throw new DeviceException(model + "'s weights are on " + Devices.name(p.device()) + " but its manager is on "
          + Devices.name(at) + ": run it under a manager on " + Devices.name(p.device()));
    }
  }

  static NDArray get(ModelWeights p, String name, NDManager scope) {
    NDArray w = p.get(name);
    if (w.getDataType() == DataType.FLOAT32) {
      return w;
    }
    return scope.zeros(new Shape(1)).add(w);
  }

  /** {@code x W^T + b} with float32 weights. */
  static NDArray linear(NDArray x, ModelWeights p, String prefix, NDManager scope) {
    NDArray w = get(p, prefix + ".weight", scope);
    NDArray b = p.has(prefix + ".bias") ? get(p, prefix + ".bias", scope) : null;
    return x.getNDArrayInternal().linear(x, w, b).singletonOrThrow();
  }

  /** Attention scores' softmax and values: q (.., S, d), k (.., T, d), v (.., T, d), optional additive bias. */
  static NDArray attention(NDArray q, NDArray k, NDArray v, NDArray bias) {
    long d = q.getShape().get(q.getShape().dimension() - 1);
    NDArray scores = q.matMul(k.swapAxes(-1, -2)).mul((float) (1 / Math.sqrt(d)));
    if (bias != null) {
      scores = scores.add(bias);
    }
    return scores.softmax(-1).matMul(v);
  }
}
