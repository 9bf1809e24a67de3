package io.gptedit.examples;

import io.gptedit.core.GpteditException;
import io.gptedit.lab.LabConfig;
import io.gptedit.lab.ShardTraining;
import io.gptedit.models.editor.Paradigm;
import io.gptedit.models.nn.Devices;
import io.gptedit.models.train.EditObjective;
import io.gptedit.models.train.EditorSpec;
import io.gptedit.models.train.Precision;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gptedit train}: {@link ShardTraining} with flags (a dataset index over the shards, aspect-bucketed batches,
 * frozen encodings cached per sample, the paradigm's objective, checkpoints with the editor spec); {@code gptedit edit
 * --checkpoint <out>} then edits with it.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Fine-tune an editor on a folder of WebDataset shards (as `gptedit curate` writes them).",
      "The architecture is an editor spec file (--spec, as a run folder's editor.json) or a tiny preset (--preset);"
          + " resume a killed run with --resume and the same flags."
    })
public final class TrainCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--data", required = true, description = "the shard folder")
  Path data;

  @Option(names = {"-o", "--output"}, required = true, description = "the run folder (checkpoints, metrics, editor.json)")
  Path output;

  @Option(names = "--spec", description = "an editor spec (JSON, as a run folder's editor.json)")
  Path specFile;

  @Option(
      names = "--preset",
      description = "a tiny pixel-space editor of a paradigm: kontext, channel-wise or siglip-token (default kontext"
          + " when no --spec is given)")
  String preset;

  @Option(names = "--size", description = "the 1:1 bucket's side for presets; 3:2 and 2:3 get 1.5 times it (default ${DEFAULT-VALUE})")
  int size = 16;

  @Option(names = "--steps", description = "optimizer steps (default ${DEFAULT-VALUE})")
  int steps = 1000;

  @Option(names = "--batch", description = "samples per step (default ${DEFAULT-VALUE})")
  int batch = 16;

  @Option(names = "--lr", description = "peak learning rate (default ${DEFAULT-VALUE})")
  double lr = 1e-3;

  @Option(names = "--seed", description = "seed of batches, noise and preset weights (default ${DEFAULT-VALUE})")
  long seed = 1;

  @Option(
      names = "--loss",
      description = "MSE, or MASK_BALANCED (needs each sample's edit mask: the synthetic truth, or pixels differing by"
          + " more than --mask-tolerance) (default ${DEFAULT-VALUE})")
  EditObjective.Loss loss = EditObjective.Loss.MSE;

  @Option(names = "--mask-tolerance", description = "MASK_BALANCED on real data: per-channel change that counts as edited (default ${DEFAULT-VALUE})")
  int maskTolerance = 16;

  @Option(names = "--checkpoint-every", description = "checkpoint every N steps, 0: the last only (default ${DEFAULT-VALUE})")
  int checkpointEvery = 500;

  @Option(
      names = "--precision",
      description = "fp32, or fp16: float16 forward and backward over float32 master weights with dynamic loss"
          + " scaling (not with a METAQUERY fusion; no bf16) (default ${DEFAULT-VALUE})")
  String precision = "fp32";

  @Option(names = "--device", description = "cpu, gpu:N or default, the engine's (default ${DEFAULT-VALUE})")
  String device = "default";

  @Option(names = "--preload", description = "read every sample into memory first (small data sets)")
  boolean preload;

  @Option(names = "--resume", description = "continue from the run folder's latest checkpoint (same flags)")
  boolean resume;

  @Option(
      names = "--embeddings",
      description = "keep the frozen text encoders' outputs (per sample, bucket and instruction, under the encoders'"
          + " identity) in this folder, such as <data>/embeddings: later epochs and runs read them instead of running"
          + " the encoders")
  Path embeddings;

  @Option(
      names = "--embed-only",
      description = "fill the --embeddings folder for every accepted sample at its bucket, then stop (no training)")
  boolean embedOnly;

  @Option(
      names = "--embed-status",
      description = "report how many accepted samples the --embeddings folder holds at their bucket for this editor's"
          + " text encoders, per bucket, then stop (nothing computed)")
  boolean embedStatus;

  @Option(names = "--only-embedded", description = "train only on the samples whose encodings --embeddings holds")
  boolean onlyEmbedded;

  @Override
  public Integer call() throws IOException {
    System.setProperty("ai.djl.offline", "true");
    CommandLine cmd = spec.commandLine();
    if (specFile != null && preset != null) {
      throw new CommandLine.ParameterException(cmd, "give --spec or --preset, not both");
    }
    if ((embedOnly || embedStatus || onlyEmbedded) && embeddings == null) {
      throw new CommandLine.ParameterException(cmd, (embedOnly ? "--embed-only" : embedStatus ? "--embed-status"
          : "--only-embedded") + " needs --embeddings");
    }
    if (embedOnly && embedStatus) {
      throw new CommandLine.ParameterException(cmd, "give --embed-only or --embed-status, not both");
    }
    Precision computePrecision;
    try {
      computePrecision = Precision.parse(precision);
    } catch (GpteditException e) {
      throw new CommandLine.ParameterException(cmd, "--precision: " + e.getMessage());
    }
    LabConfig recipe =
        LabConfig.builder(output).optSteps(steps).optBatch(batch).optLr(lr).optSeed(seed)
            .optWarmup(Math.min(50, steps / 10)).optSize(size).optLoss(loss).optCheckpointEvery(checkpointEvery)
            .optResume(resume).optParadigm(preset == null ? Paradigm.KONTEXT : Paradigm.parse(preset)).build();
    ShardTraining.Builder b =
        ShardTraining.builder(data, recipe).optMaskTolerance(maskTolerance).optPreload(preload)
        .optOnlyEmbedded(onlyEmbedded).optDevice(Devices.parse(device)).optPrecision(computePrecision);
    if (specFile != null) {
      b.optEditorSpec(EditorSpec.fromJson(Files.readString(specFile, StandardCharsets.UTF_8), specFile.toString()));
    }
    if (embeddings != null) {
      b.optEmbeddings(embeddings);
    }
    ShardTraining training = b.build();
    System.out.printf(
        Locale.ROOT, "train: %,d samples in %s; %s editor; buckets %s; %d steps of batch %d into %s%n",
        training.samples(), data, training.spec().paradigm().tag(), training.buckets(), steps, batch, output);
    if (embedStatus) {
      ShardTraining.EmbeddingCoverage c = training.embeddingCoverage();
      System.out.printf(Locale.ROOT, "embeddings: %d of %d accepted samples stored, %d missing, in %s%n", c.stored(),
          c.stored() + c.missing(), c.missing(), c.folder());
      c.buckets().forEach((p, n) -> System.out.printf(Locale.ROOT, "  %s %s: %d stored, %d missing%n", p, n.size(),
          n.stored(), n.missing()));
      if (!c.storable()) {
        System.out.println("  (METAQUERY fusions are never stored: their MLLM runs per step with the queries)");
      }
      return 0;
    }
    if (embedOnly) {
      ShardTraining.EmbeddingFill f = training.fillEmbeddings();
      System.out.printf(Locale.ROOT, "embeddings: %d read, %d computed, in %s%n", f.read(), f.computed(), f.folder());
      return 0;
    }
    ShardTraining.Result r;
    try (TrainingProgress progress = TrainingProgress.create(steps, System.out, 100)) {
      r = training.train(progress);
    }
    if (embeddings != null) {
      System.out.printf(Locale.ROOT, "embeddings: %d read, %d computed, in %s%n", r.embeddingsRead(),
          r.embeddingsComputed(), embeddings);
    }
    System.out.printf(Locale.ROOT, "run: %s (edit with: gptedit edit --checkpoint %s ...)%n", output, output);
    return 0;
  }
}
