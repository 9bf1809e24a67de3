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
 * @param conditionIds the position ids of the condition tokens (paradigm KONTEXT; the others have no condition tokens)
 * @param zeroHead whether the output projection starts at zero (the editor starts as "copy the input" in
 *     residual mode), as DiT's adaLN-Zero does
 * @param ema the decay of an exponential moving average of the weights used for sampling, or 0 for none
 * @param output the report folder
 * @param loss the training loss over the image
 * @param editShare with {@link Loss#MASK_BALANCED}, the weight of the edited pixels' mean error (the kept pixels'
 *     mean error gets {@code 1 - editShare})
 * @param timeMean the mean of the logit-normal flow-time density ({@code t = sigmoid(mean + N(0, 1))}); above 0
 *     trains more at high noise, where the editor must produce the edit rather than read it from its input
 * @param misalign the largest shift, in pixels, of a target against its input in the misaligned-data variant (0:
 *     aligned); see {@code docs/lab.md}
 * @param paradigm how the editor sees the input image (see {@link Paradigm})
 * @param textFusion what text tokens the editor reads (see {@link Fusion})
 * @param checkpointEvery write a checkpoint every this many steps (and after the last); 0 for the last only
 * @param resume continue from the run folder's latest checkpoint instead of starting afresh
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
    Path output,
    Loss loss,
    double editShare,
    double timeMean,
    int misalign,
    Paradigm paradigm,
    Fusion textFusion,
    int checkpointEvery,
    boolean resume) {

  /** What the transformer's output is trained to be. */
  public enum Prediction {
    /** Flux's rectified-flow velocity {@code noise - x0}. */
    VELOCITY,
    /** A residual over the condition image: {@code x0 = condition + output}, trained with the clean-image MSE. */
    RESIDUAL
  }

  /** The training loss over the image. */
  public enum Loss {
    /** Mean squared error over all pixels, weight {@code 1 + editWeight} inside the edit mask. */
    WEIGHTED,
    /**
     * Per sample, the mean error inside the edit mask and the mean error outside it, weighted {@code editShare :
     * 1 - editShare} ({@code io.gptedit.models.train.FlowMatchingLoss#maskBalanced}).
     */
    MASK_BALANCED
  }

  /** Position ids of the condition tokens. */
  public enum ConditionIds {
    /** FLUX.1 Kontext's ids: {@code (1, row, col)}. */
    KONTEXT,
    /** The noisy tokens' own ids {@code (0, row, col)}, so a token and its condition sit at relative offset 0. */
    SHARED
  }

  /**
   * How the editor is given the input (condition) image: the paper's three conditioning paradigms (its Table 4),
   * all on the same tiny Flux backbone, loss, sampler and residual/zero-head options.
   */
  public enum Paradigm {
    /** FLUX.1 Kontext: condition tokens appended to the noisy tokens in the image stream. */
    KONTEXT,
    /** SD3 InstructPix2Pix: the condition image concatenated to the noisy input on channels (12 + 12 = 24). */
    CHANNEL,
    /** UniWorld-style: a frozen image encoder's few pooled tokens, projected into the text stream. */
    SIGLIP
  }

  /**
   * The text-encoder fusion (the paper's four fusions, as in
   * {@link io.gptedit.models.conditioning.TextFusion}), with a tiny frozen stand-in MLLM that reads the instruction
   * and the input image.
   */
  public enum Fusion {
    /** The frozen T5-style encoder's tokens ({@code TinyTextEncoder}). */
    T5,
    /** The stand-in MLLM's hidden states through a trained Linear-SiLU-Linear connector. */
    MLLM,
    /** The projected MLLM tokens followed by the T5 tokens, with a learned type embedding per source. */
    MLLM_T5,
    /** Learned query tokens read out of the stand-in MLLM, then a Linear-GELU-Linear-RMSNorm head. */
    METAQUERY
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
    requireNonNull(loss, "loss");
    check(editShare >= 0 && editShare <= 1, "editShare must be in [0, 1], got " + editShare);
    check(Double.isFinite(timeMean), "timeMean must be finite, got " + timeMean);
    check(misalign >= 0 && misalign < size, "misalign must be in [0, size), got " + misalign);
    requireNonNull(paradigm, "paradigm");
    requireNonNull(textFusion, "textFusion");
    check(checkpointEvery >= 0, "checkpointEvery must be >= 0, got " + checkpointEvery);
  }

  /**
   * Returns the default run: 16x16 images, a 2+2-block Kontext-style editor of width 64, 1800 steps of batch 64
   * with the mask-balanced loss (about 8.5 minutes on 2 cores; see {@code docs/lab.md}).
   *
   * @param output the report folder
   * @return the config
   */
  public static LabConfig defaults(Path output) {
    return builder(output).build();
  }

  /**
   * Returns a builder holding the default run's values.
   *
   * @param output the report folder
   * @return the builder
   */
  public static Builder builder(Path output) {
    return new Builder(output);
  }

  /**
   * Returns a builder holding this config's values.
   *
   * @return the builder
   */
  public Builder toBuilder() {
    Builder b = new Builder(output);
    b.steps = steps;
    b.size = size;
    b.batch = batch;
    b.seed = seed;
    b.lr = lr;
    b.warmup = warmup;
    b.trainCount = trainCount;
    b.heldOutCount = heldOutCount;
    b.sampleSteps = sampleSteps;
    b.tolerance = tolerance;
    b.editWeight = editWeight;
    b.doubleBlocks = doubleBlocks;
    b.singleBlocks = singleBlocks;
    b.heads = heads;
    b.prediction = prediction;
    b.conditionIds = conditionIds;
    b.zeroHead = zeroHead;
    b.ema = ema;
    b.loss = loss;
    b.editShare = editShare;
    b.timeMean = timeMean;
    b.misalign = misalign;
    b.paradigm = paradigm;
    b.textFusion = textFusion;
    b.checkpointEvery = checkpointEvery;
    b.resume = resume;
    return b;
  }

  /** Builds a {@link LabConfig}; starts from the default run's values, validated by {@link #build()}. */
  public static final class Builder {
    private int steps = 1800;
    private int size = 16;
    private int batch = 64;
    private long seed = 7;
    private double lr = 2e-3;
    private int warmup = 50;
    private int trainCount = 20000;
    private int heldOutCount = 256;
    private int sampleSteps = 2;
    private int tolerance = 32;
    private double editWeight = 1.0;
    private int doubleBlocks = 2;
    private int singleBlocks = 2;
    private int heads = 4;
    private Prediction prediction = Prediction.VELOCITY;
    private ConditionIds conditionIds = ConditionIds.KONTEXT;
    private boolean zeroHead = false;
    private double ema = 0.0;
    private Path output;
    private Loss loss = Loss.MASK_BALANCED;
    private double editShare = 0.5;
    private double timeMean = 1.0;
    private int misalign = 0;
    private Paradigm paradigm = Paradigm.KONTEXT;
    private Fusion textFusion = Fusion.T5;
    private int checkpointEvery = 500;
    private boolean resume = false;

    private Builder(Path output) {
      this.output = output;
    }

    /**
     * Sets optimizer steps.
     *
     * @param value the value
     * @return this builder
     */
    public Builder steps(int value) {
      this.steps = value;
      return this;
    }

    /**
     * Sets image side in pixels (even).
     *
     * @param value the value
     * @return this builder
     */
    public Builder size(int value) {
      this.size = value;
      return this;
    }

    /**
     * Sets samples per step.
     *
     * @param value the value
     * @return this builder
     */
    public Builder batch(int value) {
      this.batch = value;
      return this;
    }

    /**
     * Sets the seed of data, weights, batches and noise.
     *
     * @param value the value
     * @return this builder
     */
    public Builder seed(long value) {
      this.seed = value;
      return this;
    }

    /**
     * Sets peak learning rate.
     *
     * @param value the value
     * @return this builder
     */
    public Builder lr(double value) {
      this.lr = value;
      return this;
    }

    /**
     * Sets warm-up steps.
     *
     * @param value the value
     * @return this builder
     */
    public Builder warmup(int value) {
      this.warmup = value;
      return this;
    }

    /**
     * Sets training triplets.
     *
     * @param value the value
     * @return this builder
     */
    public Builder trainCount(int value) {
      this.trainCount = value;
      return this;
    }

    /**
     * Sets held-out triplets.
     *
     * @param value the value
     * @return this builder
     */
    public Builder heldOutCount(int value) {
      this.heldOutCount = value;
      return this;
    }

    /**
     * Sets Euler steps when editing.
     *
     * @param value the value
     * @return this builder
     */
    public Builder sampleSteps(int value) {
      this.sampleSteps = value;
      return this;
    }

    /**
     * Sets the IF/IP colour tolerance, 0 to 255.
     *
     * @param value the value
     * @return this builder
     */
    public Builder tolerance(int value) {
      this.tolerance = value;
      return this;
    }

    /**
     * Sets the extra loss weight inside the edit mask.
     *
     * @param value the value
     * @return this builder
     */
    public Builder editWeight(double value) {
      this.editWeight = value;
      return this;
    }

    /**
     * Sets double-stream blocks.
     *
     * @param value the value
     * @return this builder
     */
    public Builder doubleBlocks(int value) {
      this.doubleBlocks = value;
      return this;
    }

    /**
     * Sets single-stream blocks.
     *
     * @param value the value
     * @return this builder
     */
    public Builder singleBlocks(int value) {
      this.singleBlocks = value;
      return this;
    }

    /**
     * Sets attention heads.
     *
     * @param value the value
     * @return this builder
     */
    public Builder heads(int value) {
      this.heads = value;
      return this;
    }

    /**
     * Sets what the output means.
     *
     * @param value the value
     * @return this builder
     */
    public Builder prediction(Prediction value) {
      this.prediction = value;
      return this;
    }

    /**
     * Sets the condition tokens' position ids.
     *
     * @param value the value
     * @return this builder
     */
    public Builder conditionIds(ConditionIds value) {
      this.conditionIds = value;
      return this;
    }

    /**
     * Sets whether the output projection starts at zero.
     *
     * @param value the value
     * @return this builder
     */
    public Builder zeroHead(boolean value) {
      this.zeroHead = value;
      return this;
    }

    /**
     * Sets the EMA decay, 0 for none.
     *
     * @param value the value
     * @return this builder
     */
    public Builder ema(double value) {
      this.ema = value;
      return this;
    }

    /**
     * Sets the report folder.
     *
     * @param value the value
     * @return this builder
     */
    public Builder output(Path value) {
      this.output = value;
      return this;
    }

    /**
     * Sets the training loss.
     *
     * @param value the value
     * @return this builder
     */
    public Builder loss(Loss value) {
      this.loss = value;
      return this;
    }

    /**
     * Sets the weight of the edited pixels' mean error in the mask-balanced loss.
     *
     * @param value the value, in [0, 1]
     * @return this builder
     */
    public Builder editShare(double value) {
      this.editShare = value;
      return this;
    }

    /**
     * Sets the mean of the logit-normal flow-time density.
     *
     * @param value the value
     * @return this builder
     */
    public Builder timeMean(double value) {
      this.timeMean = value;
      return this;
    }

    /**
     * Sets the largest target shift of the misaligned-data variant, 0 for aligned data.
     *
     * @param value pixels, 0 to size - 1
     * @return this builder
     */
    public Builder misalign(int value) {
      this.misalign = value;
      return this;
    }

    /**
     * Sets the conditioning paradigm.
     *
     * @param value the value
     * @return this builder
     */
    public Builder paradigm(Paradigm value) {
      this.paradigm = value;
      return this;
    }

    /**
     * Sets the text fusion.
     *
     * @param value the value
     * @return this builder
     */
    public Builder textFusion(Fusion value) {
      this.textFusion = value;
      return this;
    }

    /**
     * Sets how often a checkpoint is written.
     *
     * @param value steps between checkpoints, 0 for the last step only
     * @return this builder
     */
    public Builder checkpointEvery(int value) {
      this.checkpointEvery = value;
      return this;
    }

    /**
     * Sets whether to continue from the run folder's latest checkpoint.
     *
     * @param value true to resume
     * @return this builder
     */
    public Builder resume(boolean value) {
      this.resume = value;
      return this;
    }

    /**
     * Returns the config.
     *
     * @return the validated config
     * @throws IllegalArgumentException if a value is out of range
     */
    public LabConfig build() {
      return new LabConfig(
          steps, size, batch, seed, lr, warmup, trainCount, heldOutCount, sampleSteps, tolerance, editWeight,
          doubleBlocks, singleBlocks, heads, prediction, conditionIds, zeroHead, ema, output, loss, editShare,
          timeMean, misalign, paradigm, textFusion, checkpointEvery, resume);
    }
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
