package io.gptedit.models.train;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gptedit.core.GpteditException;
import io.gptedit.models.conditioning.TextFusion;
import io.gptedit.models.editor.EditDenoiser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fine-tunes an editor: the one training path of the SDK, used by the edit lab, {@code gptedit train} and the
 * throughput benchmark alike. It puts the paradigm's denoiser parameters and the text fusion's connector into a
 * {@link FineTuner} with the recipe's optimizer (AdamW), schedule (linear warm-up, cosine to a floor), clipping,
 * EMA and checkpoints, trains the {@link EditObjective} on the batches a {@link EditBatchSource} draws, and writes
 * the editor's spec ({@link EditorCheckpoint}) into the run folder first, so every checkpoint of the run loads
 * into an editor.
 *
 * <p>With {@link Config#precision()} {@link Precision#FP16} the trainer keeps float32 master weights and the
 * objective runs the denoiser and the fusion's connector over its float16 copies (mixed precision with dynamic loss
 * scaling, see {@link FineTuner}); every paradigm's denoiser can (Kontext, SigLIP tokens, channel-wise on Flux or
 * SD3), a METAQUERY fusion cannot and is refused before anything is written ({@link
 * PrecisionNotSupportedException}). The precision is part of the recipe a resume compares.
 *
 * @since 0.1
 */
public final class EditFineTuning {
  private static final ObjectMapper JSON = new ObjectMapper();

  private EditFineTuning() {}

  /**
   * The recipe.
   *
   * @param steps optimizer steps
   * @param samplesPerMicroBatch samples per micro-batch (for the samples/s figure)
   * @param accumulation micro-batches per step
   * @param lr the peak learning rate
   * @param warmup linear warm-up steps
   * @param floorFraction the cosine's end, as a fraction of the peak
   * @param optimizer AdamW's hyper-parameters
   * @param clipNorm the global gradient-norm clip (0 for none)
   * @param ema the decay of an exponential moving average sampled after training, or 0 for none
   * @param seed the seed of every random draw (noise, flow times)
   * @param checkpointEvery checkpoint every this many steps (and after the last); 0 for the last only
   * @param selection which parameters train
   * @param objective the objective's settings
   * @param precision the compute precision: FP32, or FP16 (float16 forward and backward over float32 masters)
   */
  public record Config(
      long steps,
      int samplesPerMicroBatch,
      int accumulation,
      double lr,
      long warmup,
      double floorFraction,
      AdamWOptimizer optimizer,
      double clipNorm,
      double ema,
      long seed,
      long checkpointEvery,
      ParameterSelection selection,
      EditObjective.Config objective,
      Precision precision) {
    /** Validates the recipe. */
    public Config {
      checkArgument(steps >= 1, "steps must be >= 1, got %s", steps);
      checkArgument(samplesPerMicroBatch >= 1 && accumulation >= 1, "batch and accumulation must be >= 1");
      checkArgument(lr > 0 && Double.isFinite(lr), "lr must be positive, got %s", lr);
      checkArgument(warmup >= 0 && warmup < steps, "warmup must be in [0, steps), got %s", warmup);
      checkArgument(floorFraction >= 0 && floorFraction <= 1, "floorFraction must be in [0, 1]");
      requireNonNull(optimizer, "optimizer");
      checkArgument(clipNorm >= 0, "clipNorm must be >= 0");
      checkArgument(ema >= 0 && ema < 1, "ema must be in [0, 1)");
      checkArgument(checkpointEvery >= 0, "checkpointEvery must be >= 0");
      requireNonNull(selection, "selection");
      requireNonNull(objective, "objective");
      requireNonNull(precision, "precision");
    }

    /**
     * A float32 recipe (the precision every recipe had before mixed precision).
     *
     * @param steps optimizer steps
     * @param samplesPerMicroBatch samples per micro-batch
     * @param accumulation micro-batches per step
     * @param lr the peak learning rate
     * @param warmup linear warm-up steps
     * @param floorFraction the cosine's end, as a fraction of the peak
     * @param optimizer AdamW's hyper-parameters
     * @param clipNorm the global gradient-norm clip (0 for none)
     * @param ema the EMA decay, or 0 for none
     * @param seed the seed of every random draw
     * @param checkpointEvery checkpoint every this many steps; 0 for the last only
     * @param selection which parameters train
     * @param objective the objective's settings
     */
    public Config(
        long steps,
        int samplesPerMicroBatch,
        int accumulation,
        double lr,
        long warmup,
        double floorFraction,
        AdamWOptimizer optimizer,
        double clipNorm,
        double ema,
        long seed,
        long checkpointEvery,
        ParameterSelection selection,
        EditObjective.Config objective) {
      this(steps, samplesPerMicroBatch, accumulation, lr, warmup, floorFraction, optimizer, clipNorm, ema, seed,
          checkpointEvery, selection, objective, Precision.FP32);
    }

    /**
     * Returns this recipe in another precision.
     *
     * @param value FP32 or FP16
     * @return the recipe
     */
    public Config withPrecision(Precision value) {
      return new Config(steps, samplesPerMicroBatch, accumulation, lr, warmup, floorFraction, optimizer, clipNorm,
          ema, seed, checkpointEvery, selection, objective, value);
    }

    /**
     * Returns the learning-rate schedule.
     *
     * @return linear warm-up, then cosine from the peak to {@code floorFraction} of it
     */
    public LrSchedule schedule() {
      return new LrSchedule.Cosine(lr, lr * floorFraction, warmup, steps);
    }
  }

