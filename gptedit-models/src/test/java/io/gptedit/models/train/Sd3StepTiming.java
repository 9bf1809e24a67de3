package io.gptedit.models.train;

import java.util.Locale;

/**
 * Times SD3 MMDiT training steps on the CPU, the same step {@link Sd3MemoryProbe} measures (random InstructPix2Pix-
 * shaped model, float32, AdamW, every parameter trained): 10 steps of warm-up, then {@code STEPS} timed. Prints
 * {@code ms/step=<mean>}. Used to A/B changes to {@code Sd3Transformer} (docs/benchmarks.md, SD3 section).
 *
 * <p>Arguments: those of {@link Sd3MemoryProbe}: joint blocks, heads, head dim, latent side, text tokens, batch,
 * checkpointing (true/false), steps.
 */
public final class Sd3StepTiming {
  private Sd3StepTiming() {}

  public static void main(String[] args) {
    Sd3MemoryProbe.Step step = Sd3MemoryProbe.Step.parse(args);
    step.run(10);
    long t0 = System.nanoTime();
    step.run(step.steps());
    System.out.printf(Locale.ROOT, "ms/step=%.2f%n", (System.nanoTime() - t0) / 1e6 / step.steps());
  }
}
