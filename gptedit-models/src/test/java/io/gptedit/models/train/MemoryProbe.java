package io.gptedit.models.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gptedit.models.flow.SeededNoise;
import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.flux.FluxInput;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.flux.LatentPacking;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Measures the peak resident memory of Flux/Kontext training steps on the CPU beside {@link MemoryPlanner}'s
 * prediction for the same setup (float32 weights, every parameter trained with AdamW, batch {@code B}).
 *
 * <p>Linux only: the peak is the process's {@code VmHWM} after resetting it ({@code /proc/self/clear_refs}, "5")
 * once the engine is warm, minus {@code VmRSS} at that moment; the JVM heap is pre-touched and fixed
 * ({@code -Xms = -Xmx}, {@code -XX:+AlwaysPreTouch}) so that Java objects do not move the figure. Prints one line:
 * {@code predicted=<bytes> measured=<bytes> ratio=<measured/predicted> ... stepBuffers=.. stepTemporaries=..}.
 *
 * <p>Arguments: double blocks, single blocks, heads, head dim, latent side (image tokens per side, noisy and
 * condition each), text tokens, batch, checkpointing (true/false), steps.
 */
public final class MemoryProbe {
  /**
   * The system property that sets the warm-up run's batch (default 1, the method of every row in
   * docs/benchmarks.md); set to the measured batch, a one-time engine allocation made on the first step of a new
   * batch shape is no longer counted, but memory the warm-up freed is then reused (docs/benchmarks.md, SD3).
   */
  static final String WARM_BATCH = "gptedit.probe.warmBatch";

  /** The warm-up run's batch: {@value #WARM_BATCH}, default 1. */
  static int warmBatch() {
    return Integer.getInteger(WARM_BATCH, 1);
  }

  private MemoryProbe() {}

  public static void main(String[] args) throws IOException {
    // The measurement needs freed tensors to leave the resident set (MALLOC_MMAP_THRESHOLD_=65536 in the
    // environment): keep the library from raising glibc's thresholds.
    System.setProperty(io.gptedit.models.nn.CpuAllocator.PROPERTY, "system");
    int dbl = Integer.parseInt(args[0]);
    int sgl = Integer.parseInt(args[1]);
    int heads = Integer.parseInt(args[2]);
    int headDim = Integer.parseInt(args[3]);
    int side = Integer.parseInt(args[4]);
    int text = Integer.parseInt(args[5]);
    int batch = Integer.parseInt(args[6]);
    boolean ckpt = Boolean.parseBoolean(args[7]);
    int steps = Integer.parseInt(args[8]);
    FluxConfig c = new FluxConfig(64, 64, dbl, sgl, heads, headDim, heads * headDim, 64, true,
        new int[] {headDim / 2, headDim / 4, headDim / 4}, 10000, 4);
    // Warm the engine with the same kinds of ops on a tiny model (at batch 1 unless WARM_BATCH says otherwise), so
    // that thread pools and kernels' one-time buffers are not counted.
    int warmBatch = warmBatch();
    long peak = peakAfterWarmUp(
        () -> run(c.resized(1, 1, heads, headDim, c.axesDims()), warmBatch, side, text, ckpt, 1),
        () -> run(c, batch, side, text, ckpt, steps));
    long tokens = 2L * side * side + text;
    long params = MemoryPlanner.parameters(c);
    long act = MemoryPlanner.fluxActivationsPerSample(c, tokens, 4, ckpt);
    MemoryPlanner.Plan plan = MemoryPlanner.plan(
        new MemoryPlanner.Setup(params, params, false, MemoryPlanner.OptimizerState.ADAMW_FP32, 1, act), batch);
    report(plan, peak, params, tokens);
  }

  /** Prints a probe's one line (the format {@code MemoryPlannerMeasuredTest} reads), for this probe and SD3's. */
  static void report(MemoryPlanner.Plan plan, long peak, long params, long tokens) {
    System.out.printf(Locale.ROOT,
        "predicted=%d measured=%d ratio=%.3f params=%d tokens=%d weights=%d grads=%d optimizer=%d activations=%d"
            + " stepBuffers=%d stepTemporaries=%d%n",
        plan.total(), peak, peak / (double) plan.total(), params, tokens, plan.weights(), plan.gradients(),
        plan.optimizer(), plan.activations(), plan.stepBuffers(), plan.stepTemporaries());
    System.out.flush();
  }

  static void run(FluxConfig c, int batch, int side, int text, boolean ckpt, int steps) {
    run(c, batch, side, text, ckpt, steps, step -> {});
  }

  /** Trains as above, calling {@code atStep} with the step number at the start of each step's loss. */
  static void run(
      FluxConfig c, int batch, int side, int text, boolean ckpt, int steps, java.util.function.LongConsumer atStep) {
    try (FluxTransformer model = FluxTransformer.random(c, 3)) {
      model.setActivationCheckpointing(ckpt);
      Map<String, NDArray> params = new LinkedHashMap<>(model.parameters().asMap());
      int[][] noisyIds = LatentPacking.imageIds(0, side, side);
      int[][] condIds = LatentPacking.imageIds(1, side, side);
      int[][] ids = new int[noisyIds.length + condIds.length][];
      System.arraycopy(noisyIds, 0, ids, 0, noisyIds.length);
      System.arraycopy(condIds, 0, ids, noisyIds.length, condIds.length);
      long imageTokens = 2L * side * side;
      try (FineTuner t = FineTuner.builder()
          .setParameters(params)
          .setOptimizer(new AdamWOptimizer(0.9, 0.99, 1e-8, 0.01).create())
          .setSchedule(new LrSchedule.Cosine(1e-4, 1e-5, 0, steps))
          .setSteps(steps)
          .optSeed(1)
          .optSamplesPerMicroBatch(batch)
          .build()) {
        t.train(ctx -> {
          atStep.accept(ctx.step());
          NDManager s = ctx.manager();
          NDArray x = SeededNoise.gaussian(s, 7, new Shape(batch, imageTokens, c.inChannels()));
          NDArray target = SeededNoise.gaussian(s, 8, new Shape(batch, imageTokens, c.outChannels()));
          float[] sigma = new float[batch];
          float[] guidance = new float[batch];
          java.util.Arrays.fill(sigma, 0.5f);
          java.util.Arrays.fill(guidance, 1f);
          NDArray v = model.forward(new FluxInput(
              x, SeededNoise.gaussian(s, 9, new Shape(batch, text, c.jointAttentionDim())),
              SeededNoise.gaussian(s, 10, new Shape(batch, c.pooledProjectionDim())), sigma, guidance, ids,
              FluxInput.zeroTextIds(text)), s);
          return v.sub(target).square().mean();
        });
      }
    }
  }

  /**
   * Runs a warm-up, resets the process's peak resident set ({@code /proc/self/clear_refs}, "5") and returns how far
   * the measured work raised it above the resident set of that moment (the method of this probe and {@code
   * Sd3MemoryProbe}).
   */
  static long peakAfterWarmUp(Runnable warmUp, Runnable measured) throws IOException {
    warmUp.run();
    long before = rss("VmRSS");
    Files.writeString(Path.of("/proc/self/clear_refs"), "5");
    measured.run();
    return rss("VmHWM") - before;
  }

  private static long rss(String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IllegalStateException("no " + field + " in /proc/self/status");
  }
}
