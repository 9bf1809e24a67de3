package io.gptedit.examples.lab;

import io.gptedit.examples.TrainingProgress;
import io.gptedit.models.train.StepMetrics;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gptedit lab}: the CPU edit lab, end to end, with no arguments. */
@Command(
    name = "lab",
    mixinStandardHelpOptions = true,
    description = {
      "Generates synthetic triplets into shards, fine-tunes a tiny Kontext-style editor on the CPU, edits the"
          + " held-out set and scores it beside two baselines (copy input; the untrained editor).",
      "Writes metrics.json, table.txt, loss.png and contact-sheet.png to the output folder.",
      "--compare trains the three conditioning paradigms (Kontext, channel-wise, SigLIP-style tokens) the same way and"
          + " prints them side by side."
    })
public final class LabCommand implements Callable<Integer> {
  /** The no-argument run; every option's default comes from it. */
  private static final LabConfig D = LabConfig.defaults(Path.of("lab-report"));

  @Option(names = "--steps", description = "optimizer steps (default ${DEFAULT-VALUE}; see docs/lab.md for longer runs)")
  int steps = D.steps();

  @Option(names = "--size", description = "image side in pixels (default ${DEFAULT-VALUE})")
  int size = D.size();

  @Option(names = "--batch", description = "samples per step (default ${DEFAULT-VALUE})")
  int batch = D.batch();

  @Option(names = "--seed", description = "seed of data, weights, batches and noise (default ${DEFAULT-VALUE})")
  long seed = D.seed();

  @Option(names = "--lr", description = "peak learning rate (default ${DEFAULT-VALUE})")
  double lr = D.lr();

  @Option(names = "--train", description = "training triplets (default ${DEFAULT-VALUE})")
  int train = D.trainCount();

  @Option(names = "--heldout", description = "held-out triplets (default ${DEFAULT-VALUE})")
  int heldOut = D.heldOutCount();

  @Option(names = "--sample-steps", description = "Euler steps when editing (default ${DEFAULT-VALUE})")
  int sampleSteps = D.sampleSteps();

  @Option(
      names = "--edit-weight",
      description = "WEIGHTED loss: extra weight inside the edit mask, 0 for a plain MSE (default ${DEFAULT-VALUE})")
  double editWeight = D.editWeight();

  @Option(
      names = "--prediction",
      description = "RESIDUAL (x0 = condition + output) or VELOCITY (Flux's noise - x0) (default ${DEFAULT-VALUE})")
  LabConfig.Prediction prediction = D.prediction();

  @Option(
      names = "--condition-ids",
      description = "SHARED (condition tokens reuse the noisy ids) or KONTEXT (axis 0 = 1) (default ${DEFAULT-VALUE})")
  LabConfig.ConditionIds conditionIds = D.conditionIds();

  @Option(
      names = "--zero-head",
      description = "start the output projection at zero (in RESIDUAL mode the untrained editor then copies the input;"
          + " default: random, as Flux)")
  boolean zeroHead = D.zeroHead();

  @Option(
      names = "--loss",
      description = "MASK_BALANCED (per sample, edited and kept pixels' mean errors weighted --edit-share : 1 - it) or"
          + " WEIGHTED (plain MSE, weight 1 + --edit-weight inside the edit) (default ${DEFAULT-VALUE})")
  LabConfig.Loss loss = D.loss();

  @Option(names = "--edit-share", description = "MASK_BALANCED: weight of the edited pixels (default ${DEFAULT-VALUE})")
  double editShare = D.editShare();

  @Option(
      names = "--time-mean",
      description = "mean of the logit-normal flow-time density; > 0 trains more at high noise (default ${DEFAULT-VALUE})")
  double timeMean = D.timeMean();

  @Option(
      names = "--threads",
      description = "PyTorch intra-op threads; 0 keeps the engine default (one per core, what the measured default run"
          + " used on 2 cores). On a machine busy with other work, 1 avoids the collapse of an oversubscribed thread"
          + " pool (default ${DEFAULT-VALUE})")
  int threads = 0;

  @Option(
      names = "--ema",
      description = "decay of an exponential moving average of the weights used for sampling; 0 samples the raw"
          + " weights (default ${DEFAULT-VALUE})")
  double ema = D.ema();

  @Option(
      names = "--misalign",
      description = "misaligned-data variant: shift each target (not the input) by up to N pixels, seeded per"
          + " sample, edge pixels replicated; scoring stays on the exact target (default ${DEFAULT-VALUE})")
  int misalign = 0;

  @Option(names = {"-o", "--output"}, description = "report folder (default ${DEFAULT-VALUE})")
  Path output = Path.of("lab-report");