  /**
   * What a run produced.
   *
   * @param metrics every step's metrics of the whole run (read back from the run folder after a resume)
   * @param seconds wall-clock time of this call's training
   * @param resumedFrom the step the run resumed at (0 for a fresh run)
   * @param parameters the number of trainable values
   */
  public record Result(List<StepMetrics> metrics, double seconds, long resumedFrom, long parameters) {
    /** Copies the list. */
    public Result {
      metrics = List.copyOf(metrics);
    }
  }

  /**
   * Returns the parameters a fine-tuning of this denoiser and fusion trains (before selection).
   *
   * @param denoiser the paradigm's denoiser
   * @param text the text fusion
   * @return the denoiser's parameters then the connector's, by name
   * @throws IllegalArgumentException if two share a name
   */
  public static Map<String, NDArray> parameters(EditDenoiser denoiser, TextFusion text) {
    Map<String, NDArray> all = new LinkedHashMap<>(denoiser.parameters());
    text.trainableParameters().forEach((n, a) -> {
      checkArgument(all.putIfAbsent(n, a) == null, "the denoiser and the text fusion both have a parameter '%s'", n);
    });
    return Collections.unmodifiableMap(all);
  }

  /**
   * Trains.
   *
   * @param config the recipe
   * @param denoiser the paradigm's denoiser
   * @param text the text fusion
   * @param collator the collator over the same denoiser and fusion
   * @param batches each step's examples
   * @param spec the editor's spec, written to {@code runDir/editor.json} (null to skip)
   * @param runDir the run folder (metrics, provenance, checkpoints)
   * @param resume whether to continue from the run folder's latest checkpoint (its recipe must match)
   * @param provenance facts recorded with every checkpoint (data hashes, ...)
   * @param configJson the caller's full config as JSON, recorded with every checkpoint and compared on resume
   * @param listener progress
   * @return the metrics and timing
   * @throws PrecisionNotSupportedException if the editor cannot train in the recipe's precision (checked first)
   */
  public static Result run(
      Config config,
      EditDenoiser denoiser,
      TextFusion text,
      EditCollator collator,
      EditBatchSource batches,
      EditorSpec spec,
      Path runDir,
      boolean resume,
      Map<String, String> provenance,
      String configJson,
      FineTuneListener listener) {
    requireNonNull(runDir, "runDir");
    requireSupported(config.precision(), denoiser, text);
    if (!resume) {
      deleteTree(runDir); // a fresh run: no stale checkpoint may be resumed from later
    }
    if (spec != null) {
      EditorCheckpoint.writeSpec(runDir, spec);
    }
    Map<String, NDArray> params = parameters(denoiser, text);
    EditObjective objective = new EditObjective(denoiser, text, collator, batches, config.objective());
    long t0 = System.nanoTime();
    FineTuner.Builder b =
        FineTuner.builder()
            .setParameters(params)
            .optSelection(config.selection())
            .setOptimizer(config.optimizer().create())
            .setSchedule(config.schedule())
            .optPrecision(config.precision())
            .setSteps(config.steps())
            .optAccumulation(config.accumulation())
            .optClipNorm(config.clipNorm())
            .optSeed(config.seed())
            .optSamplesPerMicroBatch(config.samplesPerMicroBatch())
            .optRunDir(runDir)
            .optCheckpointEvery(config.checkpointEvery())
            .optConfig(configJson)
            .optProvenance(provenance)
            .optListener(listener);
    if (config.ema() > 0) {
      b.optEma(config.ema());
    }
    List<StepMetrics> metrics;
    long from;
    long count;
    try (FineTuner tuner = b.build()) {
      count = tuner.trainableNames().stream().mapToLong(n -> params.get(n).size()).sum();
      from = resume ? tuner.resume() : 0;
      metrics = tuner.train(objective);
      if (from > 0) {
        metrics = readMetrics(runDir.resolve("metrics.jsonl"));
      }
      // Sample with the averaged weights when an EMA was kept (the tuner owns them until it closes).
      tuner.emaWeights().ifPresent(avg -> avg.forEach((name, a) -> a.copyTo(params.get(name))));
    }
    return new Result(metrics, (System.nanoTime() - t0) / 1e9, from, count);
  }

