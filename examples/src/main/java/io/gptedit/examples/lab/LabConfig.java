package io.gptedit.examples.lab;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * Everything an edit-lab run is configured by; {@link #defaults(Path)} is the no-argument {@code gptedit lab} run.
 *
 * @param steps optimizer steps
 * @param size image side in pixels (even)
 * @param batch samples per step
 * @param seed the seed of data, initial weights, batches and noise
 * @param lr peak learning rate (AdamW, linear warm-up then cosine to 5% of the peak)
 * @param warmup warm-up steps
 * @param trainCount training triplets
 * @param heldOutCount held-out triplets (scored)
 * @param sampleSteps Euler steps when editing
 * @param tolerance per-channel colour tolerance of the IF and IP metrics, 0 to 255
 * @param editWeight extra loss weight on the pixels the edit changes (0 for a plain MSE): weight {@code 1 + editWeight}
 *     inside the edit mask, 1 outside
 * @param doubleBlocks double-stream blocks of the editor
 * @param singleBlocks single-stream blocks of the editor
 * @param heads attention heads (16 channels each)
 * @param prediction what the editor's output means
 * @param conditionIds the position ids of the condition tokens
 * @param zeroHead whether the output projection starts at zero (the editor starts as "copy the input" in
 *     residual mode), as DiT's adaLN-Zero does
 * @param ema the decay of an exponential moving average of the weights used for sampling, or 0 for none
 * @param output the report folder
 */
public record LabConfig(
    int steps,
    int size,
    int batch,
    long seed,
    double lr,
    int warmup,
    int trainCount,
    int heldOutCount,
    int sampleSteps,
    int tolerance,
    double editWeight,
    int doubleBlocks,
    int singleBlocks,
    int heads,
    Prediction prediction,
    ConditionIds conditionIds,
    boolean zeroHead,
    double ema,
    Path output) {

  /** What the transformer's output is trained to be. */
  public enum Prediction {
    /** Flux's rectified-flow velocity {@code noise - x0}. */
    VELOCITY,
    /** A residual over the condition image: {@code x0 = condition + output}, trained with the clean-image MSE. */
    RESIDUAL
  }

  /** Position ids of the condition tokens. */
  public enum ConditionIds {
    /** FLUX.1 Kontext's ids: {@code (1, row, col)}. */
    KONTEXT,
    /** The noisy tokens' own ids {@code (0, row, col)}, so a token and its condition sit at relative offset 0. */
    SHARED
  }

  /** Validates the config. */
  public LabConfig {
    check(steps >= 1, "steps must be >= 1, got " + steps);
    check(size >= 4 && size % 2 == 0, "size must be even and >= 4, got " + size);
    check(batch >= 1, "batch must be >= 1, got " + batch);
    check(lr > 0 && Double.isFinite(lr), "lr must be positive, got " + lr);
    check(warmup >= 0 && warmup < steps, "warmup must be in [0, steps), got " + warmup);
    check(trainCount >= 1 && heldOutCount >= 1, "train and held-out counts must be >= 1");
    check(sampleSteps >= 1, "sampleSteps must be >= 1, got " + sampleSteps);
    check(tolerance >= 0 && tolerance <= 255, "tolerance must be 0..255, got " + tolerance);
    check(doubleBlocks >= 0 && singleBlocks >= 0 && doubleBlocks + singleBlocks >= 1, "need at least one block");
    check(editWeight >= 0 && Double.isFinite(editWeight), "editWeight must be finite and >= 0, got " + editWeight);
    check(heads >= 1, "heads must be >= 1, got " + heads);
    check(ema == 0 || (ema > 0 && ema < 1), "ema must be 0 (off) or in (0, 1), got " + ema);
    requireNonNull(prediction, "prediction");
    requireNonNull(conditionIds, "conditionIds");
    requireNonNull(output, "output");
  }

  /**
   * Returns the default run: 16x16 images, a 2+2-block editor of width 64, 2000 steps of batch 16.
   *
   * @param output the report folder
   * @return the config
   */
  public static LabConfig defaults(Path output) {
    return new LabConfig(
        2000, 16, 16, 7, 1e-3, 50, 3000, 64, 4, 32, 1.0, 2, 2, 4, Prediction.RESIDUAL, ConditionIds.SHARED, true,
        0.0, output);
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