  @Option(
      names = "--paradigm",
      description = "how the editor sees the input image: KONTEXT (condition tokens in the image stream), CHANNEL"
          + " (InstructPix2Pix: condition concatenated on channels) or SIGLIP (a frozen encoder's pooled tokens in the"
          + " text stream) (default KONTEXT)")
  LabConfig.Paradigm paradigm;

  @Option(
      names = "--text-fusion",
      description = "text tokens: T5 (frozen T5-style encoder), MLLM (projected hidden states of a frozen stand-in"
          + " MLLM that reads instruction and image), MLLM_T5 (both, concatenated) or METAQUERY (learned queries read"
          + " out of the stand-in MLLM) (default ${DEFAULT-VALUE})")
  LabConfig.Fusion textFusion = LabConfig.Fusion.T5;

  @Option(
      names = "--checkpoint-every",
      description = "write a checkpoint every N steps and after the last, 0 for the last only (default ${DEFAULT-VALUE})")
  int checkpointEvery = D.checkpointEvery();

  @Option(
      names = "--resume",
      description = "continue a killed run from the latest checkpoint in <output>/run (same flags as the first run);"
          + " the data are regenerated identically and training continues bit-exactly")
  boolean resume;

  @Option(
      names = "--compare",
      description = "train all three paradigms on the same data, steps and seed and print them side by side")
  boolean compare;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    System.setProperty("java.awt.headless", "true");
    System.setProperty("ai.djl.offline", "true");
    if (threads < 0) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(this), "--threads must be >= 0, got " + threads);
    }
    if (compare && paradigm != null) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(),
          "--compare trains all three paradigms; drop --paradigm " + paradigm + " (or drop --compare to train only it)");
    }
    if (threads > 0) {
      System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
    }
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1"); // the lab runs one op at a time
    LabConfig.Builder builder =
        LabConfig.builder(output)
            .steps(steps)
            .size(size)
            .batch(batch)
            .seed(seed)
            .lr(lr)
            .warmup(Math.min(D.warmup(), steps / 10))
            .trainCount(train)
            .heldOutCount(heldOut)
            .sampleSteps(sampleSteps)
            .editWeight(editWeight)
            .prediction(prediction)
            .conditionIds(conditionIds)
            .zeroHead(zeroHead)
            .loss(loss)
            .editShare(editShare)
            .timeMean(timeMean)
            .ema(ema)
            .misalign(misalign)
            .paradigm(paradigm == null ? LabConfig.Paradigm.KONTEXT : paradigm)
            .textFusion(textFusion)
            .checkpointEvery(checkpointEvery)
            .resume(resume);
    LabConfig config;
    try {
      config = builder.build();
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    long t0 = System.nanoTime();
    LabListener progress = new LabListener(t0, config.steps());
    try {
      if (compare) {
        EditLab.Comparison comparison = EditLab.compare(config, progress);
        progress.endTraining();
        System.out.println();
        System.out.print(comparison.table());
        System.out.printf(
            Locale.ROOT, "report: %s (total %.1f s)%n", comparison.report().toAbsolutePath(), (System.nanoTime() - t0) / 1e9);
        return 0;
      }
      EditLab.Result result = EditLab.run(config, progress);
      progress.endTraining();
      System.out.println();
      System.out.print(result.table());
      System.out.printf(
          Locale.ROOT,
          "%ntraining: %.1f s (%.3f s/step), loss %.4f -> %.4f (mean of the last 50 steps)%n",
          result.trainSeconds(), result.trainSeconds() / steps, result.firstLoss(), result.lastLoss());
      System.out.printf(Locale.ROOT, "report: %s (total %.1f s)%n", result.report().toAbsolutePath(), (System.nanoTime() - t0) / 1e9);
      return 0;
    } finally {
      progress.endTraining();
    }
  }

  /**
   * Prints the lab's phases with their elapsed time and each training run's steps through a {@link TrainingProgress}
   * (a bar on a terminal; otherwise a line every 100 steps with rate and ETA), which it ends with the summary line at
   * the first phase after training (with {@code --compare}, once per paradigm).
   */
  private static final class LabListener implements EditLab.Listener {
    private final long t0;
    private final int steps;
    private TrainingProgress training;

    LabListener(long t0, int steps) {
      this.t0 = t0;
      this.steps = steps;
    }

    @Override
    public void onPhase(String message) {
      endTraining();
      System.out.printf(Locale.ROOT, "[%6.1fs] %s%n", (System.nanoTime() - t0) / 1e9, message);
      if (message.startsWith("training ")) {
        training = TrainingProgress.create(steps, System.out, 100); // its clock starts before the first step
      }
    }

    @Override
    public void onStep(StepMetrics m, int total) {
      if (training == null) {
        training = TrainingProgress.create(total, System.out, 100);
      }
      training.onStep(m);
    }

    void endTraining() {
      if (training != null) {
        training.close();
        training = null;
      }
    }
  }
}
