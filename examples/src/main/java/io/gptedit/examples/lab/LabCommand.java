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
      "Writes metrics.json, table.txt, loss.png and contact-sheet.png to the output folder."
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
      description = "PyTorch intra-op threads; 0 keeps the engine default (one per core). 1 avoids the collapse of an"
          + " oversubscribed thread pool on a machine shared with other work (default ${DEFAULT-VALUE})")
  int threads = 1;

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

  @Override
  public Integer call() {
    System.setProperty("java.awt.headless", "true");
    System.setProperty("ai.djl.offline", "true");
    if (threads < 0) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(this), "--threads must be >= 0, got " + threads);
    }
    if (threads > 0) {
      System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
      System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }
    LabConfig config =
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
            .build();
    long t0 = System.nanoTime();
    EditLab.Result result;
    // A bar on a terminal, a line every 100 steps with rate and ETA otherwise; the summary line when training ends.
    TrainingProgress progress = TrainingProgress.create(steps, System.out, 100);
    try {
      result =
          EditLab.run(
              config,
              new EditLab.Listener() {
                private boolean training;

                @Override
                public void onPhase(String message) {
                  if (training) {
                    progress.close(); // the first phase after training: end the bar (a second close does nothing)
                  }
                  System.out.printf(Locale.ROOT, "[%6.1fs] %s%n", (System.nanoTime() - t0) / 1e9, message);
                }

                @Override
                public void onStep(StepMetrics m, int total) {
                  training = true;
                  progress.onStep(m);
                }
              });
    } finally {
      progress.close();
    }
    System.out.println();
    System.out.print(result.table());
    System.out.printf(
        Locale.ROOT,
        "%ntraining: %.1f s (%.3f s/step), loss %.4f -> %.4f (mean of the last 50 steps)%n",
        result.trainSeconds(), result.trainSeconds() / steps, result.firstLoss(), result.lastLoss());
    System.out.printf(Locale.ROOT, "report: %s (total %.1f s)%n", result.report().toAbsolutePath(), (System.nanoTime() - t0) / 1e9);
    return 0;
  }
}
