package io.gptedit.models.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gptedit.models.flow.SeededNoise;
import io.gptedit.models.sd3.Sd3Config;
import io.gptedit.models.sd3.Sd3Transformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Measures the peak resident memory of SD3 MMDiT training steps on the CPU beside {@link MemoryPlanner}'s
 * prediction for the same setup (float32 weights, every parameter trained with AdamW, batch {@code B}), the way
 * {@link MemoryProbe} does for Flux: {@code VmHWM} after resetting it once the engine is warm, minus {@code VmRSS}
 * at that moment, with a fixed pre-touched heap. Prints one line:
 * {@code predicted=<bytes> measured=<bytes> ratio=<measured/predicted> params=.. tokens=.. ... stepTemporaries=..}.
 *
 * <p>Arguments: joint blocks, heads, head dim, latent side (latent pixels; patch 2, so {@code (side/2)^2} image
 * tokens; InstructPix2Pix's 32 input channels add no tokens), text tokens, batch, checkpointing (true/false),
 * steps.
 */
public final class Sd3MemoryProbe {
  private Sd3MemoryProbe() {}

  /**
   * The probe's arguments, which {@link Sd3StepTiming} takes too.
   *
   * @param layers joint blocks
   * @param heads attention heads
   * @param headDim head width
   * @param side latent side in latent pixels
   * @param text text tokens
   * @param batch samples per step
   * @param ckpt whether blocks are checkpointed
   * @param steps training steps
   */
  record Step(int layers, int heads, int headDim, int side, int text, int batch, boolean ckpt, int steps) {
    static Step parse(String[] args) {
      return new Step(Integer.parseInt(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]),
          Integer.parseInt(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]),
          Boolean.parseBoolean(args[6]), Integer.parseInt(args[7]));
    }

    Sd3Config config() {
      return Sd3MemoryProbe.config(layers, heads, headDim);
    }

    /** Trains {@code steps} steps of this step's model, batch and sequence. */
    void run(int steps) {
      Sd3MemoryProbe.run(config(), batch, side, text, ckpt, steps);
    }
  }

  public static void main(String[] args) throws IOException {
    // As MemoryProbe: freed tensors must leave the resident set (MALLOC_MMAP_THRESHOLD_=65536 in the environment).
    System.setProperty(io.gptedit.models.nn.CpuAllocator.PROPERTY, "system");
    Step a = Step.parse(args);
    Sd3Config c = a.config();
    // Warm the engine with the same kinds of ops on a one-block model (at batch 1 unless MemoryProbe.WARM_BATCH says
    // otherwise), so that thread pools and kernels' one-time buffers are not counted.
    int warmBatch = MemoryProbe.warmBatch();
    long peak = MemoryProbe.peakAfterWarmUp(
        () -> run(config(1, a.heads(), a.headDim()), warmBatch, a.side(), a.text(), a.ckpt(), 1),
        () -> a.run(a.steps()));
    long tokens = (long) (a.side() / 2) * (a.side() / 2) + a.text();
    long params = MemoryPlanner.parameters(c);
    long act = MemoryPlanner.sd3ActivationsPerSample(c, tokens, 4, a.ckpt());
    MemoryPlanner.Plan plan = MemoryPlanner.plan(
        new MemoryPlanner.Setup(params, params, false, MemoryPlanner.OptimizerState.ADAMW_FP32, 1, act), a.batch());
    MemoryProbe.report(plan, peak, params, tokens);
  }

  /** An InstructPix2Pix-shaped MMDiT (32 input, 16 output channels) with narrow text and pooled inputs. */
  static Sd3Config config(int layers, int heads, int headDim) {
    int d = heads * headDim;
    return new Sd3Config(64, 2, 32, 16, layers, heads, headDim, 64, d, 64, 64);
  }

  static void run(Sd3Config c, int batch, int side, int text, boolean ckpt, int steps) {
    try (Sd3Transformer model = Sd3Transformer.random(c, 3)) {
      model.setActivationCheckpointing(ckpt);
      Map<String, NDArray> params = new LinkedHashMap<>(model.parameters().asMap());
      try (FineTuner t = FineTuner.builder()
          .setParameters(params)
          .setOptimizer(new AdamWOptimizer(0.9, 0.99, 1e-8, 0.01).create())
          .setSchedule(new LrSchedule.Cosine(1e-4, 1e-5, 0, steps))
          .setSteps(steps)
          .optSeed(1)
          .optSamplesPerMicroBatch(batch)
          .build()) {
        t.train(ctx -> {
          NDManager s = ctx.manager();
          NDArray x = SeededNoise.gaussian(s, 7, new Shape(batch, c.inChannels(), side, side));
          NDArray target = SeededNoise.gaussian(s, 8, new Shape(batch, c.outChannels(), side, side));
          float[] sigma = new float[batch];
          java.util.Arrays.fill(sigma, 0.5f);
          NDArray v = model.forward(x, SeededNoise.gaussian(s, 9, new Shape(batch, text, c.jointAttentionDim())),
              SeededNoise.gaussian(s, 10, new Shape(batch, c.pooledProjectionDim())), sigma, s);
          return v.sub(target).square().mean();
        });
      }
    }
  }
}
