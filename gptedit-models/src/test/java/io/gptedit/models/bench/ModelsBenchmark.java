package io.gptedit.models.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gptedit.models.flow.EulerSampler;
import io.gptedit.models.flow.FlowSchedules;
import io.gptedit.models.flow.SeededNoise;
import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.flux.FluxInput;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.flux.KontextSequence;
import java.util.Locale;

/**
 * Forward-pass throughput of Flux configs on the CPU, against the machine's measured fp32 matmul peak, and the
 * Euler sampler's own per-step overhead. A program, not a test:
 *
 * <pre>{@code
 * mvn -q -o -pl gptedit-models -am test-compile
 * java -Dai.djl.offline=true -cp "$(cat gptedit-models/target/bench.cp):gptedit-models/target/classes:gptedit-models/target/test-classes" \
 *   io.gptedit.models.bench.ModelsBenchmark
 * }</pre>
 */
public final class ModelsBenchmark {
  private ModelsBenchmark() {}

  /** Runs the benchmark and prints a table. */
  public static void main(String[] args) {
    try (NDManager m = NDManager.newBaseManager()) {
      double peak = 0;
      for (int n : new int[] {512, 768, 1024, 1536}) {
        peak = Math.max(peak, matmulPeak(m, n, 40));
      }
      System.out.printf(Locale.ROOT, "threads: %s, fp32 matmul peak (best of 40 at n = 512..1536): %.1f GFLOP/s%n",
          System.getProperty("ai.djl.pytorch.num_threads", "default"), peak);
      FluxConfig small = new FluxConfig(64, 64, 6, 6, 8, 64, 512, 256, true, new int[] {8, 28, 28}, 10000, 4);
      FluxConfig tiny = new FluxConfig(64, 64, 1, 1, 2, 16, 32, 24, true, new int[] {4, 6, 6}, 10000, 4);
      System.out.println("| config | layers (double+single) | hidden | tokens (text+noisy+cond) | forward ms | tokens/s"
          + " | GFLOP/forward | GFLOP/s | % of peak | sampler overhead/step |");
      System.out.println("|---|---|---|---|---|---|---|---|---|---|");
      for (Object[] c : new Object[][] {{"tiny", tiny, 16}, {"small", small, 16}, {"small", small, 32}}) {
        run(m, (String) c[0], (FluxConfig) c[1], (int) c[2], peak);
      }
    }
  }

  static double matmulPeak(NDManager m, int n, int reps) {
    return io.gptedit.models.nn.MatmulPeak.gflops(m, n, n, n, reps);
  }

  /** Multiply-adds x2 of every linear layer and both attention products for one forward pass. */
  static double flops(FluxConfig c, long text, long image) {
    double d = c.hidden();
    double mlp = d * c.mlpRatio();
    double s = text + image;
    double embed = 2 * (image * c.inChannels() * d + text * c.jointAttentionDim() * d);
    double attn = 4 * s * s * d;
    double dbl = 2 * s * (4 * d * d + 2 * d * mlp) + attn;
    double single = 2 * s * (3 * d * d + d * mlp + (d + mlp) * d) + attn;
    double out = 2 * image * d * c.outChannels();
    return embed + c.numLayers() * dbl + c.numSingleLayers() * single + out;
  }

  static void run(NDManager m, String name, FluxConfig c, int latentSide, double peak) {
    int text = 64;
    KontextSequence seq = KontextSequence.of(latentSide, latentSide, latentSide, latentSide);
    int image = seq.imageIds().length;
    try (FluxTransformer model = FluxTransformer.random(c, 1)) {
      NDArray ctx = SeededNoise.gaussian(m, 1, new Shape(1, text, c.jointAttentionDim()));
      NDArray pooled = SeededNoise.gaussian(m, 2, new Shape(1, c.pooledProjectionDim()));
      NDArray hidden = SeededNoise.gaussian(m, 3, new Shape(1, image, c.inChannels()));
      FluxInput in = new FluxInput(hidden, ctx, pooled, new float[] {0.5f}, new float[] {3.5f}, seq.imageIds(),
          FluxInput.zeroTextIds(text));
      int reps = name.equals("tiny") ? 30 : 5;
      double best = Double.MAX_VALUE;
      for (int i = 0; i < reps + 2; i++) {
        long t0 = System.nanoTime();
        model.forward(in, m).close();
        long t = System.nanoTime() - t0;
        if (i >= 2) {
          best = Math.min(best, t);
        }
      }
      // Sampler overhead: the same loop with a velocity that does no model work (one elementwise op).
      NDArray noise = SeededNoise.gaussian(m, 4, new Shape(1, seq.noisyTokens(), c.inChannels()));
      int steps = 50;
      long t0 = System.nanoTime();
      EulerSampler.sample(noise, FlowSchedules.bfl(steps, seq.noisyTokens()), (x, t, s) -> x.mul(0.5f), (a, b) -> {})
          .close();
      double perStep = (System.nanoTime() - t0) / (double) steps;
      double f = flops(c, text, image);
      System.out.printf(Locale.ROOT, "| %s | %d+%d | %d | %d+%d+%d | %.2f | %.0f | %.3f | %.1f | %.0f%% | %.3f ms (%.2f%%) |%n",
          name, c.numLayers(), c.numSingleLayers(), c.hidden(), text, seq.noisyTokens(),
          image - seq.noisyTokens(), best / 1e6, (text + image) / (best / 1e9), f / 1e9, f / best,
          100 * (f / best) / peak, perStep / 1e6, 100 * perStep / best);
    }
  }
}
