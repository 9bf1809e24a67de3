package io.gptedit.examples.lab;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gptedit.core.image.RgbImage;
import io.gptedit.data.synthetic.EditMetrics;
import io.gptedit.models.train.AdamWOptimizer;
import io.gptedit.models.train.LrSchedule;
import io.gptedit.models.train.StepMetrics;
import io.gptedit.models.train.FineTuner;
import io.gptedit.models.train.FineTuneListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The CPU edit lab: the paper's pipeline in miniature. Generates synthetic triplets into shards (train and
 * held-out), reads them back, fine-tunes a tiny Kontext-style editor with the {@link FineTuner}, samples edits for
 * the held-out set, and scores them beside two baselines (copy the input; the untrained editor) with the
 * synthetic world's exact metrics. Writes {@code metrics.json}, {@code table.txt}, {@code loss.png}, {@code
 * contact-sheet.png}, the trainer's {@code run/} folder (metrics.jsonl, final checkpoint) and the shards.
 *
 * <p>The config picks the conditioning paradigm ({@link LabConfig.Paradigm}) and the text fusion
 * ({@link LabConfig.Fusion}); {@link #compare} trains the three paradigms on the same data and budget.
 */
public final class EditLab {
  private static final ObjectMapper JSON = new ObjectMapper();

  private EditLab() {}

  /** Observes a lab run. */
  public interface Listener {
    /**
     * Reports the start of a phase.
     *
     * @param message what is happening
     */
    void onPhase(String message);

    /**
     * Reports a finished training step.
     *
     * @param metrics the step's metrics
     * @param totalSteps the run's number of steps
     */
    void onStep(StepMetrics metrics, int totalSteps);
  }

  /**
   * One editor's scores on the held-out set (means over samples).
   *
   * @param name the editor
   * @param instructionFollowing IF: share of edit-mask pixels within the tolerance of the target
   * @param identityPreservation IP: share of pixels outside the mask within the tolerance of the input
   * @param psnr PSNR against the target in dB (whole image; capped at 99)
   * @param meanAbsError mean absolute error against the target, 0..255 units
   */
  public record Row(
      String name, double instructionFollowing, double identityPreservation, double psnr, double meanAbsError) {}

  /**
   * What a lab run produced.
   *
   * @param rows copy-input, untrained and trained scores, in that order
   * @param table the printed table
   * @param report the report folder
   * @param trainSeconds wall-clock training time
   * @param firstLoss the first step's loss
   * @param lastLoss the mean loss of the last 50 steps
   */
  public record Result(
      List<Row> rows, String table, Path report, double trainSeconds, double firstLoss, double lastLoss) {}

  /**
   * Runs the lab.
   *
   * @param config the run's config
   * @param listener progress
   * @return the scores and where the report is
   */
  public static Result run(LabConfig config, Listener listener) {
    requireNonNull(config, "config");
    requireNonNull(listener, "listener");
    Path out = config.output();
    TinyTextEncoder encoder = new TinyTextEncoder(16, 32, config.seed() ^ 0x7E47L);
    LabData data = prepareData(config, encoder, listener);
    List<LabExample> heldOut = data.heldOut();

    List<Row> rows = new ArrayList<>();
    List<RgbImage> inputs = heldOut.stream().map(LabExample::input).toList();
    rows.add(score("copy input (baseline)", heldOut, inputs, config.tolerance()));

    try (LabModel model = new LabModel(config, encoder);
        NDManager manager = NDManager.newBaseManager()) {
      listener.onPhase(String.format("editor: %,d parameters; scoring it untrained", model.parameterCount()));
      rows.add(score(untrainedName(config), heldOut, edit(model, heldOut, config, manager), config.tolerance()));

      listener.onPhase(
          String.format(
              "training %d steps of batch %d%s", config.steps(), config.batch(),
              config.resume() ? " (resuming from the latest checkpoint in " + out.resolve("run") + ", if any)" : ""));
      Training training = train(model, config, data, out.resolve("run"), listener);
      List<StepMetrics> metrics = training.metrics();
      double trainSeconds = training.seconds();

      listener.onPhase(String.format("sampling %d held-out edits (%d Euler steps)", heldOut.size(), config.sampleSteps()));
      List<RgbImage> outputs = edit(model, heldOut, config, manager);
      rows.add(score(trainedName(config), heldOut, outputs, config.tolerance()));

      String table = LabReport.table(rows, config.tolerance());
      double first = metrics.get(0).loss();
      double last = last50(metrics);
      writeReport(config, out, rows, table, metrics, trainSeconds, first, last, model.parameterCount(), data);
      LabReport.lossCurve(metrics, out.resolve("loss.png"));
      int n = Math.min(8, heldOut.size());
      LabReport.contactSheet(heldOut.subList(0, n), outputs.subList(0, n), "output", out.resolve("contact-sheet.png"));
      return new Result(List.copyOf(rows), table, out, trainSeconds, first, last);
    }
  }

  /**
   * One paradigm's training in a comparison.
   *
   * @param paradigm the paradigm
   * @param parameters its trainable parameters (backbone, projector, connector)
   * @param trainSeconds wall-clock training time
   * @param firstLoss the first step's loss
   * @param lastLoss the mean loss of the last 50 steps
   * @param skippedSteps steps skipped for a non-finite loss or gradient
   */
  public record ParadigmRun(
      LabConfig.Paradigm paradigm,
      long parameters,
      double trainSeconds,
      double firstLoss,
      double lastLoss,
      long skippedSteps) {}

  /**
   * What {@code lab --compare} produced.
   *
   * @param rows copy input, then the untrained editor of each paradigm, then the trained editor of each paradigm
   *     (paradigms in {@link LabConfig.Paradigm} order)
   * @param runs each paradigm's training, in the same order
   * @param table the printed table (scores, then training)
   * @param report the report folder
   */
  public record Comparison(List<Row> rows, List<ParadigmRun> runs, String table, Path report) {
    /** Copies the lists. */
    public Comparison {
      rows = List.copyOf(rows);
      runs = List.copyOf(runs);
    }
  }

  /**
   * Trains the three paradigms ({@link LabConfig.Paradigm}) on the same data, steps, seed, text fusion and recipe
   * (the config's paradigm is ignored; its condition ids apply to KONTEXT), and scores them side by side beside the
   * baselines: the paper's Table 4 in miniature. Writes {@code metrics.json}, {@code table.txt}, and per paradigm
   * {@code loss-<paradigm>.png}, {@code contact-sheet-<paradigm>.png} and the trainer's {@code run-<paradigm>/}.
   *
   * @param config the run's config
   * @param listener progress
   * @return the scores and where the report is
   */
  public static Comparison compare(LabConfig config, Listener listener) {
    requireNonNull(config, "config");
    requireNonNull(listener, "listener");
    Path out = config.output();
    TinyTextEncoder encoder = new TinyTextEncoder(16, 32, config.seed() ^ 0x7E47L);
    LabData data = prepareData(config, encoder, listener);
    List<LabExample> heldOut = data.heldOut();

    Row copy = score("copy input (baseline)", heldOut, heldOut.stream().map(LabExample::input).toList(), config.tolerance());
    List<Row> untrained = new ArrayList<>();
    List<Row> trained = new ArrayList<>();
    List<ParadigmRun> runs = new ArrayList<>();
    int n = Math.min(8, heldOut.size());
    for (LabConfig.Paradigm p : LabConfig.Paradigm.values()) {
      LabConfig c =
          config.toBuilder()
              .paradigm(p)
              .conditionIds(p == LabConfig.Paradigm.KONTEXT ? config.conditionIds() : LabConfig.ConditionIds.SHARED)
              .build();
      String tag = paradigmTag(c);
      try (LabModel model = new LabModel(c, encoder);
          NDManager manager = NDManager.newBaseManager()) {
        listener.onPhase(String.format("%s editor: %,d parameters; scoring it untrained", tag, model.parameterCount()));
        untrained.add(score(untrainedName(c), heldOut, edit(model, heldOut, c, manager), c.tolerance()));
        listener.onPhase(String.format("training %s: %d steps of batch %d", tag, c.steps(), c.batch()));
        Training t = train(model, c, data, out.resolve("run-" + tag), listener);
        listener.onPhase(String.format("sampling %d held-out edits with %s (%d Euler steps)", heldOut.size(), tag, c.sampleSteps()));
        List<RgbImage> outputs = edit(model, heldOut, c, manager);
        trained.add(score(trainedName(c), heldOut, outputs, c.tolerance()));
        runs.add(
            new ParadigmRun(
                p, model.parameterCount(), t.seconds(), t.metrics().get(0).loss(), last50(t.metrics()),
                t.metrics().stream().filter(StepMetrics::skipped).count()));
        LabReport.lossCurve(t.metrics(), out.resolve("loss-" + tag + ".png"));
        LabReport.contactSheet(
            heldOut.subList(0, n), outputs.subList(0, n), tag, out.resolve("contact-sheet-" + tag + ".png"));
      }
    }
    List<Row> rows = new ArrayList<>();
    rows.add(copy);
    rows.addAll(untrained);
    rows.addAll(trained);
    String table = LabReport.table(rows, config.tolerance()) + System.lineSeparator() + trainingTable(runs, config.steps());
    writeComparison(config, out, rows, runs, table, data);
    return new Comparison(rows, runs, table, out);
  }

  /** One line per paradigm: parameters, training time and loss. */
  private static String trainingTable(List<ParadigmRun> runs, int steps) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT, "%-10s %10s %9s %8s %11s %11s %8s%n", "paradigm", "params", "train s", "s/step", "first loss",
            "last-50", "skipped"));
    for (ParadigmRun r : runs) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%-10s %,10d %9.1f %8.3f %11.4f %11.4f %8d%n",
              r.paradigm().name().toLowerCase(Locale.ROOT), r.parameters(), r.trainSeconds(), r.trainSeconds() / steps,
              r.firstLoss(), r.lastLoss(), r.skippedSteps()));
    }
    return sb.toString();
  }

  private static void writeComparison(
      LabConfig c, Path out, List<Row> rows, List<ParadigmRun> runs, String table, LabData labData) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode cfg = configJson(c);
    cfg.put("compare", true);
    cfg.remove("paradigm");
    root.set("config", cfg);
    root.set("data", labData.report());
    ArrayNode training = root.putArray("paradigms");
    for (ParadigmRun r : runs) {
      ObjectNode o = training.addObject();
      o.put("paradigm", r.paradigm().name());
      o.put("parameters", r.parameters());
      o.put("seconds", r.trainSeconds());
      o.put("seconds_per_step", r.trainSeconds() / c.steps());
      o.put("first_loss", r.firstLoss());
      o.put("last50_mean_loss", r.lastLoss());
      o.put("skipped_steps", r.skippedSteps());
    }
    writeResults(root, rows, table, out);
  }

  /** Creates the report folder and runs the data step (curation, shards, index, split), reporting both phases. */
  private static LabData prepareData(LabConfig config, TinyTextEncoder encoder, Listener listener) {
    Path out = config.output();
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + out, e);
    }
    listener.onPhase(
        String.format(
            "generating %d train + %d held-out %dx%d triplets through the curation pipeline into shards under %s%s",
            config.trainCount(), config.heldOutCount(), config.size(), config.size(), out.resolve("data"),
            config.misalign() > 0 ? " (targets misaligned by up to " + config.misalign() + " px)" : ""));
    LabData data = LabData.prepare(config, out.resolve("data"), encoder);
    listener.onPhase(data.summary());
    return data;
  }

  /** A training run's per-step metrics and wall-clock time. */
  private record Training(List<StepMetrics> metrics, double seconds) {}

  /**
   * Fine-tunes every parameter of {@code model} with the lab's recipe (AdamW, warm-up + cosine, clipping, optional
   * EMA sampled afterwards); the same for every paradigm.
   */
  private static Training train(
      LabModel model, LabConfig config, LabData data, Path runDir, Listener listener) {
    if (!config.resume()) {
      deleteTree(runDir); // a fresh run: no stale checkpoint may be resumed from later
    }
    List<StepMetrics> metrics;
    long t0 = System.nanoTime();
    FineTuner.Builder builder =
        FineTuner.builder()
            .parameters(model.parameters())
            .optimizer(new AdamWOptimizer(0.9, 0.99, 1e-8, 0.0).create())
            .schedule(new LrSchedule.Cosine(config.lr(), config.lr() * 0.05, config.warmup(), config.steps()))
            .steps(config.steps())
            .clipNorm(1.0)
            .seed(config.seed())
            .samplesPerMicroBatch(config.batch())
            .runDir(runDir)
            .checkpointEvery(config.checkpointEvery())
            .config(configJson(config).toString())
            .provenance(
                Map.of(
                    "data", "synthetic world seed " + config.seed() + ", shards in " + config.output().resolve("data"),
                    "data_index_sha256", data.indexSha256(),
                    "data_shards_sha256", data.shardsSha256()))
            .listener(m -> listener.onStep(m, config.steps()));
    if (config.ema() > 0) {
      builder.ema(config.ema());
    }
    try (FineTuner trainer = builder.build()) {
      // The dataset index decides each step's batch (TrainingBatches: aspect buckets, resumable by step).
      long from = config.resume() ? trainer.resume() : 0;
      metrics = trainer.train(ctx -> model.loss(data.batch(ctx.step()), ctx));
      if (from > 0) {
        metrics = readMetrics(runDir.resolve("metrics.jsonl")); // the whole run, for the report and loss curve
      }
      // Sample with the averaged weights when an EMA was kept (the trainer owns them until it closes).
      Map<String, NDArray> params = model.parameters();
      trainer.emaWeights().ifPresent(avg -> avg.forEach((name, a) -> a.copyTo(params.get(name))));
    }
    return new Training(metrics, (System.nanoTime() - t0) / 1e9);
  }

  /** The mean loss of the last 50 steps that were not skipped. */
  private static double last50(List<StepMetrics> metrics) {
    return metrics.subList(Math.max(0, metrics.size() - 50), metrics.size()).stream()
        .filter(x -> !x.skipped()).mapToDouble(StepMetrics::loss).average().orElse(Double.NaN);
  }

  private static String paradigmTag(LabConfig c) {
    return c.paradigm().name().toLowerCase(Locale.ROOT);
  }

  private static String untrainedName(LabConfig c) {
    return "untrained editor (" + paradigmTag(c) + ", " + (c.zeroHead() ? "zero head" : "random head") + ")";
  }

  private static String trainedName(LabConfig c) {
    return "trained editor (" + paradigmTag(c) + ", " + c.textFusion().name().toLowerCase(Locale.ROOT) + ", "
        + c.prediction().name().toLowerCase(Locale.ROOT)
        + (c.paradigm() == LabConfig.Paradigm.KONTEXT
            ? ", " + c.conditionIds().name().toLowerCase(Locale.ROOT) + " ids"
            : "")
        + ")";
  }

  private static List<RgbImage> edit(LabModel model, List<LabExample> samples, LabConfig c, NDManager manager) {
    List<RgbImage> out = new ArrayList<>();
    int chunk = 32;
    int s = c.size();
    for (int from = 0; from < samples.size(); from += chunk) {
      LabExample[] batch = samples.subList(from, Math.min(samples.size(), from + chunk)).toArray(new LabExample[0]);
      float[] px = model.edit(batch, c.sampleSteps(), c.seed() * 31 + from, manager);
      for (int i = 0; i < batch.length; i++) {
        out.add(LabExample.image(px, i * 3 * s * s, s, s));
      }
    }
    return out;
  }

  static Row score(String name, List<LabExample> samples, List<RgbImage> outputs, int tolerance) {
    double ifSum = 0;
    double ipSum = 0;
    double psnrSum = 0;
    double maeSum = 0;
    for (int i = 0; i < samples.size(); i++) {
      LabExample s = samples.get(i);
      RgbImage o = outputs.get(i);
      ifSum += EditMetrics.instructionFollowing(o, s.target(), s.mask(), tolerance);
      ipSum += EditMetrics.identityPreservation(o, s.input(), s.mask(), tolerance);
      byte[] a = o.copyRgb();
      byte[] b = s.target().copyRgb();
      double se = 0;
      double ae = 0;
      for (int k = 0; k < a.length; k++) {
        int d = (a[k] & 0xFF) - (b[k] & 0xFF);
        se += d * d;
        ae += Math.abs(d);
      }
      double mse = se / a.length;
      psnrSum += mse == 0 ? 99 : Math.min(99, 10 * Math.log10(255.0 * 255.0 / mse));
      maeSum += ae / a.length;
    }
    int n = samples.size();
    return new Row(name, ifSum / n, ipSum / n, psnrSum / n, maeSum / n);
  }

  private static ObjectNode configJson(LabConfig c) {
    ObjectNode n = JSON.createObjectNode();
    n.put("steps", c.steps());
    n.put("size", c.size());
    n.put("batch", c.batch());
    n.put("seed", c.seed());
    n.put("lr", c.lr());
    n.put("warmup", c.warmup());
    n.put("train", c.trainCount());
    n.put("heldout", c.heldOutCount());
    n.put("sample_steps", c.sampleSteps());
    n.put("tolerance", c.tolerance());
    n.put("edit_weight", c.editWeight());
    n.put("double_blocks", c.doubleBlocks());
    n.put("single_blocks", c.singleBlocks());
    n.put("heads", c.heads());
    n.put("prediction", c.prediction().name());
    n.put("condition_ids", c.conditionIds().name());
    n.put("zero_head", c.zeroHead());
    n.put("ema", c.ema());
    n.put("loss", c.loss().name());
    n.put("edit_share", c.editShare());
    n.put("time_mean", c.timeMean());
    n.put("misalign", c.misalign());
    n.put("paradigm", c.paradigm().name());
    n.put("text_fusion", c.textFusion().name());
    n.put("optimizer", "AdamWOptimizer(0.9, 0.99, 1e-8, wd 0), clip 1.0, cosine to 5% of peak");
    return n;
  }

  private static void writeReport(
      LabConfig c,
      Path out,
      List<Row> rows,
      String table,
      List<StepMetrics> metrics,
      double trainSeconds,
      double first,
      double last,
      long params,
      LabData labData) {
    ObjectNode root = JSON.createObjectNode();
    root.set("config", configJson(c));
    root.set("data", labData.report());
    ObjectNode training = root.putObject("training");
    training.put("parameters", params);
    training.put("seconds", trainSeconds);
    training.put("seconds_per_step", trainSeconds / metrics.size());
    training.put("first_loss", first);
    training.put("last50_mean_loss", last);
    training.put("skipped_steps", metrics.stream().filter(StepMetrics::skipped).count());
    writeResults(root, rows, table, out);
  }

  /** Adds the table's rows to {@code root} as {@code results}, then writes {@code metrics.json} and {@code table.txt}. */
  private static void writeResults(ObjectNode root, List<Row> rows, String table, Path out) {
    ArrayNode arr = root.putArray("results");
    for (Row r : rows) {
      ObjectNode o = arr.addObject();
      o.put("editor", r.name());
      o.put("instruction_following", r.instructionFollowing());
      o.put("identity_preservation", r.identityPreservation());
      o.put("psnr_db", r.psnr());
      o.put("mean_abs_error", r.meanAbsError());
    }
    try {
      Files.writeString(out.resolve("metrics.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
      Files.writeString(out.resolve("table.txt"), table);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report in " + out, e);
    }
  }

  /** Reads a trainer's {@code metrics.jsonl}. */
  private static List<StepMetrics> readMetrics(Path file) {
    List<StepMetrics> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(file)) {
        JsonNode n = JSON.readTree(line);
        out.add(
            new StepMetrics(
                n.path("step").asLong(), n.path("loss").asDouble(Double.NaN), n.path("lr").asDouble(),
                n.path("grad_norm").asDouble(Double.NaN), n.path("samples_per_s").asDouble(Double.NaN),
                n.path("skipped").asBoolean(false)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return out;
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (java.util.stream.Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }
}
