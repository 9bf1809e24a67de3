package io.gptedit.models.text;

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

/** The weights of a transformers model folder ({@code config.json} beside one file or a sharded index). */
final class CheckpointFolder {
  /** Checkpoint files looked for, in order of preference. */
  static final List<String> WEIGHT_FILES = List.of("model.safetensors.index.json", "model.safetensors");
  /** How many missing or unexpected names an error message spells out. */
  private static final int NAMES_SHOWN = 30;

  private CheckpointFolder() {}

  /** Returns the folder's {@code config.json}, failing with the path when it is absent. */
  static Path config(Path folder) {
    Path config = folder.resolve("config.json");
    if (!Files.isRegularFile(config)) {
      throw new WeightLoadException(folder + ": no config.json (is this a transformers model folder?)");
    }
    return config;
  }

  /** Opens the folder's weights (the sharded index first, then a single file). */
  static SafetensorsShards open(Path folder) {
    for (String name : WEIGHT_FILES) {
      Path p = folder.resolve(name);
      if (Files.isRegularFile(p)) {
        return SafetensorsShards.open(p);
      }
    }
    throw new WeightLoadException(folder + ": no weights found (looked for " + String.join(", ", WEIGHT_FILES) + ")");
  }

  /** Returns every tensor name of the shards. */
  static Set<String> names(List<SafetensorsFile> files) {
    Set<String> names = new TreeSet<>();
    files.forEach(f -> names.addAll(f.tensors().keySet()));
    return names;
  }

  /**
   * Fails, before anything is allocated, unless the checkpoint holds exactly the declared tensors (plus the
   * tolerated extras), naming every missing and unexpected one.
   */
  static void checkNames(ParameterSpec spec, List<SafetensorsFile> files, Set<String> tolerated, String model) {
    Set<String> present = names(files);
    List<String> missing = new ArrayList<>();
    for (String n : spec.entries().keySet()) {
      if (!present.contains(n)) {
        missing.add(n);
      }
    }
    Set<String> unexpected = new TreeSet<>(present);
    unexpected.removeAll(spec.entries().keySet());
    unexpected.removeAll(tolerated);
    if (!missing.isEmpty() || !unexpected.isEmpty()) {
      String where = files.isEmpty() ? "(no files)" : files.get(0).path().toAbsolutePath().getParent().toString();
      throw new WeightLoadException(
          where + ": the checkpoint does not match " + model + ": missing " + missing.size() + " " + shown(missing)
              + ", unexpected " + unexpected.size() + " " + shown(new ArrayList<>(unexpected)));
    }
  }

  private static String shown(List<String> names) {
    int n = Math.min(names.size(), NAMES_SHOWN);
    return "[" + String.join(", ", names.subList(0, n))
        + (names.size() > n ? ", ... " + (names.size() - n) + " more" : "") + "]";
  }
}
