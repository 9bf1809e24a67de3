package io.gptedit.lab;

import static java.util.Objects.requireNonNull;

import io.gptedit.core.GpteditException;
import io.gptedit.models.editor.Paradigm;
import io.gptedit.models.train.EditObjective;
import java.nio.file.Path;

/**
 * Everything an edit-lab run is configured by; {@link #defaults(Path)} is the no-argument {@code gptedit lab} run:
 * the recipe that scored best within its time budget, at most 5 minutes of training on a quiet 2-core machine (500
 * steps of batch 64 at a peak learning rate of 2.4e-2, query/key norms starting at 2, the edited pixels' share of the
 * mask-balanced loss 0.35; docs/lab.md, "The object-level bar"). {@code --steps 1800 --lr 2e-3} is the longer run
 * (13 to 18 minutes of training on that machine) that scores best overall.
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
 * @param tolerance per-channel colour tolerance of the exact metrics, 0 to 255
 * @param doubleBlocks double-stream blocks of the editor
 * @param singleBlocks single-stream blocks of the editor
 * @param heads attention heads (16 channels each)
 * @param ropeTheta the base of the rotary position frequencies (Flux's is 10000, sized for 64x64-token grids and
 *     56 channels per axis; the lab's 8x8 grid with 6 channels per axis needs a small base, see docs/lab.md)
 * @param qkScale the initial scale of the attention's query and key RMS norms (1 in a random Flux): with 16 channels
 *     per head the attention logits are bounded by {@code 4 qkScale^2}, where FLUX.1's 128-channel heads reach
 *     11.3 at scale 1, so a tiny model needs a larger start to attend sharply to one condition token
 * @param conditionIds the position ids of Kontext's condition tokens
 * @param zeroHead whether the output projection starts at zero (as DiT's adaLN-Zero)
 * @param ema the decay of a weight average sampled after training, 0 for none
 * @param loss the training loss over the image
 * @param editShare the edited pixels' weight in the mask-balanced loss
 * @param structureShare the part of the kept pixels' weight on the input's colour edges in the mask-balanced loss
 * @param timeMean the mean of the logit-normal flow-time density
 * @param misalign the largest shift, in pixels, of a training target against its input (0: aligned); {@code
 *     --compare} runs aligned and with {@code max(1, misalign)}
 * @param baseSteps {@code --compare}'s pretraining steps (the text-to-scene base and the tiny MLLM; 0: {@code steps})
 * @param paradigm how the editor sees the input image
 * @param textFusion what text tokens the editor reads
 * @param mllm which frozen tiny MLLM the MLLM fusions read
 * @param checkpointEvery write a checkpoint every this many steps (and after the last); 0 for the last only
 * @param resume continue from the run folder's latest checkpoint (the recipe must be the same)
 * @param output the report folder
 * @since 0.1
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
    int doubleBlocks,
    int singleBlocks,
    int heads,
    double ropeTheta,
    double qkScale,
    ConditionIds conditionIds,
    boolean zeroHead,
    double ema,
    EditObjective.Loss loss,
    double editShare,
    double structureShare,
    double timeMean,
    int misalign,
    int baseSteps,
    Paradigm paradigm,
    Fusion textFusion,
    Mllm mllm,
    int checkpointEvery,
    boolean resume,
    Path output) {

  /** Position ids of Kontext's condition tokens. */
  public enum ConditionIds {
    /** FLUX.1 Kontext's ids: {@code (1, row, col)}. */
    KONTEXT,
    /** The noisy tokens' own ids {@code (0, row, col)}, so a token and its condition sit at relative offset 0. */
    SHARED
  }

  /**
   * The text-encoder fusion (the paper's four, as {@link io.gptedit.models.conditioning.TextFusion} implements
   * them), over the lab's frozen encoders: a word-hash text encoder in T5's role and a tiny frozen multimodal
   * encoder in Qwen2.5-VL's.
   */
  public enum Fusion {
    /** The frozen text encoder's tokens. */
    T5,
    /** The frozen MLLM's hidden states through a trained Linear-SiLU-Linear connector. */
    MLLM,
    /** The projected MLLM tokens followed by the text encoder's, with a learned type embedding per source. */
    MLLM_T5,
    /** Learned query tokens read out of the frozen MLLM, then a Linear-GELU-Linear-RMSNorm head. */
    METAQUERY
  }

  /** The frozen tiny MLLM of the MLLM fusions. */
  public enum Mllm {
    /** The lab's own tiny bidirectional transformer over pooled patches and word hashes ({@code TinyMllm}). */
    TINY,
    /**
     * Qwen2.5-VL at toy size ({@code io.gptedit.models.mllm.QwenVlEncoder.tiny}): the real architecture and
     * preprocessing (vision tower with windows, M-RoPE, causal decoder, chat template, byte-level tokenizer),
     * random frozen weights.
     */
    QWEN2_5_VL_TINY
  }

  /**
   * Validates the config.
   *
   * @throws GpteditException naming the first value out of range
   */
  public LabConfig {
    check(steps >= 1, "steps is out of range: " + steps);
    check(size >= 4 && size % 2 == 0, "size is out of range: " + size);
    check(batch >= 1, "batch is out of range: " + batch);
    check(lr > 0 && Double.isFinite(lr), "lr is out of range: " + lr);
    check(warmup >= 0 && warmup < steps, "warmup is out of range: " + warmup);
    check(trainCount >= 1, "trainCount is out of range: " + trainCount);
    check(heldOutCount >= 1, "heldOutCount is out of range: " + heldOutCount);
    check(sampleSteps >= 1, "sampleSteps is out of range: " + sampleSteps);
    check(tolerance >= 0 && tolerance <= 255, "tolerance is out of range: " + tolerance);
    check(doubleBlocks >= 0, "doubleBlocks is out of range: " + doubleBlocks);
    check(singleBlocks >= 0 && doubleBlocks + singleBlocks >= 1, "singleBlocks is out of range: " + singleBlocks);
    check(heads >= 1, "heads is out of range: " + heads);
    check(qkScale > 0 && Double.isFinite(qkScale), "qkScale is out of range: " + qkScale);
    check(ropeTheta > 1 && Double.isFinite(ropeTheta), "ropeTheta is out of range: " + ropeTheta);
    check(ema == 0 || (ema > 0 && ema < 1), "ema is out of range: " + ema);
    check(editShare >= 0 && editShare <= 1, "editShare is out of range: " + editShare);
    check(structureShare >= 0 && structureShare <= 1, "structureShare is out of range: " + structureShare);
    check(Double.isFinite(timeMean), "timeMean is out of range: " + timeMean);
    check(misalign >= 0 && misalign < size, "misalign is out of range: " + misalign);
    check(baseSteps >= 0, "baseSteps is out of range: " + baseSteps);
    check(checkpointEvery >= 0, "checkpointEvery is out of range: " + checkpointEvery);
    requireNonNull(conditionIds, "conditionIds");
    requireNonNull(loss, "loss");
    requireNonNull(paradigm, "paradigm");
    requireNonNull(textFusion, "textFusion");
    requireNonNull(mllm, "mllm");
    requireNonNull(output, "output");
  }

  /**
   * Returns the steps of {@code --compare}'s pretraining runs.
   *
   * @return {@link #baseSteps()}, or {@link #steps()} when it is 0
   */
  public int pretrainSteps() {
    return baseSteps == 0 ? steps : baseSteps;
  }

  /**
   * Returns the default run (see {@code docs/lab.md} for what it measures and how long it takes).
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
    b.doubleBlocks = doubleBlocks;
    b.singleBlocks = singleBlocks;
    b.heads = heads;
    b.ropeTheta = ropeTheta;
    b.qkScale = qkScale;
    b.conditionIds = conditionIds;
    b.zeroHead = zeroHead;
    b.ema = ema;
    b.loss = loss;
    b.editShare = editShare;
    b.structureShare = structureShare;
    b.timeMean = timeMean;
    b.misalign = misalign;
    b.baseSteps = baseSteps;
    b.paradigm = paradigm;
    b.textFusion = textFusion;
    b.mllm = mllm;
    b.checkpointEvery = checkpointEvery;
    b.resume = resume;
    return b;
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new GpteditException("lab config: " + message);
    }
  }

  /** Builds a {@link LabConfig}; starts from the default run's values, validated by {@link #build()}. */
  public static final class Builder {
    private int steps = 500;
    private int size = 16;
    private int batch = 64;
    private long seed = 7;
    private double lr = 2.4e-2;
    private int warmup = 50;
    private int trainCount = 20000;
    private int heldOutCount = 256;
    private int sampleSteps = 2;
    private int tolerance = 32;
    private int doubleBlocks = 2;
    private int singleBlocks = 2;
    private int heads = 4;
    private double ropeTheta = 10;
    private double qkScale = 2;
    private ConditionIds conditionIds = ConditionIds.KONTEXT;
    private boolean zeroHead = false;
    private double ema = 0.0;
    private EditObjective.Loss loss = EditObjective.Loss.MASK_BALANCED;
    private double editShare = 0.35;
    private double structureShare = 0;
    private double timeMean = 1.0;
    private int misalign = 0;
    private int baseSteps = 0;
    private Paradigm paradigm = Paradigm.KONTEXT;
    private Fusion textFusion = Fusion.T5;
    private Mllm mllm = Mllm.TINY;
    private int checkpointEvery = 500;
    private boolean resume = false;
    private Path output;

    private Builder(Path output) {
      this.output = requireNonNull(output, "output");
    }

    /**
     * Sets optimizer steps.
     *
     * @param value the value
     * @return this builder
     */
    public Builder optSteps(int value) {
      this.steps = value;
      return this;
    }

    /**
     * Sets image side in pixels (even).
     *
     * @param value the value
     * @return this builder
     */
    public Builder optSize(int value) {
      this.size = value;
      return this;
    }

    /**
     * Sets samples per step.
     *
     * @param value the value
     * @return this builder
     */
    public Builder optBatch(int value) {
      this.batch = value;
      return this;
    }

    /**
     * Sets the seed of data, initial weights, batches and noise.
     *
     * @param value the value
     * @return this builder
     */
    public Builder optSeed(long value) {
      this.seed = value;
      return this;
    }

    /**
     * Sets peak learning rate (AdamW, linear warm-up then cosine to 5% of the peak).
     *
     * @param value the value
     * @return this builder
     */
    public Builder optLr(double value) {
      this.lr = value;
      return this;
    }

    /**
     * Sets warm-up steps.
     *
     * @param value the value
     * @return this builder
     */
    public Builder optWarmup(int value) {
      this.warmup = value;
      return this;
    }

    /**
     * Sets training triplets.
     *
     * @param value the value
     * @return this builder
     */
    public Builder optTrainCount(int value) {
      this.trainCount = value;
      return this;
    }

    /**
     * Sets held-out triplets (scored).
     *
     * @param value the value
     * @return this builder
     */
    public Builder optHeldOutCount(int value) {
      this.heldOutCount = value;
      return this;
    }

    /**
     * Sets Euler steps when editing.
     *
     * @param value the value
     * @return this builder
     */
    public Builder optSampleSteps(int value) {
      this.sampleSteps = value;
      return this;
    }

    /**
     * Sets per-channel colour tolerance of the exact metrics, 0 to 255.
     *
     * @param value the value
     * @return this builder
     */
    public Builder optTolerance(int value) {
      this.tolerance = value;
      return this;
    }

    /**
     * Sets double-stream blocks of the editor.
     *
     * @param value the value
     * @return this builder
     */
    public Builder optDoubleBlocks(int value) {
      this.doubleBlocks = value;
      return this;
    }

    /**
     * Sets single-stream blocks of the editor.
     *
     * @param value the value
     * @return this builder
     */
    public Builder optSingleBlocks(int value) {
      this.singleBlocks = value;
      return this;
    }

    /**
     * Sets attention heads (16 channels each).
     *
     * @param value the value
     * @return this builder
     */
    public Builder optHeads(int value) {
      this.heads = value;
      return this;
    }

    /**
     * Sets the base of the rotary position frequencies.
     *
     * @param value the value, above 1
     * @return this builder
     */
    public Builder optRopeTheta(double value) {
      this.ropeTheta = value;
      return this;
    }

    /**
     * Sets the initial scale of the attention's query and key norms.
     *
     * @param value the value, above 0
     * @return this builder
     */
    public Builder optQkScale(double value) {
      this.qkScale = value;
      return this;
    }

    /**
     * Sets the position ids of Kontext's condition tokens.
     *
     * @param value the value
     * @return this builder
     */
    public Builder optConditionIds(ConditionIds value) {
      this.conditionIds = value;
      return this;
    }

    /**
     * Sets whether the output projection starts at zero (as DiT's adaLN-Zero).
     *
     * @param value the value
     * @return this builder
     */
    public Builder optZeroHead(boolean value) {
      this.zeroHead = value;
      return this;
    }

    /**
     * Sets the decay of a weight average sampled after training, 0 for none.
     *
     * @param value the value
     * @return this builder
     */
    public Builder optEma(double value) {
      this.ema = value;
      return this;
    }

    /**
     * Sets the training loss over the image.
     *
     * @param value the value
     * @return this builder
     */
    public Builder optLoss(EditObjective.Loss value) {
      this.loss = value;
      return this;
    }

    /**
     * Sets the edited pixels' weight in the mask-balanced loss.
     *
     * @param value the value
     * @return this builder
     */
    public Builder optEditShare(double value) {
      this.editShare = value;
      return this;
    }

    /**
     * Sets the part of the kept pixels' weight on the input's colour edges in the mask-balanced loss (default 0:
     * every kept pixel alike).
     *
     * @param value the value, in [0, 1]
     * @return this builder
     */
    public Builder optStructureShare(double value) {
      this.structureShare = value;
      return this;
    }

    /**
     * Sets the mean of the logit-normal flow-time density.
     *
     * @param value the value
     * @return this builder
     */
    public Builder optTimeMean(double value) {
      this.timeMean = value;
      return this;
    }

    /**
     * Sets the largest shift, in pixels, of a training target against its input (0: aligned).
     *
     * @param value the value
     * @return this builder
     */
    public Builder optMisalign(int value) {
      this.misalign = value;
      return this;
    }

    /**
     * Sets {@code --compare}'s pretraining steps (the base and the tiny MLLM); 0 for {@link #optSteps the steps}.
     *
     * @param value the value
     * @return this builder
     */
    public Builder optBaseSteps(int value) {
      this.baseSteps = value;
      return this;
    }

    /**
     * Sets how the editor sees the input image.
     *
     * @param value the value
     * @return this builder
     */
    public Builder optParadigm(Paradigm value) {
      this.paradigm = value;
      return this;
    }

    /**
     * Sets what text tokens the editor reads.
     *
     * @param value the value
     * @return this builder
     */
    public Builder optTextFusion(Fusion value) {
      this.textFusion = value;
      return this;
    }

    /**
     * Sets which frozen tiny MLLM the MLLM fusions read (default the lab's own).
     *
     * @param value the value
     * @return this builder
     */
    public Builder optMllm(Mllm value) {
      this.mllm = value;
      return this;
    }

    /**
     * Sets write a checkpoint every this many steps (and after the last); 0 for the last only.
     *
     * @param value the value
     * @return this builder
     */
    public Builder optCheckpointEvery(int value) {
      this.checkpointEvery = value;
      return this;
    }

    /**
     * Sets continue from the run folder's latest checkpoint (the recipe must be the same).
     *
     * @param value the value
     * @return this builder
     */
    public Builder optResume(boolean value) {
      this.resume = value;
      return this;
    }

    /**
     * Sets the report folder.
     *
     * @param value the folder
     * @return this builder
     */
    public Builder optOutput(Path value) {
      this.output = requireNonNull(value, "output");
      return this;
    }

    /**
     * Builds the config.
     *
     * @return the config
     * @throws GpteditException if a value is out of range
     */
    public LabConfig build() {
      return new LabConfig(
          steps, size, batch, seed, lr, warmup, trainCount, heldOutCount, sampleSteps, tolerance, doubleBlocks, singleBlocks, heads, ropeTheta, qkScale, conditionIds, zeroHead, ema, loss, editShare, structureShare, timeMean, misalign, baseSteps, paradigm, textFusion, mllm, checkpointEvery, resume, output);
    }
  }
}
