package io.gptedit.models.nn;

import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.common.collect.ImmutableList;
import io.gptedit.models.safetensors.SafetensorsFile;
import io.gptedit.models.safetensors.SafetensorsWriter;
import io.gptedit.models.safetensors.TensorInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * A model's parameters as named FLOAT32 NDArrays owned by one manager, created randomly or loaded by name.
 *
 * <p>Every factory has an overload that takes a {@link Device} ({@link Devices#require checked} first): the
 * store's manager and every array are created there; without one they go to the engine's default device.
 *
 * <p>The arrays are plain DJL arrays, so a trainer can mark any subset as requiring gradients. Once built the
 * store's manager can be {@link #freeze() capped}: any forward pass that accidentally attached an intermediate
 * array to the parameters' manager (a leak that would grow with every sampling step) then fails immediately.
 *
 * @since 0.1
 */
public final class ModelWeights implements AutoCloseable {
  private final ParameterSpec spec;
  private final NDManager manager;
  private final Map<String, NDArray> values;
  private final LoadReport report;
  /** LoRA scale (alpha / rank) by layer prefix, for the layers that carry adapters. */
  private final Map<String, Double> loraScales = new LinkedHashMap<>();
  /** False for a {@link #withValues} view, which closes nothing. */
  private final boolean owner;

  /**
   * What a load found besides the declared tensors.
   *
   * @param missing declared parameters the checkpoint lacked (randomly initialised in lenient mode)
   * @param unexpected checkpoint tensors the model does not declare (ignored in lenient mode)
   */
  public record LoadReport(List<String> missing, List<String> unexpected) {
    /** Freezes the lists. */
    public LoadReport {
      missing = ImmutableList.copyOf(missing);
      unexpected = ImmutableList.copyOf(unexpected);
    }

    /**
     * Returns whether every declared tensor was found and nothing else was present.
     *
     * @return true if both lists are empty
     */
    public boolean isExact() {
      return missing.isEmpty() && unexpected.isEmpty();
    }
  }

  private ModelWeights(ParameterSpec spec, NDManager manager, Map<String, NDArray> values, LoadReport report) {
    this(spec, manager, values, report, true);
  }

  private ModelWeights(
      ParameterSpec spec, NDManager manager, Map<String, NDArray> values, LoadReport report, boolean owner) {
    this.spec = spec;
    this.manager = manager;
    this.values = values;
    this.report = report;
    this.owner = owner;
  }

  /**
   * Returns a view of this store in which some parameters are other arrays of the same names and shapes, such as a
   * trainer's float16 compute copies ({@code FineTuner.StepContext.parameters()}); the others stay this store's.
   * The view has the same spec and LoRA scales; closing it closes nothing (the arrays stay their owners').
   *
   * @param replacements arrays by parameter name; names this store does not hold are refused
   * @return the view
   * @throws IllegalArgumentException if a name is unknown or a shape differs
   */
  public ModelWeights withValues(Map<String, NDArray> replacements) {
    Map<String, NDArray> view = new LinkedHashMap<>(values);
    replacements.forEach((name, a) -> {
      NDArray mine = values.get(name);
      if (mine == null) {
        throw new IllegalArgumentException("no parameter named '" + name + "' to replace");
      }
      if (!mine.getShape().equals(a.getShape())) {
        throw new IllegalArgumentException(
            "parameter '" + name + "' has shape " + mine.getShape() + ", its replacement " + a.getShape());
      }
      view.put(name, a);
    });
    ModelWeights w = new ModelWeights(spec, manager, view, report, false);
    w.loraScales.putAll(loraScales);
    return w;
  }

  /**
   * Returns the entries of a map whose names this store holds, for {@link #withValues} from a map that spans
   * several models (a trainer's compute copies hold the denoiser's and the text fusion's parameters together).
   *
   * @param arrays arrays by parameter name
   * @return the entries this store declares, in the map's order
   */
  public Map<String, NDArray> ownOf(Map<String, NDArray> arrays) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    arrays.forEach((name, a) -> {
      if (values.containsKey(name)) {
        out.put(name, a);
      }
    });
    return out;
  }

  /**
   * Creates parameters with seeded random values (generated in Java, so identical on every engine and device).
   *
   * @param spec the declared parameters
   * @param seed the seed; each tensor draws from a stream derived from the seed and its name
   * @return a new store owning a new base manager
   */
  public static ModelWeights random(ParameterSpec spec, long seed) {
    return randomOn(spec, seed, null);
  }

  /**
   * Creates parameters with seeded random values on a device (the same values as {@link #random(ParameterSpec,
   * long)}).
   *
   * @param spec the declared parameters
   * @param seed the seed
   * @param device where the parameters live
   * @return a new store owning a new base manager on {@code device}
   * @throws DeviceException if the engine does not have the device
   */
  public static ModelWeights random(ParameterSpec spec, long seed, Device device) {
    return randomOn(spec, seed, Devices.require(device));
  }

  /**
   * A base manager on {@code device} (null: the engine's default), after {@link CpuAllocator#tuneFor tuning} the
   * allocator for it.
   */
  private static NDManager newManager(Device device) {
    CpuAllocator.tuneFor(device);
    return NDManager.newBaseManager(device);
  }

  private static ModelWeights randomOn(ParameterSpec spec, long seed, Device device) {
    NDManager manager = newManager(device);
    Map<String, NDArray> values = new LinkedHashMap<>();
    for (ParameterSpec.Entry e : spec.entries().values()) {
      values.put(e.name(), manager.create(randomValues(e, seed), e.shape()));
    }
    return new ModelWeights(spec, manager, values, new LoadReport(List.of(), List.of()));
  }

  /**
   * Creates random parameters with the engine's own generator, directly on the device and in the given type: the
   * way to get a real-size model (a 12 B Kontext-dev transformer) for throughput and memory checks, which {@link
   * #random} cannot make, since it draws every value in Java. Same distributions per {@link ParameterSpec.Init}
   * as {@link #random}, but different values (the engine's generator, seeded once with {@code seed}); reproducible
   * for one engine build and device, not across them.
   *
   * @param spec the declared parameters
   * @param seed the seed for the engine's generator
   * @param device where the parameters live
   * @param type FLOAT32 or FLOAT16
   * @return a new store owning a new base manager on {@code device}
   * @throws DeviceException if the engine does not have the device
   */
  public static ModelWeights randomOnEngine(ParameterSpec spec, long seed, Device device, DataType type) {
    Device d = Devices.require(device);
    if (type != DataType.FLOAT32 && type != DataType.FLOAT16) {
      throw new IllegalArgumentException("random weights are FLOAT32 or FLOAT16, not " + type);
    }
    NDManager manager = newManager(d);
    try {
      manager.getEngine().setRandomSeed((int) seed);
      Map<String, NDArray> values = new LinkedHashMap<>();
      for (ParameterSpec.Entry e : spec.entries().values()) {
        long[] dims = e.shape().getShape();
        double fanIn = 1;
        for (int i = 1; i < dims.length; i++) {
          fanIn *= dims[i];
        }
        NDArray a =
            switch (e.init()) {
              case FAN_IN -> manager.randomNormal(0, (float) (1 / Math.sqrt(fanIn)), e.shape(), type);
              case SMALL -> manager.randomNormal(0, 0.02f, e.shape(), type);
              case NEAR_ONE -> manager.randomNormal(1, 0.1f, e.shape(), type);
              case ZERO -> manager.zeros(e.shape(), type);
            };
        values.put(e.name(), a);
      }
      return new ModelWeights(spec, manager, values, new LoadReport(List.of(), List.of()));
    } catch (RuntimeException ex) {
      manager.close();
      throw ex;
    }
  }

  static float[] randomValues(ParameterSpec.Entry e, long seed) {
    SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + e.name().hashCode());
    float[] v = new float[Math.toIntExact(e.shape().size())];
    long[] dims = e.shape().getShape();
    double fanIn = 1;
    for (int i = 1; i < dims.length; i++) {
      fanIn *= dims[i];
    }
    for (int i = 0; i < v.length; i++) {
      double g = r.nextGaussian();
      v[i] =
          switch (e.init()) {
            case FAN_IN -> (float) (g / Math.sqrt(fanIn));
            case SMALL -> (float) (g * 0.02);
            case NEAR_ONE -> (float) (1 + g * 0.1);
            case ZERO -> 0f;
          };
    }
    return v;
  }

  /**
   * Loads parameters by name from one or more safetensors shards.
   *
   * <p>Each declared name {@code n} is looked up as {@code prefix + n}; tensors outside the prefix are ignored.
   * In strict mode any missing or unexpected tensor fails the load with a message listing all of them; in lenient
   * mode missing tensors are initialised randomly with {@code seed} and the {@link #loadReport()} lists both kinds.
   * A shape that differs from the declared one always fails, naming the tensor and both shapes.
   *
   * @param spec the declared parameters
   * @param files the shards (their tensor names must not repeat)
   * @param prefix the checkpoint's key prefix, or the empty string
   * @param strict whether missing or unexpected tensors are an error
   * @param seed the seed for missing tensors in lenient mode
   * @return a new store owning a new base manager
   * @throws WeightLoadException if the checkpoint does not fit the declared parameters
   */
  public static ModelWeights load(
      ParameterSpec spec, List<SafetensorsFile> files, String prefix, boolean strict, long seed) {
    return load(spec, files, prefix, strict, seed, DataType.FLOAT32);
  }

  /**
   * Loads parameters like {@link #load(ParameterSpec, List, String, boolean, long)}, stored as {@code storage}:
   * with FLOAT16 each tensor is converted as it is read, so memory peaks at the float16 total plus one tensor.
   *
   * @param spec the declared parameters
   * @param files the shards
   * @param prefix the checkpoint's key prefix, or the empty string
   * @param strict whether missing or unexpected tensors are an error
   * @param seed the seed for missing tensors in lenient mode
   * @param storage FLOAT32 or FLOAT16
   * @return a new store owning a new base manager
   * @throws WeightLoadException if the checkpoint does not fit the declared parameters
   * @throws IllegalArgumentException if {@code storage} is neither FLOAT32 nor FLOAT16
   */
  public static ModelWeights load(
      ParameterSpec spec, List<SafetensorsFile> files, String prefix, boolean strict, long seed, DataType storage) {
    return loadOn(spec, files, prefix, strict, seed, storage, null);
  }

  /**
   * Loads parameters like {@link #load(ParameterSpec, List, String, boolean, long, DataType)} onto a device: each
   * tensor is read in Java and created there directly.
   *
   * @param spec the declared parameters
   * @param files the shards
   * @param prefix the checkpoint's key prefix, or the empty string
   * @param strict whether missing or unexpected tensors are an error
   * @param seed the seed for missing tensors in lenient mode
   * @param storage FLOAT32 or FLOAT16
   * @param device where the parameters live
   * @return a new store owning a new base manager on {@code device}
   * @throws DeviceException if the engine does not have the device (checked before any file is read)
   * @throws WeightLoadException if the checkpoint does not fit the declared parameters
   */
  public static ModelWeights load(
      ParameterSpec spec, List<SafetensorsFile> files, String prefix, boolean strict, long seed, DataType storage,
      Device device) {
    return loadOn(spec, files, prefix, strict, seed, storage, Devices.require(device));
  }

  private static ModelWeights loadOn(
      ParameterSpec spec, List<SafetensorsFile> files, String prefix, boolean strict, long seed, DataType storage,
      Device device) {
    requireNonNull(prefix, "prefix");
    if (storage != DataType.FLOAT32 && storage != DataType.FLOAT16) {
      throw new IllegalArgumentException("parameters are stored as FLOAT32 or FLOAT16, not " + storage);
    }
    Map<String, SafetensorsFile> where = new LinkedHashMap<>();
    for (SafetensorsFile f : files) {
      for (String name : f.tensors().keySet()) {
        if (!name.startsWith(prefix)) {
          continue;
        }
        SafetensorsFile previous = where.put(name.substring(prefix.length()), f);
        if (previous != null) {
          throw new WeightLoadException(
              "tensor '" + name + "' appears in both " + previous.path() + " and " + f.path());
        }
      }
    }
    List<String> missing = new ArrayList<>();
    List<String> shapeErrors = new ArrayList<>();
    for (ParameterSpec.Entry e : spec.entries().values()) {
      SafetensorsFile f = where.get(e.name());
      if (f == null) {
        missing.add(e.name());
        continue;
      }
      TensorInfo info = f.info(prefix + e.name());
      if (!new Shape(info.shape()).equals(e.shape())) {
        shapeErrors.add(
            "'" + prefix + e.name() + "' in " + f.path() + " has shape " + new Shape(info.shape())
                + " but the model declares " + e.shape());
      }
    }
    TreeSet<String> unexpected = new TreeSet<>(where.keySet());
    unexpected.removeAll(spec.entries().keySet());
    if (!shapeErrors.isEmpty()) {
      throw new WeightLoadException("shape mismatch: " + String.join("; ", shapeErrors));
    }
    if (strict && (!missing.isEmpty() || !unexpected.isEmpty())) {
      throw new WeightLoadException(
          "checkpoint does not match the model (strict): missing " + missing.size() + " " + summarize(missing)
              + ", unexpected " + unexpected.size() + " " + summarize(new ArrayList<>(unexpected)));
    }
    NDManager manager = newManager(device);
    try {
      Map<String, NDArray> values = new LinkedHashMap<>();
      for (ParameterSpec.Entry e : spec.entries().values()) {
        SafetensorsFile f = where.get(e.name());
        NDArray a =
            f == null
                ? manager.create(randomValues(e, seed), e.shape())
                : manager.create(f.readFloats(prefix + e.name()), e.shape());
        if (storage == DataType.FLOAT16) {
          NDArray half = convertGuarded(a, DataType.FLOAT16);
          a.close();
          a = half;
        }
        values.put(e.name(), a);
      }
      return new ModelWeights(spec, manager, values, new LoadReport(missing, new ArrayList<>(unexpected)));
    } catch (RuntimeException ex) {
      manager.close();
      throw ex;
    }
  }

  /** Supplies one declared parameter's values, row-major. */
  @FunctionalInterface
  public interface ValueSource {
    /**
     * Returns the values of a declared parameter.
     *
     * @param entry the declared parameter
     * @return exactly {@code entry.shape().size()} values
     */
    float[] values(ParameterSpec.Entry entry);
  }

  /**
   * Builds parameters from values computed by the caller (for example converted from another naming scheme).
   *
   * @param spec the declared parameters
   * @param source the values of each declared parameter
   * @return a new store owning a new base manager
   * @throws WeightLoadException if a source gives the wrong number of values
   */
  public static ModelWeights fromValues(ParameterSpec spec, ValueSource source) {
    return fromValuesOn(spec, source, null);
  }

  /**
   * Builds parameters from values computed by the caller, on a device.
   *
   * @param spec the declared parameters
   * @param source the values of each declared parameter
   * @param device where the parameters live
   * @return a new store owning a new base manager on {@code device}
   * @throws DeviceException if the engine does not have the device
   * @throws WeightLoadException if a source gives the wrong number of values
   */
  public static ModelWeights fromValues(ParameterSpec spec, ValueSource source, Device device) {
    return fromValuesOn(spec, source, Devices.require(device));
  }

  private static ModelWeights fromValuesOn(ParameterSpec spec, ValueSource source, Device device) {
    NDManager manager = newManager(device);
    try {
      Map<String, NDArray> values = new LinkedHashMap<>();
      for (ParameterSpec.Entry e : spec.entries().values()) {
        float[] v = source.values(e);
        if (v.length != e.shape().size()) {
          throw new WeightLoadException(
              "'" + e.name() + "' has " + v.length + " values but the model declares shape " + e.shape());
        }
        values.put(e.name(), manager.create(v, e.shape()));
      }
      return new ModelWeights(spec, manager, values, new LoadReport(List.of(), List.of()));
    } catch (RuntimeException ex) {
      manager.close();
      throw ex;
    }
  }

  static String summarize(List<String> names) {
    int shown = Math.min(names.size(), 20);
    String list = String.join(", ", names.subList(0, shown));
    return "[" + list + (names.size() > shown ? ", ... " + (names.size() - shown) + " more" : "") + "]";
  }

  /**
   * Returns a parameter.
   *
   * @param name the declared name
   * @return the array, owned by this store
   * @throws IllegalArgumentException if the model does not declare it
   */
  public NDArray get(String name) {
    NDArray a = values.get(name);
    if (a == null) {
      throw new IllegalArgumentException("no parameter named '" + name + "'");
    }
    return a;
  }

  /**
   * Returns whether a parameter is declared.
   *
   * @param name the name
   * @return true if declared
   */
  public boolean has(String name) {
    return values.containsKey(name);
  }

  /**
   * Returns every parameter, in declaration order.
   *
   * @return an unmodifiable view
   */
  public Map<String, NDArray> asMap() {
    return Collections.unmodifiableMap(values);
  }

  /**
   * Adds LoRA adapters (Hu et al., 2021) to linear layers: for a layer {@code p} with weight {@code (out, in)} it
   * adds {@code p.lora_A.weight (rank, in)}, initialised like a fan-in layer, and {@code p.lora_B.weight
   * (out, rank)}, initialised to zero, and {@link Layers#linear} then computes
   * {@code x W^T + b + (alpha / rank) (x A^T) B^T}. Because B starts at zero the model's outputs are unchanged until
   * the adapters are trained; select them with {@code ParameterSelection.loraOnly()} and the base weights stay
   * bit-identical. Call before {@link #freeze()}.
   *
   * @param layerPrefixes the linear layers to adapt (names without {@code .weight})
   * @param rank the adapter rank, at least 1
   * @param alpha the LoRA alpha (the update is scaled by {@code alpha / rank})
   * @param seed the seed of the A matrices
   * @throws IllegalArgumentException if a layer is not a 2-D linear weight of this store, or already adapted
   */
  public void addLora(Collection<String> layerPrefixes, int rank, double alpha, long seed) {
    if (rank < 1) {
      throw new IllegalArgumentException("LoRA rank must be >= 1, got " + rank);
    }
    if (layerPrefixes.isEmpty()) {
      throw new IllegalArgumentException("no layers given to adapt");
    }
    for (String prefix : layerPrefixes) {
      NDArray w = values.get(prefix + ".weight");
      if (w == null || w.getShape().dimension() != 2) {
        throw new IllegalArgumentException("'" + prefix + "' is not a linear layer of this model");
      }
      if (loraScales.containsKey(prefix)) {
        throw new IllegalArgumentException("'" + prefix + "' already has a LoRA adapter");
      }
      long out = w.getShape().get(0);
      long in = w.getShape().get(1);
      ParameterSpec.Entry a =
          new ParameterSpec.Entry(prefix + ".lora_A.weight", new Shape(rank, in), ParameterSpec.Init.FAN_IN);
      values.put(a.name(), manager.create(randomValues(a, seed), a.shape()));
      values.put(prefix + ".lora_B.weight", manager.zeros(new Shape(out, rank)));
      loraScales.put(prefix, alpha / rank);
    }
  }

  /**
   * Returns the LoRA scale of a layer.
   *
   * @param layerPrefix the layer name
   * @return {@code alpha / rank}, or 0 when the layer has no adapter
   */
  public double loraScale(String layerPrefix) {
    return loraScales.getOrDefault(layerPrefix, 0.0);
  }

  /**
   * Returns the declared parameters.
   *
   * @return the spec
   */
  public ParameterSpec spec() {
    return spec;
  }

  /**
   * Returns what the load that created this store found missing or unexpected (both empty for random stores).
   *
   * @return the report
   */
  public LoadReport loadReport() {
    return report;
  }

  /**
   * Returns the device the parameters live on.
   *
   * @return the store's device
   */
  public Device device() {
    return manager.getDevice();
  }

  /**
   * Returns the manager that owns the parameters.
   *
   * @return the manager
   */
  public NDManager manager() {
    return manager;
  }

  /**
   * Marks the parameters whose names match as requiring gradients (and the others as not).
   *
   * @param trainable selects the trainable parameter names
   */
  public void setTrainable(Predicate<String> trainable) {
    values.forEach((name, a) -> a.setRequiresGradient(trainable.test(name)));
  }

  /**
   * Caps the parameters' manager so that nothing else can be attached to it; a leak in a forward pass then fails
   * fast instead of growing memory.
   */
  public void freeze() {
    manager.cap();
  }

  /**
   * Converts a parameter array to another type, refusing bfloat16 (which aborts DJL's PyTorch engine).
   *
   * @param array the array
   * @param type FLOAT32 or FLOAT16
   * @return the converted array (attached to the array's manager)
   * @throws IllegalArgumentException if the type is bfloat16 or not a float type
   */
  public static NDArray convertGuarded(NDArray array, DataType type) {
    if (type != DataType.FLOAT32 && type != DataType.FLOAT16) {
      throw new IllegalArgumentException(
          "only FLOAT32 and FLOAT16 conversions are allowed (bf16 aborts DJL's PyTorch engine), got " + type);
    }
    if (array.getDataType() == DataType.BFLOAT16) {
      throw new IllegalArgumentException("cannot convert a bfloat16 array inside DJL; convert on read instead");
    }
    return array.toType(type, false);
  }

  /**
   * Writes every parameter as F32 to one safetensors file, in diffusers naming.
   *
   * @param path the destination
   * @param metadata extra {@code __metadata__} entries
   */
  public void save(Path path, Map<String, String> metadata) {
    SafetensorsWriter w = new SafetensorsWriter();
    metadata.forEach(w::metadata);
    values.forEach(w::add);
    w.write(path);
  }

  @Override
  public void close() {
    if (owner) {
      manager.close();
    }
  }
}
