package io.gptedit.models.train;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
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
 * <p>Randomness: the loss function gets a {@link SplittableRandom} seeded from {@code (seed, step, micro)}; if
 * it draws batches and noise only from it (noise through {@code io.gptedit.models.flow.SeededNoise}), the run is
 * a pure function of the seed and the step, so a run resumed from a checkpoint continues bit-exactly on CPU.
 *
 * <p>With a run folder the trainer appends one JSON line per step to {@code metrics.jsonl} (keys {@code step},
 * {@code loss}, {@code lr}, {@code grad_norm}, {@code samples_per_s}) and writes a checkpoint through {@link
 * Checkpoints} every {@code checkpointEvery} steps and after the last step. The EMA weights, when kept, are saved
 * in the checkpoint's weights file under the prefix {@value #EMA_PREFIX}.
 */
public final class Trainer implements AutoCloseable {
  /** The name prefix of EMA weights inside a checkpoint's weights file. */
  public static final String EMA_PREFIX = "__ema__/";

  /** How many non-finite steps in a row end a run. */
  public static final int MAX_CONSECUTIVE_SKIPS = 5;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

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
   */
  public record StepContext(long step, int micro, NDManager manager, SplittableRandom random) {
    /** Validates the context. */
    public StepContext {
      requireNonNull(manager, "manager");
      requireNonNull(random, "random");
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
  private final ParameterSelection selection;
  private final Optimizer optimizer;
  private final LrSchedule schedule;
  private final long totalSteps;
  private final int accumulation;
  private final double clipNorm;
  private final long seed;
  private final Path runDir;
  private final long checkpointEvery;
  private final int samplesPerStep;
  private final String config;
  private final Map<String, String> provenance;
  private final TrainingListener listener;
  private final NDManager base;
  private final Ema ema;
  private long step;
  private int consecutiveSkips;

  private Trainer(Builder b) {
    this.params = Collections.unmodifiableMap(new LinkedHashMap<>(b.params));
    this.selection = b.selection;
    List<String> names = selection.select(params.keySet());
    Map<String, NDArray> t = new LinkedHashMap<>();
    for (String n : names) {
      t.put(n, params.get(n));
    }
    this.trainable = Collections.unmodifiableMap(t);
    params.forEach((n, a) -> a.setRequiresGradient(trainable.containsKey(n)));
    this.optimizer = b.optimizer;
    this.schedule = b.schedule;
    this.totalSteps = b.steps;
    this.accumulation = b.accumulation;
    this.clipNorm = b.clipNorm;
    this.seed = b.seed;
    this.runDir = b.runDir;
    this.checkpointEvery = b.checkpointEvery;
    this.samplesPerStep = b.samplesPerStep;
    this.config = b.config;
    Map<String, String> prov = new LinkedHashMap<>(b.provenance);
    prov.put("selection", selection.description());
    prov.put("trainable_parameters", Integer.toString(trainable.size()));
    this.provenance = prov;
    this.listener = b.listener;
    NDArray first = trainable.values().iterator().next();
    this.base = NDManager.newBaseManager(first.getDevice());
    this.ema = Double.isNaN(b.emaDecay) ? null : new Ema(trainable, b.emaDecay);
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
   * Returns the EMA weights of the trainable parameters, if an EMA is kept.
   *
   * @return live arrays owned by the trainer, or empty
   */
  public Optional<Map<String, NDArray>> emaWeights() {
    return ema == null ? Optional.empty() : Optional.of(Collections.unmodifiableMap(ema.weights()));
  }

  /**
   * Continues from the run folder's latest checkpoint, if there is one: copies its weights into the parameters,
   * restores the optimizer and the EMA, sets the step and drops later lines from {@code metrics.jsonl}.
   *
   * @return the step resumed at (0 when there is no checkpoint)
   * @throws IllegalStateException if the trainer has no run folder, has already stepped, or the checkpoint was
   *     written with another seed or lacks a parameter
   */
  public long resume() {
    checkState(runDir != null, "resume needs a run folder");
    checkState(step == 0, "resume must be called before training");
    Optional<Path> latest = Checkpoints.latest(runDir);
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
      for (Map.Entry<String, NDArray> e : params.entrySet()) {
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
      step = loaded.state().step();
    }
    truncateMetrics(step);
    return step;
  }

  /**
   * Trains from the current step up to the configured number of steps.
   *
   * @param lossFunction computes one micro-batch's loss
   * @return the metrics of the steps this call ran
   * @throws DivergedException after {@value #MAX_CONSECUTIVE_SKIPS} non-finite steps in a row
   */
  public List<StepMetrics> train(LossFunction lossFunction) {
    requireNonNull(lossFunction, "lossFunction");
    List<StepMetrics> out = new ArrayList<>();
    while (step < totalSteps) {
      StepMetrics m = runStep(lossFunction);
      out.add(m);
      writeMetrics(m);
      listener.onStep(m);
      if (runDir != null && (step == totalSteps || (checkpointEvery > 0 && step % checkpointEvery == 0))) {
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
    checkState(runDir != null, "checkpoints need a run folder");
    Map<String, NDArray> weights = new LinkedHashMap<>(params);
    if (ema != null) {
      ema.weights().forEach((n, a) -> weights.put(EMA_PREFIX + n, a));
    }
    return Checkpoints.save(runDir, weights, optimizer, new Checkpoints.State(step, seed, config, provenance));
  }

  private StepMetrics runStep(LossFunction fn) {
    long t0 = System.nanoTime();
    double lr = schedule.at(step);
    double lossSum = 0;
    for (int micro = 0; micro < accumulation; micro++) {
      SplittableRandom random = new SplittableRandom(mix(seed, step, micro));
      try (NDManager m = base.newSubManager()) {
        StepContext ctx = new StepContext(step, micro, m, random);
        try (GradientCollector gc = m.getEngine().newGradientCollector()) {
          NDArray loss = fn.loss(ctx);
          checkArgument(loss.getShape().isScalar(), "the loss must be a scalar, got shape %s", loss.getShape());
          double value = loss.getFloat();
          lossSum += value;
          gc.backward(accumulation == 1 ? loss : loss.div(accumulation));
        }
      }
    }
    Map<String, NDArray> grads = new LinkedHashMap<>();
    double norm;
    boolean skipped;
    try {
      for (Map.Entry<String, NDArray> e : trainable.entrySet()) {
        NDArray g;
        try {
          g = e.getValue().getGradient();
        } catch (IllegalStateException ex) {
          throw new IllegalStateException(
              "trainable parameter '" + e.getKey() + "' got no gradient: the loss does not use it", ex);
        }
        grads.put(e.getKey(), g);
      }
      norm = GradientClipping.globalNorm(grads.values());
      skipped = !Double.isFinite(norm) || !Double.isFinite(lossSum);
      if (skipped) {
        consecutiveSkips++;
        if (consecutiveSkips >= MAX_CONSECUTIVE_SKIPS) {
          throw new DivergedException(
              "loss " + lossSum / accumulation + ", gradient norm " + norm + " at step " + step + ": "
                  + consecutiveSkips + " non-finite steps in a row");
        }
      } else {
        consecutiveSkips = 0;
        if (clipNorm > 0 && norm > clipNorm) {
          GradientClipping.clipGlobalNorm(grads.values(), clipNorm);
        }
        optimizer.step(trainable, grads, lr);
        if (ema != null) {
          ema.update(trainable);
        }
      }
    } finally {
      // A fill, not g *= 0, so that a NaN gradient does not survive into the next step. The zero lives in a
      // manager of ours: set(index, Number) would leave one scalar per call in the parameters' manager.
      try (NDManager z = base.newSubManager()) {
        NDArray zero = z.create(0f);
        for (NDArray g : grads.values()) {
          g.set(new NDIndex(":"), zero);
          g.close();
        }
      }
    }
    step++;
    double seconds = (System.nanoTime() - t0) / 1e9;
    return new StepMetrics(
        step, lossSum / accumulation, lr, norm, samplesPerStep * accumulation / seconds, skipped);
  }

  /** Mixes the run seed, step and micro-batch into one well-spread seed. */
  static long mix(long seed, long step, int micro) {
    long z = seed * GOLDEN + step;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L + micro;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private void writeMetrics(StepMetrics m) {
    if (runDir == null) {
      return;
    }
    ObjectNode line = JSON.createObjectNode();
    line.put("step", m.step());
    line.put("loss", m.loss());
    line.put("lr", m.lr());
    line.put("grad_norm", m.gradNorm());
    line.put("samples_per_s", m.samplesPerSecond());
    if (m.skipped()) {
      line.put("skipped", true);
    }
    Path file = runDir.resolve("metrics.jsonl");
    try {
      Files.createDirectories(runDir);
      try (BufferedWriter w =
          Files.newBufferedWriter(
              file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
        w.write(JSON.writeValueAsString(line));
        w.write('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to " + file, e);
    }
  }

  private void truncateMetrics(long upTo) {
    Path file = runDir.resolve("metrics.jsonl");
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
      throw new UncheckedIOException("cannot rewrite " + file, e);
    }
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

  /** Configures a {@link Trainer}; parameters, optimizer, schedule and steps are required. */
  public static final class Builder {
    private Map<String, NDArray> params;
    private ParameterSelection selection = ParameterSelection.all();
    private Optimizer optimizer;
    private LrSchedule schedule;
    private long steps = -1;
    private int accumulation = 1;
    private double clipNorm = 1.0;
    private double emaDecay = Double.NaN;
    private long seed;
    private Path runDir;
    private long checkpointEvery;
    private int samplesPerStep = 1;
    private String config = "{}";
    private Map<String, String> provenance = Map.of();
    private TrainingListener listener = TrainingListener.NONE;

    private Builder() {}

    /**
     * Sets every parameter of the model (trainable or not; all are saved in checkpoints).
     *
     * @param params the parameters by name
     * @return this builder
     */
    public Builder parameters(Map<String, NDArray> params) {
      requireNonNull(params, "params");
      checkArgument(!params.isEmpty(), "no parameters given");
      this.params = params;
      return this;
    }

    /**
     * Sets which parameters are trained (default: all); the others get {@code requiresGradient(false)}.
     *
     * @param selection the selection
     * @return this builder
     */
    public Builder selection(ParameterSelection selection) {
      this.selection = requireNonNull(selection, "selection");
      return this;
    }

    /**
     * Sets the optimizer; the trainer owns it from now on and closes it.
     *
     * @param optimizer a fresh optimizer, such as {@code AdamW.defaults().create()}
     * @return this builder
     */
    public Builder optimizer(Optimizer optimizer) {
      this.optimizer = requireNonNull(optimizer, "optimizer");
      return this;
    }

    /**
     * Sets the learning-rate schedule.
     *
     * @param schedule the schedule, indexed by the 0-based step
     * @return this builder
     */
    public Builder schedule(LrSchedule schedule) {
      this.schedule = requireNonNull(schedule, "schedule");
      return this;
    }

    /**
     * Sets the total number of optimizer steps.
     *
     * @param steps at least 1
     * @return this builder
     */
    public Builder steps(long steps) {
      checkArgument(steps >= 1, "steps must be >= 1, got %s", steps);
      this.steps = steps;
      return this;
    }

    /**
     * Sets the number of micro-batches whose gradients are summed (each scaled by {@code 1/n}) per step.
     *
     * @param micro at least 1 (default 1)
     * @return this builder
     */
    public Builder accumulation(int micro) {
      checkArgument(micro >= 1, "accumulation must be >= 1, got %s", micro);
      this.accumulation = micro;
      return this;
    }

    /**
     * Sets the global gradient-norm clip.
     *
     * @param maxNorm the largest norm (default 1.0), or 0 for no clipping
     * @return this builder
     */
    public Builder clipNorm(double maxNorm) {
      checkArgument(maxNorm >= 0 && Double.isFinite(maxNorm), "clipNorm must be finite and >= 0, got %s", maxNorm);
      this.clipNorm = maxNorm;
      return this;
    }

    /**
     * Keeps an exponential moving average of the trainable weights.
     *
     * @param decay the decay in [0, 1)
     * @return this builder
     */
    public Builder ema(double decay) {
      checkArgument(decay >= 0 && decay < 1, "EMA decay must be in [0, 1), got %s", decay);
      this.emaDecay = decay;
      return this;
    }

    /**
     * Sets the run seed every step's random source derives from.
     *
     * @param seed the seed (default 0)
     * @return this builder
     */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Sets the run folder for {@code metrics.jsonl} and checkpoints (default: none, nothing is written).
     *
     * @param dir the folder, created when needed
     * @return this builder
     */
    public Builder runDir(Path dir) {
      this.runDir = requireNonNull(dir, "dir");
      return this;
    }

    /**
     * Sets how often to checkpoint (a run folder always gets one after the last step).
     *
     * @param steps every this many steps, or 0 for only at the end
     * @return this builder
     */
    public Builder checkpointEvery(long steps) {
      checkArgument(steps >= 0, "checkpointEvery must be >= 0, got %s", steps);
      this.checkpointEvery = steps;
      return this;
    }

    /**
     * Sets the number of samples in one micro-batch, for the throughput figure.
     *
     * @param n at least 1 (default 1)
     * @return this builder
     */
    public Builder samplesPerMicroBatch(int n) {
      checkArgument(n >= 1, "samples per micro-batch must be >= 1, got %s", n);
      this.samplesPerStep = n;
      return this;
    }

    /**
     * Sets the full training config recorded in checkpoints.
     *
     * @param json a JSON object as text
     * @return this builder
     * @throws IllegalArgumentException if the text is not a JSON object
     */
    public Builder config(String json) {
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
    public Builder provenance(Map<String, String> facts) {
      this.provenance = Map.copyOf(facts);
      return this;
    }

    /**
     * Sets the progress listener.
     *
     * @param listener the listener (default: none)
     * @return this builder
     */
    public Builder listener(TrainingListener listener) {
      this.listener = requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Builds the trainer and marks the selected parameters trainable.
     *
     * @return the trainer
     * @throws IllegalStateException if a required setting is missing
     * @throws IllegalArgumentException if the selection matches no parameter
     */
    public Trainer build() {
      checkState(params != null, "parameters are required");
      checkState(optimizer != null, "an optimizer is required");
      checkState(schedule != null, "a learning-rate schedule is required");
      checkState(steps >= 1, "the number of steps is required");
      return new Trainer(this);
    }
  }
}
