package io.gptedit.examples;

import io.gptedit.core.GpteditException;
import io.gptedit.core.geometry.AspectPreset;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.EditMask;
import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.index.DatasetIndex;
import io.gptedit.data.index.TrainingBatches;
import io.gptedit.data.index.TrainingSet;
import io.gptedit.data.synthetic.SyntheticTruth;
import io.gptedit.lab.EditLab;
import io.gptedit.lab.LabConfig;
import io.gptedit.models.editor.Paradigm;
import io.gptedit.models.train.EditBatchSource;
import io.gptedit.models.conditioning.EmbeddingStore;
import io.gptedit.models.conditioning.TextFusion;
import io.gptedit.models.train.EditCollator;
import io.gptedit.models.train.EditFineTuning;
import io.gptedit.models.train.EditObjective;
import io.gptedit.models.train.EditSample;
import io.gptedit.models.train.EditorSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gptedit train}: fine-tunes an editor on a shard folder through the library's one path: a dataset index
 * over the shards, aspect-bucketed batches ({@code TrainingBatches}), frozen encodings cached per sample, the
 * paradigm's objective, checkpoints with the editor spec; {@code gptedit edit --checkpoint <out>} then edits with it.
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

  @Override
  public Integer call() throws IOException {
    System.setProperty("ai.djl.offline", "true");
    CommandLine cmd = spec.commandLine();
    if (specFile != null && preset != null) {
      throw new CommandLine.ParameterException(cmd, "give --spec or --preset, not both");
    }
    LabConfig lab =
        LabConfig.builder(output).optSteps(steps).optBatch(batch).optLr(lr).optSeed(seed)
            .optWarmup(Math.min(50, steps / 10)).optSize(size).optLoss(loss).optCheckpointEvery(checkpointEvery)
            .optParadigm(preset == null ? Paradigm.KONTEXT : Paradigm.parse(preset)).build();
    EditorSpec editorSpec =
        specFile != null
            ? EditorSpec.fromJson(Files.readString(specFile, StandardCharsets.UTF_8), specFile.toString())
            : EditLab.editorSpec(lab);
    if ((embedOnly || embedStatus) && embeddings == null) {
      throw new CommandLine.ParameterException(cmd, (embedOnly ? "--embed-only" : "--embed-status")
          + " needs --embeddings");
    }
    if (embedOnly && embedStatus) {
      throw new CommandLine.ParameterException(cmd, "give --embed-only or --embed-status, not both");
    }
    TrainingBatches batches;
    long samples;
    List<DatasetIndex.Entry> entries;
    try (DatasetIndex index = DatasetIndex.build(data)) {
      DatasetIndex.Filter filter = DatasetIndex.Filter.ALL.verdict("accepted");
      samples = index.count(filter);
      if (samples == 0) {
        throw new GpteditException(data + " holds no accepted sample to train on");
      }
      batches = TrainingBatches.builder().optBatchSize(batch).optSeed(seed).optFilter(filter).build(index);
      entries = embedOnly || embedStatus ? index.entries(filter) : List.of();
    }
    TrainingSet set = new TrainingSet(data, batches);
    if (preload) {
      set.preload();
    }
    Map<AspectPreset, Size> sizes = bucketSizes(editorSpec);
    System.out.printf(
        Locale.ROOT, "train: %,d samples in %s; %s editor; buckets %s; %d steps of batch %d into %s%n", samples, data,
        editorSpec.paradigm().tag(), sizes, steps, batch, output);
    try (EditorSpec.Parts parts = editorSpec.build(EditorSpec.NO_EXTERNALS);
        TrainingProgress progress = TrainingProgress.create(steps, System.out, 100)) {
      EmbeddingStore store = embeddings == null ? null : EmbeddingStore.open(embeddings, parts.text().encoderId());
      EditCollator collator =
          new EditCollator(parts.codec(), parts.denoiser(), parts.text(), preload ? (int) samples : 4096, store);
      if (embedStatus) {
        Map<AspectPreset, long[]> byBucket = new EnumMap<>(AspectPreset.class);
        long stored = 0;
        for (DatasetIndex.Entry e : entries) {
          boolean has = collator.textStored(sample(set.sample(e.key())), sizes.get(e.preset()));
          long[] c = byBucket.computeIfAbsent(e.preset(), p -> new long[2]);
          c[has ? 0 : 1]++;
          stored += has ? 1 : 0;
        }
        System.out.printf(Locale.ROOT, "embeddings: %d of %d accepted samples stored, %d missing, in %s%n", stored,
            entries.size(), entries.size() - stored, store.folder());
        byBucket.forEach((p, c) -> System.out.printf(Locale.ROOT, "  %s %s: %d stored, %d missing%n", p,
            sizes.get(p), c[0], c[1]));
        if (parts.text().config().mode() == TextFusion.Mode.METAQUERY) {
          System.out.println("  (METAQUERY fusions are never stored: their MLLM runs per step with the queries)");
        }
        return 0;
      }
      if (embedOnly) {
        for (DatasetIndex.Entry e : entries) {
          collator.text(sample(set.sample(e.key())), sizes.get(e.preset()));
        }
        System.out.printf(Locale.ROOT, "embeddings: %d read, %d computed, in %s%n", store.hits(), store.misses(),
            store.folder());
        return 0;
      }
      EditBatchSource source = (step, micro) -> {
        List<EditSample> b = new ArrayList<>();
        for (EditTriplet t : set.batch(step)) {
          b.add(sample(t));
        }
        return new EditBatchSource.MicroBatch(b, sizes.get(set.bucket(step)));
      };
      EditFineTuning.run(
          EditLab.recipeOf(lab), parts.denoiser(), parts.text(), collator, source, editorSpec, output, resume,
          Map.of("data", data.toAbsolutePath().toString()),
          "{\"data\":\"" + data.toAbsolutePath().toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\",\"steps\":"
              + steps + ",\"batch\":" + batch + ",\"lr\":" + lr + ",\"seed\":" + seed + ",\"loss\":\"" + loss + "\"}",
          progress);
      if (store != null) {
        System.out.printf(Locale.ROOT, "embeddings: %d read, %d computed, in %s%n", store.hits(), store.misses(),
            store.folder());
      }
    }
    System.out.printf(Locale.ROOT, "run: %s (edit with: gptedit edit --checkpoint %s ...)%n", output, output);
    return 0;
  }

  private EditSample sample(EditTriplet t) {
    EditSample s = EditSample.of(t);
    EditMask mask =
        SyntheticTruth.of(t.metadata()).map(SyntheticTruth::mask)
            .orElseGet(() -> EditMask.between(t.input(), t.edited(), maskTolerance));
    return s.withMask(mask);
  }

  /** Bucket resolutions: the 1:1 side, and 1.5 times it on the long side of 3:2 and 2:3, on the model's granule. */
  private Map<AspectPreset, Size> bucketSizes(EditorSpec s) {
    int factor = s.codec().vae() == null ? 1 : s.codec().vae().spatialFactor();
    int granule = factor * 2;
    int side = Math.max(granule, size / granule * granule);
    int longSide = Math.max(granule, (size * 3 / 2) / granule * granule);
    Map<AspectPreset, Size> out = new EnumMap<>(AspectPreset.class);
    out.put(AspectPreset.SQUARE, new Size(side, side));
    out.put(AspectPreset.LANDSCAPE, new Size(longSide, side));
    out.put(AspectPreset.PORTRAIT, new Size(side, longSide));
    return out;
  }

}
