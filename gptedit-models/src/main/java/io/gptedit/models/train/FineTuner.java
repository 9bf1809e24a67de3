package io.gptedit.models.train;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gptedit.core.GpteditException;
import io.gptedit.models.nn.ActivationCheckpointing;
import io.gptedit.models.nn.CpuAllocator;
import io.gptedit.models.nn.DeviceException;
import io.gptedit.models.nn.Devices;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * An architecture-agnostic fine-tuning loop: the caller supplies the parameters and a function computing one
 * micro-batch's scalar loss; the trainer does the rest.
 *
 * <p>Each optimizer step: for each of {@code accumulation} micro-batches, open a sub-manager and a gradient
 * collector, call the loss function, back-propagate {@code loss / accumulation} (PyTorch adds gradients up);
 * then clip the selected parameters' gradients to a global norm, apply the optimizer with the schedule's
 * learning rate, fold the weights into the EMA if one is kept, and zero the gradients (DJL's PyTorch collector
 * does not zero them itself). A step whose loss or gradient norm is not finite is skipped (no update, the
 * gradients are zeroed; {@code skipped} in its metrics), as mixed-precision loss scaling does; {@value
 * #MAX_CONSECUTIVE_SKIPS} skipped steps in a row end the run with a {@link DivergedException}. Every array the
 * loss function creates lives in the step's sub-manager, which is
 * closed at the end of the micro-batch, so memory stays flat.
 *
 * <p>Device: the trainer runs where its parameters are (every step's manager, the optimizer state, the EMA); all
 * of them must be on one device ({@link DeviceException} otherwise, at build time). Put them on a GPU by building
 * the model there ({@code EditorSpec.build(resolver, device)}, the models' device overloads).
 *
 * <p>Randomness: the loss function gets a {@link SplittableRandom} seeded from {@code (seed, step, micro)}; if
 * it draws batches and noise only from it (noise through {@code io.gptedit.models.flow.SeededNoise}), the run is
 * a pure function of the seed and the step, so a run resumed from a checkpoint continues bit-exactly on CPU.
 *
 * <p>With a run folder the trainer appends one JSON line per step to {@code metrics.jsonl} (keys {@code step},
 * {@code loss}, {@code lr}, {@code grad_norm}, {@code samples_per_s}) and writes a checkpoint through {@link
 * Checkpoints} every {@code checkpointEvery} steps and after the last step. The EMA weights, when kept, are saved
 * in the checkpoint's weights file under the prefix {@value #EMA_PREFIX}.
 *
 * <p><b>Mixed precision.</b> With {@link Precision#FP16} the parameters given stay the FLOAT32 master weights (the
 * optimizer, the EMA and the checkpoints see only them); the trainer keeps a float16 copy of every parameter,
 * which the loss function reads through {@link StepContext#parameter(String)}. The loss is multiplied by the
 * {@link LossScaler}'s scale before the backward pass; the float16 gradients are added up in float32, unscaled,
 * checked, clipped and applied to the master weights, whose float16 copies are then refreshed. Frozen parameters
 * may be given already in float16 (a base loaded with {@code ModelWeights.load(..., DataType.FLOAT16)}): they are
 * read as they are, so the frozen base costs 2 bytes per value. A model reads the compute copies through {@link
 * StepContext#parameters()}, e.g. {@code FluxTransformer.withParameters(ctx.parameters())}. A step with an
 * infinite or NaN gradient is skipped and the scale backs off; such overflow skips do not count towards {@value
 * #MAX_CONSECUTIVE_SKIPS} unless the loss itself is not finite or the scale has fallen to 1 or below. The copies
 * are separate leaves because DJL's {@code toType} cuts the autograd graph (a cast inside the loss function
 * would get no gradient); {@link StepContext#toFloat32(NDArray)} up-casts with autograd.
 *
 * <p><b>Provenance.</b> With a run folder, {@link #train} first writes {@code provenance.json} atomically: the
 * config, the seed, the trainer's settings, the data hash ({@link Builder#optDataHash} or {@link
 * Builder#optDataFiles}) and the code version ({@link RunProvenance#codeVersion()}); the same facts are kept in every
 * checkpoint's {@code state.json}. {@link #resume()} refuses a checkpoint whose recipe (the caller's config, the
 * optimizer, schedule, steps, batch, accumulation, clipping, EMA, precision, selection or data hash) differs from
 * this run's, with a {@link RecipeChangedException} listing every difference, unless the builder was told
 * {@link Builder#optAllowRecipeChange}; then the run continues and records both recipes.
 *
 * @since 0.1
 */
public final class FineTuner implements AutoCloseable {
  /** The name prefix of EMA weights inside a checkpoint's weights file. */
  public static final String EMA_PREFIX = "__ema__/";

  /** How many non-finite steps in a row end a run. */
  public static final int MAX_CONSECUTIVE_SKIPS = 5;

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Provenance facts that are the recipe: a resume refuses a checkpoint whose values differ. */
  private static final List<String> RECIPE_FACTS =
      List.of(
          "selection", "trainable_parameters", "precision", "optimizer", "schedule", "steps", "accumulation",
          "clip_norm", "ema_decay", "samples_per_micro_batch", "loss_scaling", "data_hash");
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;
  /** The provenance key of a trainable-only checkpoint's frozen-base reference (JSON: path -> sha256). */
  static final String FROZEN_BASE_FACT = "frozen_base";

  /** Computes one micro-batch's loss. */
  @FunctionalInterface
  public interface LossFunction {
    /**
     * Returns the scalar loss of one micro-batch.
     *
     * @param context the step, its manager (own every array there) and its random source
     * @return a scalar array, differentiable with respect to the trainable parameters
     */
    NDArray loss(StepContext context);
  }

  /**
   * One micro-batch's context.
   *
   * @param step the 0-based optimizer step (the learning-rate schedule's index)
   * @param micro the 0-based micro-batch within the step
   * @param manager the micro-batch's manager, closed after the backward pass
   * @param random the random source for this micro-batch, seeded from (seed, step, micro)
   * @param precision the precision the loss function should compute in
   * @param parameters every parameter in the compute precision, by name: the trainer's parameters themselves
   *     in fp32, their float16 copies (trainable ones requiring gradients) in fp16
   */
  public record StepContext(
      long step,
      int micro,
      NDManager manager,
      SplittableRandom random,
      Precision precision,
      Map<String, NDArray> parameters) {
    /** Validates the context. */
    public StepContext {
      requireNonNull(manager, "manager");
      requireNonNull(random, "random");
      requireNonNull(precision, "precision");
      requireNonNull(parameters, "parameters");
    }

    /**
     * Creates an fp32 context without parameter views (for loss functions that read their model directly).
     *
     * @param step the 0-based optimizer step
     * @param micro the 0-based micro-batch within the step
     * @param manager the micro-batch's manager
     * @param random the micro-batch's random source
     */
    public StepContext(long step, int micro, NDManager manager, SplittableRandom random) {
      this(step, micro, manager, random, Precision.FP32, Map.of());
    }

    /**
     * Returns a parameter in the compute precision; use it in the forward pass so that gradients reach the
     * master weights.
     *
     * @param name the parameter's name
     * @return the parameter (fp32) or its float16 copy (fp16)
     * @throws IllegalArgumentException if there is no such parameter
     */
    public NDArray parameter(String name) {
      NDArray p = parameters.get(name);
      checkArgument(p != null, "no parameter '%s' (the trainer has %s parameters)", name, parameters.size());
      return p;
    }

    /**
     * Returns every parameter in the compute precision, by name (what {@link #parameter} reads), for models that
     * take their weights as a map, such as {@code FluxTransformer.withParameters}.
     *
     * @return an unmodifiable view
     */
    public Map<String, NDArray> parameters() {
      return java.util.Collections.unmodifiableMap(parameters);
    }

    /**
     * Casts input data (images, latents, noise, text features) to the compute precision. The cast is not
     * differentiable (DJL's {@code toType} leaves the autograd graph), so do not use it on values that need
     * gradients.
     *
     * @param data an array of data
     * @return {@code data} itself if it already has the compute type, else a copy owned by this micro-batch
     */
    public NDArray toComputeType(NDArray data) {
      DataType type = precision.dataType();
      if (data.getDataType() == type) {
        return data;
      }
      NDArray cast = data.toType(type, false);
      cast.attach(manager);
      return cast;
    }

    /**
     * Up-casts a value to float32 keeping it differentiable (a mixed-type add of a float32 zero, which PyTorch
     * promotes), for losses and reductions that should not run in float16.
     *
     * @param x a value, such as the model's float16 prediction
     * @return {@code x} itself if it is float32, else its float32 value connected to the autograd graph
     */
    public NDArray toFloat32(NDArray x) {
      if (x.getDataType() == DataType.FLOAT32) {
        return x;
      }
      long[] ones = new long[x.getShape().dimension()];
      java.util.Arrays.fill(ones, 1);
      return x.add(manager.zeros(new Shape(ones), DataType.FLOAT32));
    }
  }

  /** Thrown when a resume finds a checkpoint written with another recipe; the message lists the differences. */
  public static final class RecipeChangedException extends GpteditException {
    private static final long serialVersionUID = 1L;

    RecipeChangedException(String message) {
      super(message);
    }
  }

  /**
   * Thrown when a resume finds that a frozen-base file a trainable-only checkpoint refers to has changed (or is
   * missing); the message names the file and both hashes.
   */
  public static final class FrozenBaseChangedException extends GpteditException {
    private static final long serialVersionUID = 1L;

    FrozenBaseChangedException(String message) {
      super(message);
    }
  }

  /** Thrown when too many steps in a row have a non-finite loss or gradient; the message names the step. */
  public static final class DivergedException extends io.gptedit.core.GpteditException {
    private static final long serialVersionUID = 1L;

    DivergedException(String message) {
      super(message);
    }
  }

  private final Map<String, NDArray> params;
  private final Map<String, NDArray> trainable;
  private final ParameterOptimizer optimizer;
  private final LrSchedule schedule;
  private final long totalSteps;
  private final long stopAfter;
  private final int accumulation;
  private final double clipNorm;
  private final long seed;
  private final RunFolder run;
  private final long checkpointEvery;
  private final int samplesPerStep;
  private final String config;
  private final Map<String, String> provenance;
  private final boolean allowRecipeChange;
  private final FineTuneListener listener;
  private final NDManager base;
  private final Ema ema;
  private final Precision precision;
  private final HalfPrecision half;
  private final Map<String, NDArray> views;
  /** The optimizer's bucketed form, or null if it has none; then {@link #layout} is null too. */
  private final BucketedOptimizer bucketed;
  /** The trainable parameters laid out in flat buckets (for a bucketed optimizer). */
  private final ParameterBuckets layout;
  /** The frozen base's files (trainable-only checkpoints), or null for checkpoints of every parameter. */
  private final List<Path> frozenBase;
  /** Their hashes, computed once on first use. */
  private Map<String, String> frozenBaseHashes;
  private long step;
  private int consecutiveSkips;

  private FineTuner(Builder b) {
    this.params = Collections.unmodifiableMap(new LinkedHashMap<>(b.params));
    List<String> names = b.selection.select(params.keySet());
    Map<String, NDArray> t = new LinkedHashMap<>();
    for (String n : names) {
      t.put(n, params.get(n));
    }
    this.trainable = Collections.unmodifiableMap(t);
    this.precision = b.precision;
    this.optimizer = b.optimizer;
    this.bucketed = b.optimizer instanceof BucketedOptimizer bo ? bo : null;
    this.layout = bucketed == null ? null : ParameterBuckets.of(trainable, ParameterBuckets.DEFAULT_CAPACITY);
    this.schedule = b.schedule;
    this.totalSteps = b.steps;
    this.stopAfter = b.stopAfter < 0 ? b.steps : Math.min(b.stopAfter, b.steps);
    this.accumulation = b.accumulation;
    this.clipNorm = b.clipNorm;
    this.seed = b.seed;
    this.run = b.runDir == null ? null : new RunFolder(b.runDir);
    this.checkpointEvery = b.checkpointEvery;
    this.samplesPerStep = b.samplesPerStep;
    this.config = b.config;
    this.allowRecipeChange = b.allowRecipeChange;
    Map<String, String> prov = new LinkedHashMap<>(b.provenance);
    prov.put("data_hash", b.dataHash != null ? b.dataHash : prov.getOrDefault("data_hash", RunProvenance.UNKNOWN));
    RunProvenance.CodeVersion code = RunProvenance.codeVersion();
    prov.put("code_version", code.version());
    prov.put("git_commit", code.gitCommit());
    prov.put("selection", b.selection.description());
    prov.put("trainable_parameters", Integer.toString(trainable.size()));
    prov.put("precision", b.precision.name().toLowerCase(java.util.Locale.ROOT));
    prov.put("optimizer", b.optimizer.toString());
    prov.put("schedule", b.schedule.toString());
    prov.put("steps", Long.toString(b.steps));
    prov.put("accumulation", Integer.toString(b.accumulation));
    prov.put("clip_norm", Double.toString(b.clipNorm));
    prov.put("ema_decay", Double.isNaN(b.emaDecay) ? "none" : Double.toString(b.emaDecay));
    prov.put("samples_per_micro_batch", Integer.toString(b.samplesPerStep));
    this.listener = b.listener;
    this.frozenBase = b.frozenBase;
    NDArray first = trainable.values().iterator().next();
    requireOneDevice(params, first.getDevice());
    CpuAllocator.tuneFor(first.getDevice());
    this.base = NDManager.newBaseManager(first.getDevice());
    this.ema = Double.isNaN(b.emaDecay) ? null : new Ema(trainable, b.emaDecay);
    if (precision == Precision.FP16) {
      LossScaler.Config sc = b.lossScaling == null ? LossScaler.Config.defaults() : b.lossScaling;
      prov.put("loss_scaling", sc.toString());
      this.half = new HalfPrecision(params, trainable, new LossScaler(sc), base, layout);
      this.views = half.views();
    } else {
      params.forEach((n, a) -> a.setRequiresGradient(trainable.containsKey(n)));
      this.half = null;
      this.views = params;
    }
    this.provenance = prov;
  }

  /** A step runs on the parameters' device: every parameter, frozen or trained, must be on the same one. */
  private static void requireOneDevice(Map<String, NDArray> params, Device device) {
    params.forEach((name, a) -> {
      if (!a.getDevice().equals(device)) {
        throw new DeviceException(
            "parameter '" + name + "' is on " + Devices.name(a.getDevice()) + " but the trainable parameters are on "
                + Devices.name(device) + ": a fine-tuning runs on one device; build every part there (for example"
                + " EditorSpec.build(resolver, device))");
      }
    });
  }

  /**
   * Starts a builder.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the number of optimizer steps taken so far (after a resume, counting the resumed ones).
   *
   * @return the step count
   */
  public long step() {
    return step;
  }

  /**
   * Returns the names of the parameters this trainer updates.
   *
   * @return the selected names, in the parameters' order
   */
  public List<String> trainableNames() {
    return List.copyOf(trainable.keySet());
  }

  /**
   * Returns the precision the trainer computes in.
   *
   * @return FP32 or FP16
   */
  public Precision precision() {
    return precision;
  }

  /**
   * Returns the current loss scale.
   *
   * @return the scale the next step's loss is multiplied by, if training in fp16
   */
  public Optional<Double> lossScale() {
    return half == null ? Optional.empty() : Optional.of(half.scaler().scale());
  }

  /**
   * Returns the provenance facts recorded in {@code provenance.json} and in checkpoints: the caller's facts, {@code
   * data_hash}, {@code code_version}, {@code git_commit} and the trainer's settings.
   *
   * @return the facts, in insertion order
   */
  public Map<String, String> provenance() {
    return Collections.unmodifiableMap(provenance);
  }

  /**
   * Returns the EMA weights of the trainable parameters, if an EMA is kept.
   *
   * @return live arrays owned by the trainer, or empty
   */
  public Optional<Map<String, NDArray>> emaWeights() {
    return ema == null ? Optional.empty() : Optional.of(Collections.unmodifiableMap(ema.weights()));
  }

  /**
   * Continues from the run folder's latest checkpoint, if there is one: checks its recipe against this run's,
   * copies its weights into the parameters, restores the optimizer and the EMA, sets the step and drops later lines
   * from {@code metrics.jsonl}.
   *
   * @return the step resumed at (0 when there is no checkpoint)
   * @throws IllegalStateException if the trainer has no run folder, has already stepped, or the checkpoint was
   *     written with another seed or lacks a parameter
   * @throws RecipeChangedException if the checkpoint's recipe differs and the builder did not allow it
   */
  public long resume() {
    checkState(run != null, "resume needs a run folder");
    checkState(step == 0, "resume must be called before training");
    Optional<Path> latest = Checkpoints.latest(run.dir());
    if (latest.isEmpty()) {
      return 0;
    }
    try (NDManager m = base.newSubManager()) {
      Checkpoints.Loaded loaded = Checkpoints.load(latest.get(), m);
      checkState(
          loaded.state().seed() == seed,
          "checkpoint %s was written with seed %s, this run has seed %s",
          loaded.dir(),
          loaded.state().seed(),
          seed);
      List<String> changes = recipeChanges(loaded.state());
      if (!changes.isEmpty()) {
        if (!allowRecipeChange) {
          throw new RecipeChangedException(
              "checkpoint " + loaded.dir() + " was written with another recipe: " + String.join("; ", changes)
                  + " (resume with the same settings, or allow the change explicitly to continue with a new one)");
        }
        provenance.put("resumed_at_step", Long.toString(loaded.state().step()));
        provenance.put("recipe_changed_on_resume", String.join("; ", changes));
        provenance.put("previous_config", loaded.state().config());
      }
      String baseRef = loaded.state().provenance().get(FROZEN_BASE_FACT);
      if (baseRef != null) {
        verifyFrozenBase(loaded.dir(), baseRef);
      } else {
        checkState(
            frozenBase == null,
            "checkpoint %s holds every parameter, but this run was told to write trainable-only checkpoints",
            loaded.dir());
      }
      for (Map.Entry<String, NDArray> e : (baseRef != null ? trainable : params).entrySet()) {
        NDArray saved = loaded.weights().get(e.getKey());
        checkState(saved != null, "checkpoint %s lacks parameter '%s'", loaded.dir(), e.getKey());
        checkState(
            saved.getShape().equals(e.getValue().getShape()),
            "checkpoint %s: parameter '%s' has shape %s, the model has %s",
            loaded.dir(),
            e.getKey(),
            saved.getShape(),
            e.getValue().getShape());
        saved.copyTo(e.getValue());
      }
      if (ema != null) {
        for (Map.Entry<String, NDArray> e : ema.weights().entrySet()) {
          NDArray saved = loaded.weights().get(EMA_PREFIX + e.getKey());
          checkState(saved != null, "checkpoint %s lacks the EMA of '%s'", loaded.dir(), e.getKey());
          saved.copyTo(e.getValue());
        }
      }
      optimizer.loadState(loaded.optimizerTensors(), loaded.optimizerScalars());
      if (half != null) {
        loaded.state().lossScaler().ifPresent(half.scaler()::load);
        half.refresh(params.keySet());
      }
      step = loaded.state().step();
    }
    run.truncateMetrics(step);
    return step;
  }

  /** Every difference between a checkpoint's recipe and this run's, as {@code key: old -> new}. */
  private List<String> recipeChanges(Checkpoints.State saved) {
    List<String> out = new ArrayList<>();
    for (String key : RECIPE_FACTS) {
      String before = saved.provenance().get(key);
      String now = provenance.get(key);
      if (before != null && !before.equals(now)) {
        out.add(key + ": " + before + " -> " + now);
      }
    }
    try {
      JsonNode before = JSON.readTree(saved.config());
      JsonNode now = JSON.readTree(config);
      diff("config", before, now, out);
    } catch (IOException e) {
      out.add("config: unreadable in the checkpoint (" + e.getMessage() + ")");
    }
    return out;
  }

  private static void diff(String path, JsonNode before, JsonNode now, List<String> out) {
    if (before != null && now != null && before.isObject() && now.isObject()) {
      java.util.TreeSet<String> keys = new java.util.TreeSet<>();
      before.fieldNames().forEachRemaining(keys::add);
      now.fieldNames().forEachRemaining(keys::add);
      for (String k : keys) {
        diff(path + "." + k, before.get(k), now.get(k), out);
      }
    } else if (before == null || now == null || !before.equals(now)) {
      out.add(path + ": " + before + " -> " + now);
    }
  }

  /**
   * Trains from the current step up to the configured number of steps (or the step given to {@link
   * Builder#optStopAfter}, after which a checkpoint is written so that a later run with the same recipe resumes).
   *
   * @param lossFunction computes one micro-batch's loss
   * @return the metrics of the steps this call ran
   * @throws DivergedException after {@value #MAX_CONSECUTIVE_SKIPS} non-finite steps in a row
   */
  public List<StepMetrics> train(LossFunction lossFunction) {
    requireNonNull(lossFunction, "lossFunction");
    if (run != null) {
      run.writeProvenance(step, seed, config, provenance);
    }
    List<StepMetrics> out = new ArrayList<>();
    while (step < stopAfter) {
      StepMetrics m = runStep(lossFunction);
      out.add(m);
      if (run != null) {
        run.appendMetrics(m);
      }
      listener.onStep(m);
      boolean last = step == totalSteps || step == stopAfter;
      if (run != null && (last || (checkpointEvery > 0 && step % checkpointEvery == 0))) {
        Path dir = checkpoint();
        listener.onCheckpoint(step, dir);
      }
    }
    return out;
  }

  /**
   * Writes a checkpoint of the current state now.
   *
   * @return the checkpoint folder
   * @throws IllegalStateException if the trainer has no run folder
   */
  public Path checkpoint() {
    checkState(run != null, "checkpoints need a run folder");
    Map<String, NDArray> weights = new LinkedHashMap<>(frozenBase == null ? params : trainable);
    if (ema != null) {
      ema.weights().forEach((n, a) -> weights.put(EMA_PREFIX + n, a));
    }
    Map<String, String> facts = new LinkedHashMap<>(provenance);
    if (frozenBase != null) {
      facts.put(FROZEN_BASE_FACT, frozenBaseJson());
    }
    return Checkpoints.save(
        run.dir(),
        weights,
        optimizer,
        new Checkpoints.State(
            step, seed, config, facts,
            Optional.ofNullable(half).map(h -> h.scaler().state())));
  }

  private Map<String, String> frozenBaseHashes() {
    if (frozenBaseHashes == null) {
      Map<String, String> h = new LinkedHashMap<>();
      for (Path f : frozenBase) {
        if (!java.nio.file.Files.isRegularFile(f)) {
          throw new FrozenBaseChangedException("frozen-base file " + f + " is missing");
        }
        h.put(f.toAbsolutePath().normalize().toString(), RunProvenance.dataHash(List.of(f)));
      }
      frozenBaseHashes = h;
    }
    return frozenBaseHashes;
  }

  private String frozenBaseJson() {
    com.fasterxml.jackson.databind.node.ObjectNode o = JSON.createObjectNode();
    frozenBaseHashes().forEach(o::put);
    return o.toString();
  }

  /** Checks that the frozen base a checkpoint refers to is the base this run was given, file by file. */
  private void verifyFrozenBase(Path checkpoint, String recordedJson) {
    checkState(
        frozenBase != null,
        "checkpoint %s holds only the trainable parameters: resume it with optFrozenBase (the base files it names)",
        checkpoint);
    Map<String, String> recorded = new LinkedHashMap<>();
    try {
      JSON.readTree(recordedJson).properties().forEach(e -> recorded.put(e.getKey(), e.getValue().asText()));
    } catch (IOException e) {
      throw new Checkpoints.CheckpointException(
          "checkpoint " + checkpoint + ": unreadable frozen-base reference: " + e.getMessage(), e);
    }
    List<String> recordedFiles = new ArrayList<>(recorded.keySet());
    for (String file : recordedFiles) {
      if (!java.nio.file.Files.isRegularFile(Path.of(file))) {
        throw new FrozenBaseChangedException(
            "checkpoint " + checkpoint + " refers to frozen-base file " + file + ", which is missing");
      }
    }
    Map<String, String> now = frozenBaseHashes();
    for (Map.Entry<String, String> e : recorded.entrySet()) {
      String current =
          now.containsKey(e.getKey()) ? now.get(e.getKey()) : RunProvenance.dataHash(List.of(Path.of(e.getKey())));
      if (!current.equals(e.getValue())) {
        throw new FrozenBaseChangedException(
            "frozen-base file " + e.getKey() + " changed since checkpoint " + checkpoint + " was written ("
                + e.getValue() + ", now " + current + "): the trained parameters belong to the old base");
      }
    }
    if (!now.keySet().equals(recorded.keySet())) {
      throw new FrozenBaseChangedException(
          "checkpoint " + checkpoint + " was trained on the frozen base " + recorded.keySet() + ", this run loads "
              + now.keySet());
    }
  }

  private StepMetrics runStep(LossFunction fn) {
    long t0 = System.nanoTime();
    double lr = schedule.at(step);
    double scaleUsed = half == null ? Double.NaN : half.scaler().scale();
    double lossSum = 0;
    for (int micro = 0; micro < accumulation; micro++) {
      SplittableRandom random = new SplittableRandom(mix(seed, step, micro));
      try (NDManager m = base.newSubManager()) {
        StepContext ctx = new StepContext(step, micro, m, random, precision, views);
        try (GradientCollector gc = m.getEngine().newGradientCollector()) {
          NDArray loss = fn.loss(ctx);
          checkArgument(loss.getShape().isScalar(), "the loss must be a scalar, got shape %s", loss.getShape());
          if (half == null) {
            lossSum += loss.getFloat();
            ActivationCheckpointing.backward(gc, accumulation == 1 ? loss : divided(loss, accumulation, m));
          } else {
            NDArray loss32 = ctx.toFloat32(loss);
            lossSum += loss32.getFloat();
            // The factor lives in the micro-batch's manager, like the divisor (see divided).
            ActivationCheckpointing.backward(gc, loss32.mul(m.create((float) (scaleUsed / accumulation))));
          }
        }
        if (half != null) {
          half.accumulateGradients();
        }
      }
    }
    Map<String, NDArray> grads = new LinkedHashMap<>();
    double norm;
    boolean skipped;
    boolean finiteGradients = false;
    NDManager stepScope = base.newSubManager();
    try (stepScope) {
      boolean finite = true;
      if (half == null) {
        for (Map.Entry<String, NDArray> e : trainable.entrySet()) {
          grads.put(e.getKey(), gradientOf(e.getKey(), e.getValue()));
        }
      } else {
        grads.putAll(half.accumulated());
      }
      // With a bucketed optimizer the gradients are gathered into flat buckets once, and the unscaling, the norm,
      // the clipping and the update run on those (a few ops per bucket instead of a dozen per tensor).
      // In fp16 the accumulators are already the flat buckets (no copy); in fp32 autograd's per-tensor gradients are
      // copied into them.
      List<NDArray> work = bucketed == null ? new ArrayList<>(grads.values())
          : half != null ? half.flat() : layout.gather(grads, stepScope);
      if (half != null) {
        finite = half.scaler().unscale(work);
      }
      norm = GradientClipping.globalNorm(work);
      // A finite norm means every gradient value is finite (an infinite or NaN one makes the norm so).
      finiteGradients = Double.isFinite(norm) && (half == null || finite);
      skipped = !finite || !Double.isFinite(norm) || !Double.isFinite(lossSum);
      if (half != null) {
        half.scaler().update(!skipped);
      }
      // An fp16 overflow with a finite loss is the loss scaler's business, as long as the scale is above 1.
      boolean overflowOnly = half != null && Double.isFinite(lossSum) && scaleUsed > 1;
      if (skipped && !overflowOnly) {
        consecutiveSkips++;
        if (consecutiveSkips >= MAX_CONSECUTIVE_SKIPS) {
          throw new DivergedException(
              "loss " + lossSum / accumulation + ", gradient norm " + norm + " at step " + step + ": "
                  + consecutiveSkips + " non-finite steps in a row");
        }
      } else if (!skipped) {
        consecutiveSkips = 0;
        if (clipNorm > 0 && norm > clipNorm) {
          GradientClipping.clipToNorm(work, norm, clipNorm);
        }
        if (bucketed == null) {
          optimizer.step(trainable, grads, lr);
        } else {
          bucketed.step(trainable, layout, work, lr);
        }
        if (ema != null) {
          ema.update(trainable);
        }
        if (half != null) {
          half.refresh(trainable.keySet());
        }
      }
    } finally {
      // Not g *= 0 when a value may be infinite or NaN (it would survive into the next step): a fill then. The zero
      // lives in a manager of ours: set(index, Number) would leave one scalar per call in the parameters' manager.
      // Finite gradients are zeroed by one multiplication each (DJL's set(":", zero) is a reshape, a broadcast and
      // an indexed copy, each a native call with its wrapper); any other step's by a fill.
      try (NDManager z = base.newSubManager()) {
        NDArray zero = z.create(0f);
        // fp16 with buckets: the accumulators' flat buckets, one op each; otherwise every gradient
        for (NDArray g : half != null && half.flat() != null ? half.flat() : grads.values()) {
          if (finiteGradients) {
            g.muli(zero);
          } else {
            g.set(new NDIndex(":"), zero);
          }
        }
        if (half == null) {
          grads.values().forEach(NDArray::close); // DJL's gradient wrappers; the fp16 accumulators are ours and stay
        }
      }
    }
    step++;
    double seconds = (System.nanoTime() - t0) / 1e9;
    return new StepMetrics(
        step, lossSum / accumulation, lr, norm, samplesPerStep * accumulation / seconds, skipped, scaleUsed);
  }

  /**
   * Divides the loss by the accumulation for the backward pass, the divisor living in the micro-batch's manager.
   *
   * <p>This is the fix of the SIGSEGV in {@code backward} seen under {@code bench-train --threads 2}: DJL's
   * {@code loss.div(Number)} makes the scalar from Java-owned memory and closes it right after the op, while
   * autograd has saved it for the backward pass; once the garbage collector frees that memory and something else
   * reuses it, backward reads a stale operand (wrong gradients, NaN losses, or a crash inside libtorch).
   */
  static NDArray divided(NDArray loss, int divisor, NDManager m) {
    return loss.div(m.create((float) divisor));
  }

  static NDArray gradientOf(String name, NDArray p) {
    try {
      return p.getGradient();
    } catch (IllegalStateException ex) {
      throw new IllegalStateException(
          "trainable parameter '" + name + "' got no gradient: the loss does not use it", ex);
    }
  }

  /** Mixes the run seed, step and micro-batch into one well-spread seed. */
  static long mix(long seed, long step, int micro) {
    long z = seed * GOLDEN + step;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L + micro;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Frees the optimizer's state, the EMA and the step managers; the parameters stay with their owner. */
  @Override
  public void close() {
    try {
      optimizer.close();
    } finally {
      if (ema != null) {
        ema.close();
      }
      base.close();
    }
  }

  /**
   * Configures a {@link FineTuner}; parameters, optimizer, schedule and steps are required ({@code setX}), the
   * rest optional ({@code optX}), as DJL's builders do.
   */
  public static final class Builder {
    private Map<String, NDArray> params;
    private ParameterSelection selection = ParameterSelection.all();
    private ParameterOptimizer optimizer;
    private LrSchedule schedule;
    private long steps = -1;
    private long stopAfter = -1;
    private int accumulation = 1;
    private double clipNorm = 1.0;
    private double emaDecay = Double.NaN;
    private long seed;
    private Path runDir;
    private long checkpointEvery;
    private int samplesPerStep = 1;
    private String config = "{}";
    private Map<String, String> provenance = Map.of();
    private List<Path> frozenBase;
    private FineTuneListener listener = FineTuneListener.NONE;
    private Precision precision = Precision.FP32;
    private LossScaler.Config lossScaling;
    private String dataHash;
    private List<Path> dataFiles;
    private boolean allowRecipeChange;

    private Builder() {}

    /**
     * Sets every parameter of the model (trainable or not; all are saved in checkpoints), all on one device (the
     * trainer's).
     *
     * @param params the parameters by name
     * @return this builder
     */
    public Builder setParameters(Map<String, NDArray> params) {
      requireNonNull(params, "params");
      checkArgument(!params.isEmpty(), "no parameters given");
      this.params = params;
      return this;
    }

    /**
     * Sets the optimizer.
     *
     * @param optimizer for example {@code AdamWOptimizer.paperStage2().create()}
     * @return this builder
     */
    public Builder setOptimizer(ParameterOptimizer optimizer) {
      this.optimizer = requireNonNull(optimizer, "optimizer");
      return this;
    }

    /**
     * Sets the learning-rate schedule.
     *
     * @param schedule the schedule
     * @return this builder
     */
    public Builder setSchedule(LrSchedule schedule) {
      this.schedule = requireNonNull(schedule, "schedule");
      return this;
    }

    /**
     * Sets the total number of optimizer steps.
     *
     * @param steps at least 1
     * @return this builder
     */
    public Builder setSteps(long steps) {
      checkArgument(steps >= 1, "steps must be >= 1, got %s", steps);
      this.steps = steps;
      return this;
    }

    /**
     * Stops training after this step, with a checkpoint, although the recipe has more steps (the schedule still
     * runs to {@link #setSteps}): for time-boxed sessions that a later run with the same recipe resumes.
     *
     * @param step the last step to run, at least 1
     * @return this builder
     */
    public Builder optStopAfter(long step) {
      checkArgument(step >= 1, "stopAfter must be >= 1, got %s", step);
      this.stopAfter = step;
      return this;
    }

    /**
     * Sets which parameters train (default: all).
     *
     * @param selection the selection
     * @return this builder
     */
    public Builder optSelection(ParameterSelection selection) {
      this.selection = requireNonNull(selection, "selection");
      return this;
    }

    /**
     * Sets the number of micro-batches per optimizer step (default 1).
     *
     * @param micro at least 1
     * @return this builder
     */
    public Builder optAccumulation(int micro) {
      checkArgument(micro >= 1, "accumulation must be >= 1, got %s", micro);
      this.accumulation = micro;
      return this;
    }

    /**
     * Sets the global gradient-norm clip (default 1.0; 0 disables clipping).
     *
     * @param maxNorm the largest global norm
     * @return this builder
     */
    public Builder optClipNorm(double maxNorm) {
      checkArgument(maxNorm >= 0 && Double.isFinite(maxNorm), "clip norm must be finite and >= 0, got %s", maxNorm);
      this.clipNorm = maxNorm;
      return this;
    }

    /**
     * Keeps an exponential moving average of the trainable parameters (default: none).
     *
     * @param decay the decay in [0, 1)
     * @return this builder
     */
    public Builder optEma(double decay) {
      checkArgument(decay >= 0 && decay < 1, "EMA decay must be in [0, 1), got %s", decay);
      this.emaDecay = decay;
      return this;
    }

    /**
     * Sets the seed of every micro-batch's random source (default 0).
     *
     * @param seed the seed
     * @return this builder
     */
    public Builder optSeed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Sets the run folder for metrics, provenance and checkpoints (default: none).
     *
     * @param dir the folder
     * @return this builder
     */
    public Builder optRunDir(Path dir) {
      this.runDir = requireNonNull(dir, "dir");
      return this;
    }

    /**
     * Checkpoints every this many steps, besides after the last (default 0: the last only).
     *
     * @param steps the interval, or 0
     * @return this builder
     */
    public Builder optCheckpointEvery(long steps) {
      checkArgument(steps >= 0, "checkpointEvery must be >= 0, got %s", steps);
      this.checkpointEvery = steps;
      return this;
    }

    /**
     * Sets how many samples one micro-batch holds, for the samples/s figure (default 1).
     *
     * @param n at least 1
     * @return this builder
     */
    public Builder optSamplesPerMicroBatch(int n) {
      checkArgument(n >= 1, "samples per micro-batch must be >= 1, got %s", n);
      this.samplesPerStep = n;
      return this;
    }

    /**
     * Sets the full training config recorded in checkpoints and compared on resume.
     *
     * @param json a JSON object
     * @return this builder
     */
    public Builder optConfig(String json) {
      requireNonNull(json, "json");
      try {
        checkArgument(JSON.readTree(json).isObject(), "config must be a JSON object");
      } catch (IOException e) {
        throw new IllegalArgumentException("config is not valid JSON: " + e.getMessage(), e);
      }
      this.config = json;
      return this;
    }

    /**
     * Sets provenance facts recorded in checkpoints (data index hash, code version, ...).
     *
     * @param facts the facts
     * @return this builder
     */
    public Builder optProvenance(Map<String, String> facts) {
      this.provenance = Map.copyOf(requireNonNull(facts, "facts"));
      return this;
    }

    /**
     * Sets the compute precision (default FP32).
     *
     * @param precision the precision
     * @return this builder
     */
    public Builder optPrecision(Precision precision) {
      this.precision = requireNonNull(precision, "precision");
      return this;
    }

    /**
     * Sets the fp16 loss scaler's settings (FP16 only; default {@link LossScaler.Config#defaults()}).
     *
     * @param config the settings
     * @return this builder
     */
    public Builder optLossScaling(LossScaler.Config config) {
      this.lossScaling = requireNonNull(config, "config");
      return this;
    }

    /**
     * Sets the data's hash for provenance (compared on resume).
     *
     * @param hash for example a dataset index's SHA-256
     * @return this builder
     */
    public Builder optDataHash(String hash) {
      this.dataHash = requireNonNull(hash, "hash");
      return this;
    }

    /**
     * Hashes data files for provenance ({@link RunProvenance#dataHash}).
     *
     * @param files the files
     * @return this builder
     */
    public Builder optDataFiles(Collection<Path> files) {
      requireNonNull(files, "files");
      checkArgument(!files.isEmpty(), "dataFiles needs at least one file");
      this.dataFiles = List.copyOf(files);
      return this;
    }

    /**
     * Lets {@link #resume()} continue from a checkpoint written with another recipe (a new schedule, more steps,
     * ...); the run's provenance then records the changes and the previous config. Default: refuse.
     *
     * @param allow whether to allow it
     * @return this builder
     */
    public Builder optAllowRecipeChange(boolean allow) {
      this.allowRecipeChange = allow;
      return this;
    }

    /**
     * Writes trainable-only checkpoints: {@code weights.safetensors} then holds only the selected parameters (and
     * their EMA), streamed tensor by tensor, and {@code state.json} refers to the frozen base by these files'
     * absolute paths and SHA-256 hashes. {@link #resume()} loads the trainable parameters from the checkpoint,
     * expects the caller to have loaded the frozen ones from the same files, and refuses with a {@link
     * FrozenBaseChangedException} naming the file when one has changed or is missing. Hashing reads every byte of
     * the base once per trainer (about a minute for a 24 GB transformer). Default: every parameter is saved.
     *
     * @param files the safetensors files the frozen parameters were loaded from
     * @return this builder
     */
    public Builder optFrozenBase(Collection<Path> files) {
      requireNonNull(files, "files");
      checkArgument(!files.isEmpty(), "frozenBase needs at least one file");
      this.frozenBase = List.copyOf(files);
      return this;
    }

    /**
     * Sets the progress listener.
     *
     * @param listener the listener (default: none)
     * @return this builder
     */
    public Builder optListener(FineTuneListener listener) {
      this.listener = requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Builds the trainer and marks the selected parameters trainable.
     *
     * @return the trainer
     * @throws IllegalStateException if a required setting is missing
     * @throws IllegalArgumentException if the selection matches no parameter
     * @throws DeviceException if the parameters are not all on one device
     */
    public FineTuner build() {
      checkState(params != null, "parameters are required");
      checkState(optimizer != null, "an optimizer is required");
      checkState(schedule != null, "a learning-rate schedule is required");
      checkState(steps >= 1, "the number of steps is required");
      checkState(
          lossScaling == null || precision == Precision.FP16, "lossScaling applies only to Precision.FP16");
      checkState(dataHash == null || dataFiles == null, "give either dataHash or dataFiles, not both");
      if (dataFiles != null) {
        dataHash = RunProvenance.dataHash(dataFiles);
      }
      return new FineTuner(this);
    }
  }
}
