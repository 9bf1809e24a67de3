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
import java.util.Locale;
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

  public static void main(String[] args) throws IOException {
    // As MemoryProbe: freed tensors must leave the resident set (MALLOC_MMAP_THRESHOLD_=65536 in the environment).
    System.setProperty(io.gptedit.models.nn.CpuAllocator.PROPERTY, "system");
    int layers = Integer.parseInt(args[0]);
    int heads = Integer.parseInt(args[1]);
    int headDim = Integer.parseInt(args[2]);
    int side = Integer.parseInt(args[3]);
    int text = Integer.parseInt(args[4]);
    int batch = Integer.parseInt(args[5]);
    boolean ckpt = Boolean.parseBoolean(args[6]);
    int steps = Integer.parseInt(args[7]);
    Sd3Config c = config(layers, heads, headDim);
    // Warm the engine with the same kinds of ops on a one-block model (at batch 1 unless MemoryProbe.WARM_BATCH says
    // otherwise), so that thread pools and kernels' one-time buffers are not counted.
    int warmBatch = MemoryProbe.warmBatch();
    long peak = MemoryProbe.peakAfterWarmUp(
        () -> run(config(1, heads, headDim), warmBatch, side, text, ckpt, 1),
        () -> run(c, batch, side, text, ckpt, steps));
    long tokens = (long) (side / 2) * (side / 2) + text;
    long params = MemoryPlanner.parameters(c);
    long act = MemoryPlanner.sd3ActivationsPerSample(c, tokens, 4, ckpt);
    MemoryPlanner.Plan plan = MemoryPlanner.plan(
        new MemoryPlanner.Setup(params, params, false, MemoryPlanner.OptimizerState.ADAMW_FP32, 1, act), batch);
    System.out.printf(Locale.ROOT,
        "predicted=%d measured=%d ratio=%.3f params=%d tokens=%d weights=%d grads=%d optimizer=%d activations=%d"
            + " stepBuffers=%d stepTemporaries=%d%n",
        plan.total(), peak, peak / (double) plan.total(), params, tokens, plan.weights(), plan.gradients(),
        plan.optimizer(), plan.activations(), plan.stepBuffers(), plan.stepTemporaries());
    System.out.flush();
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
