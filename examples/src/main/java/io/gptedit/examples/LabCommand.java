package io.gptedit.examples;

import io.gptedit.lab.EditLab;
import io.gptedit.lab.LabConfig;
import io.gptedit.models.editor.Paradigm;
import io.gptedit.models.nn.Devices;
import io.gptedit.models.train.EditObjective;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gptedit lab}: the CPU edit lab, end to end, with no arguments. */
@Command(
    name = "lab",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the library's path at tiny size: synthetic triplets through the curation pipeline into shards and an"
          + " index, a tiny editor fine-tuned on the CPU, the held-out set edited and scored as a benchmark with the"
          + " synthetic world's exact object- and pixel-level metrics, beside the copy-input baseline and the"
          + " untrained editor.",
      "Writes metrics.json, table.txt, loss.png, contact-sheet.png, heldout/ (inputs, targets, outputs) and run/ (the"
          + " checkpoint: `gptedit edit --checkpoint <output>/run` loads it).",
      "--compare is the paper's comparisons in miniature and takes about 17 times a run of the same --steps: it"
          + " pretrains a text-to-scene base once (--base-steps; reused from <output>/base by a later --compare),"
          + " trains each paradigm from scratch and from the base on aligned and misaligned targets, then trains the"
          + " tiny MLLM on the world (reused from <output>/mllm) and each MLLM text fusion from the base.",
      "--device gpu:0 runs the editor, its training and the held-out sampling on a GPU (the data are made in Java)."
    })
public final class LabCommand implements Callable<Integer> {
  /** The no-argument run; every option's default comes from it. */
  private static final LabConfig D = LabConfig.defaults(Path.of("lab-report"));

  @Option(names = "--steps", description = "optimizer steps (default ${DEFAULT-VALUE})")
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

  @Option(names = "--double-blocks", description = "double-stream blocks (default ${DEFAULT-VALUE})")
  int doubleBlocks = D.doubleBlocks();

  @Option(names = "--single-blocks", description = "single-stream blocks (default ${DEFAULT-VALUE})")
  int singleBlocks = D.singleBlocks();

  @Option(names = "--heads", description = "attention heads of 16 channels (default ${DEFAULT-VALUE})")
  int heads = D.heads();

  @Option(names = "--rope-theta", description = "base of the rotary position frequencies (default ${DEFAULT-VALUE})")
  double ropeTheta = D.ropeTheta();

  @Option(names = "--qk-scale", description = "initial scale of the attention's query/key norms (default ${DEFAULT-VALUE})")
  double qkScale = D.qkScale();

  @Option(
      names = "--condition-ids",
      description = "KONTEXT (condition tokens at (1, r, c)) or SHARED (at the noisy tokens' (0, r, c))"
          + " (default ${DEFAULT-VALUE})")
  LabConfig.ConditionIds conditionIds = D.conditionIds();

  @Option(names = "--zero-head", description = "start the output projection at zero (default: random, as Flux)")
  boolean zeroHead = D.zeroHead();

  @Option(
      names = "--loss",
      description = "MASK_BALANCED (per sample, edited and kept pixels' mean errors weighted --edit-share : 1 - it) or"
          + " MSE (default ${DEFAULT-VALUE})")
  EditObjective.Loss loss = D.loss();

  @Option(names = "--edit-share", description = "MASK_BALANCED: weight of the edited pixels (default ${DEFAULT-VALUE})")
  double editShare = D.editShare();

  @Option(names = "--structure-share", description = "MASK_BALANCED: the kept weight's part on the input's colour edges"
      + " (default ${DEFAULT-VALUE})")
  double structureShare = D.structureShare();

  @Option(
      names = "--time-mean",
      description = "mean of the logit-normal flow-time density; > 0 trains more at high noise (default ${DEFAULT-VALUE})")
  double timeMean = D.timeMean();

  @Option(
      names = "--threads",
      description = "PyTorch intra-op threads; 1 (the default) does not slow down when the machine is busy, 0 keeps"
          + " the engine default (one per core: about 18 %% faster on an idle machine) (default ${DEFAULT-VALUE})")
  int threads = 1;

  @Option(names = "--ema", description = "decay of a weight average sampled after training; 0: none (default ${DEFAULT-VALUE})")
  double ema = D.ema();

  @Option(
      names = "--misalign",
      description = "shift each training target (not the input) by up to N pixels; scoring stays on the exact target"
          + " (default ${DEFAULT-VALUE})")
  int misalign = D.misalign();

