package io.gptedit.models.train;

import io.gptedit.models.sd3.Sd3Config;
import java.util.Locale;

/**
 * Times SD3 MMDiT training steps on the CPU, the same step {@link Sd3MemoryProbe} measures (random InstructPix2Pix-
 * shaped model, float32, AdamW, every parameter trained): 10 steps of warm-up, then {@code STEPS} timed. Prints
 * {@code ms/step=<mean>}. Used to A/B changes to {@code Sd3Transformer} (docs/benchmarks.md, SD3 section).
 *
 * <p>Arguments: joint blocks, heads, head dim, latent side, text tokens, batch, steps.
 */
public final class Sd3StepTiming {
  private Sd3StepTiming() {}

  public static void main(String[] args) {
    int layers = Integer.parseInt(args[0]);
    int heads = Integer.parseInt(args[1]);
    int headDim = Integer.parseInt(args[2]);
    int side = Integer.parseInt(args[3]);
    int text = Integer.parseInt(args[4]);
    int batch = Integer.parseInt(args[5]);
    int steps = Integer.parseInt(args[6]);
    Sd3Config c = Sd3MemoryProbe.config(layers, heads, headDim);
    Sd3MemoryProbe.run(c, batch, side, text, false, 10);
    long t0 = System.nanoTime();
    Sd3MemoryProbe.run(c, batch, side, text, false, steps);
    System.out.printf(Locale.ROOT, "ms/step=%.2f%n", (System.nanoTime() - t0) / 1e6 / steps);
  }
}