  /**
   * Checks that an editor can train in a precision: every paradigm's denoiser can in FP16, a METAQUERY fusion cannot
   * (its learned queries run through the frozen MLLM, which computes in float32).
   *
   * @param precision the precision
   * @param denoiser the paradigm's denoiser
   * @param text the text fusion
   * @throws PrecisionNotSupportedException naming the part that cannot
   */
  public static void requireSupported(Precision precision, EditDenoiser denoiser, TextFusion text) {
    requireNonNull(precision, "precision");
    if (precision == Precision.FP16 && text.config().mode() == TextFusion.Mode.METAQUERY) {
      throw new PrecisionNotSupportedException(
          "a " + denoiser.paradigm().tag() + " editor with the METAQUERY text fusion cannot train in fp16: its"
              + " learned queries run through the frozen MLLM, which computes in float32; train it in fp32");
    }
  }

  /**
   * Reads a run's {@code metrics.jsonl}.
   *
   * @param file the file
   * @return one entry per line
   */
  public static List<StepMetrics> readMetrics(Path file) {
    List<StepMetrics> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode n = JSON.readTree(line);
        out.add(
            new StepMetrics(
                n.path("step").asLong(), n.path("loss").asDouble(Double.NaN), n.path("lr").asDouble(),
                n.path("grad_norm").asDouble(Double.NaN), n.path("samples_per_s").asDouble(Double.NaN),
                n.path("skipped").asBoolean(false)));
      }
    } catch (IOException e) {
      throw new GpteditException("cannot read " + file + ": " + e, e);
    }
    return out;
  }

  /**
   * Deletes a run folder and everything in it (for throw-away runs such as throughput measurements).
   *
   * @param runDir the folder; nothing happens if it does not exist
   */
  public static void deleteRunFolder(Path runDir) {
    deleteTree(runDir);
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (java.util.stream.Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new GpteditException("cannot delete " + root + ": " + e, e);
    }
  }
}