  @Option(names = {"-o", "--output"}, description = "report folder (default ${DEFAULT-VALUE})")
  Path output = D.output();

  @Option(
      names = "--paradigm",
      description = "kontext (condition tokens in the image stream), channel-wise (condition on channels) or"
          + " siglip-token (a frozen encoder's pooled tokens in the text stream) (default kontext)")
  String paradigm;

  @Option(
      names = "--text-fusion",
      description = "T5 (frozen text encoder), MLLM (projected states of a frozen tiny MLLM reading instruction and"
          + " image), MLLM_T5 (both) or METAQUERY (learned queries read out of the MLLM) (default ${DEFAULT-VALUE})")
  LabConfig.Fusion textFusion = D.textFusion();

  @Option(
      names = "--mllm",
      description = "the frozen tiny MLLM of the MLLM fusions: TINY (the lab's own) or QWEN2_5_VL_TINY (Qwen2.5-VL's"
          + " architecture and preprocessing at toy size) (default ${DEFAULT-VALUE})")
  LabConfig.Mllm mllm = D.mllm();

  @Option(names = "--checkpoint-every", description = "checkpoint every N steps, 0: the last only (default ${DEFAULT-VALUE})")
  int checkpointEvery = D.checkpointEvery();

  @Option(
      names = "--resume",
      description = "continue a killed run from <output>/run's latest checkpoint (the same flags as the first run)")
  boolean resume;

  @Option(
      names = "--compare",
      description = "the paradigm table (from scratch and from a pretrained base, aligned and misaligned) and the"
          + " text-fusion table, every run with the same data, steps and seed; much longer than a run")
  boolean compare;

  @Option(
      names = "--base-steps",
      description = "--compare's pretraining steps (the base and the tiny MLLM); 0: --steps (default ${DEFAULT-VALUE})")
  int baseSteps = D.baseSteps();

  @Option(
      names = "--device",
      description = "where the editor is built, trained and sampled: cpu, gpu:N or default, the engine's; not part of"
          + " the recipe a --resume compares (default ${DEFAULT-VALUE})")
  String device = "default";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    System.setProperty("java.awt.headless", "true");
    System.setProperty("ai.djl.offline", "true");
    if (threads < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be >= 0, got " + threads);
    }
    if (compare && paradigm != null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--compare trains all three paradigms; drop --paradigm " + paradigm);
    }
    if (threads > 0) {
      System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
    }
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1"); // the lab runs one op at a time
    // After the thread properties: the engine starts here, and a GPU it lacks is refused before any data is made.
    var on = Devices.require(Devices.parse(device));
    LabConfig config =
        LabConfig.builder(output)
            .optSteps(steps).optSize(size).optBatch(batch).optSeed(seed).optLr(lr)
            .optWarmup(Math.min(D.warmup(), steps / 10)).optTrainCount(train).optHeldOutCount(heldOut)
            .optSampleSteps(sampleSteps).optDoubleBlocks(doubleBlocks).optSingleBlocks(singleBlocks).optHeads(heads)
            .optRopeTheta(ropeTheta).optQkScale(qkScale)
            .optConditionIds(conditionIds).optZeroHead(zeroHead).optLoss(loss).optEditShare(editShare)
            .optStructureShare(structureShare)
            .optTimeMean(timeMean).optEma(ema).optMisalign(misalign).optBaseSteps(baseSteps)
            .optParadigm(paradigm == null ? Paradigm.KONTEXT : Paradigm.parse(paradigm))
            .optTextFusion(textFusion).optMllm(mllm).optCheckpointEvery(checkpointEvery).optResume(resume)
            .build();
    long t0 = System.nanoTime();
    try (EditLab.Printing progress =
        EditLab.Listener.printing(System.out, total -> TrainingProgress.create(total, System.out, 100))) {
      EditLab.Result result = compare ? EditLab.compare(config, progress, on) : EditLab.run(config, progress, on);
      progress.endTraining();
      System.out.println();
      System.out.print(result.table());
      if (!compare) {
        System.out.printf("%n%s%n", result.training().summary());
      }
      System.out.printf(
          Locale.ROOT, "report: %s (total %.1f s)%n", result.report().toAbsolutePath(), (System.nanoTime() - t0) / 1e9);
      return 0;
    }
  }
}
