package io.gptedit.lab;

import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gptedit.core.GpteditException;
import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.synthetic.ObjectMetrics;
import io.gptedit.data.synthetic.SyntheticTruth;
import io.gptedit.models.editor.DiffusionEditor;
import io.gptedit.models.editor.Paradigm;
import io.gptedit.models.flow.TimestepSampling;
import io.gptedit.models.nn.DeviceException;
import io.gptedit.models.nn.Devices;
import io.gptedit.models.train.AdamWOptimizer;
import io.gptedit.models.train.EditBatchSource;
import io.gptedit.models.train.EditCollator;
import io.gptedit.models.train.EditFineTuning;
import io.gptedit.models.train.EditObjective;
import io.gptedit.models.train.EditorSpec;
import io.gptedit.models.train.FineTuneListener;
import io.gptedit.models.train.ParameterSelection;
import io.gptedit.models.train.StepMetrics;
import io.gptedit.models.train.WarmStart;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * The CPU edit lab: the library's one path, configured at tiny size. Synthetic triplets go through the curation
 * pipeline into shards and a dataset index ({@link LabData}); a tiny editor of the configured paradigm is built
 * from an {@link EditorSpec} and fine-tuned by {@link EditFineTuning} on the batches the index draws; the in-memory
 * editor and the untrained one edit the held-out set, which {@code gptedit-eval} scores as a local benchmark with
 * the synthetic world's exact metrics ({@link HeldOutBenchmark}), beside the copy-input baseline. The run folder
 * holds the spec and the checkpoints, so {@code EditorCheckpoint.load(out.resolve("run"))} is the trained editor.
 *
 * <p>Writes {@code metrics.json}, {@code table.txt}, {@code loss.png}, {@code contact-sheet.png} (two samples per
 * edit type with their OP and ES), {@code heldout/} (inputs, exact targets, every editor's outputs, the index and
 * the benchmark reports), {@code run/} and the data.
 *
 * @since 0.1
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

    /**
     * Returns a console listener: each phase as a line {@code [  12.3s] message} (time since this call), and each
     * training run's steps fed to a display the factory makes when the run starts (given the run's total steps),
     * closed at the next phase, by {@link Printing#endTraining()} or by {@link Printing#close()} when it is {@link
     * AutoCloseable}.
     *
     * @param out where phase lines go
     * @param display makes a training run's step display, such as a {@code TrainingLog}
     * @return the listener; close it when the lab returns
     */
    static Printing printing(PrintStream out, LongFunction<? extends FineTuneListener> display) {
      return new Printing(out, display);
    }
  }

  /** The console listener of {@link Listener#printing}. */
  public static final class Printing implements Listener, AutoCloseable {
    private final PrintStream out;
    private final LongFunction<? extends FineTuneListener> display;
    private final long t0 = System.nanoTime();
    private FineTuneListener training;

    private Printing(PrintStream out, LongFunction<? extends FineTuneListener> display) {
      this.out = requireNonNull(out, "out");
      this.display = requireNonNull(display, "display");
    }

    @Override
    public synchronized void onPhase(String message) {
      endTraining();
      out.printf(Locale.ROOT, "[%6.1fs] %s%n", (System.nanoTime() - t0) / 1e9, message);
    }

    @Override
    public synchronized void onStep(StepMetrics m, int total) {
      if (training == null) {
        training = display.apply(total);
      }
      training.onStep(m);
    }

    /** Ends the current training display, if any (its summary line). */
    @Override
    public void close() {
      endTraining();
    }

    /** Ends the current training display, if any, as the next phase would (its summary line). */
    public synchronized void endTraining() {
      if (training instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          throw new IllegalStateException("closing the training display failed", e);
        }
      }
      training = null;
    }
  }

  /**
   * What a lab run produced.
   *
   * @param rows copy-input, untrained and trained scores, in that order
   * @param table the printed tables
   * @param report the report folder
   * @param training the trained editor's run
   */
  public record Result(List<Row> rows, String table, Path report, Training training) {
    /** Copies the rows. */
    public Result {
      rows = List.copyOf(rows);
    }
  }

  /**
   * One editor's scores on the held-out set.
   *
   * @param editor the editor's name
   * @param metrics OP, ES, IF, IP, IP_bg, PSNR and MAE over the set
   * @param byType the same per edit type
   */
  public record Row(String editor, Map<String, Double> metrics, Map<String, Map<String, Double>> byType) {
    /**
     * Returns one metric.
     *
     * @param name such as {@code OP} or {@code IF}
     * @return its value
     * @throws GpteditException if the row has no such metric
     */
    public double get(String name) {
      Double v = metrics.get(name);
      if (v == null) {
        throw new GpteditException("no metric '" + name + "' for " + editor + " (have " + metrics.keySet() + ")");
      }
      return v;
    }
  }

  /**
   * One training run.
   *
   * @param paradigm the paradigm
   * @param parameters the number of trainable values
   * @param seconds wall-clock training time
   * @param firstLoss the first step's loss
   * @param lastLoss the mean loss of the last 50 steps
   * @param skippedSteps steps skipped for a non-finite loss or gradient
   * @param steps every step's metrics
   */
  public record Training(
      Paradigm paradigm, long parameters, double seconds, double firstLoss, double lastLoss, long skippedSteps,
      List<StepMetrics> steps) {
    /** Copies the steps. */
    public Training {
      steps = List.copyOf(steps);
    }

    /**
     * Returns the one-line summary the CLI prints.
     *
     * @return e.g. {@code training: 664.0 s (0.738 s/step), loss 2.5275 -> 0.2141 (mean of the last 50 steps)}
     */
    public String summary() {
      return String.format(
          java.util.Locale.ROOT, "training: %.1f s (%.3f s/step), loss %.4f -> %.4f (mean of the last 50 steps)",
          seconds, seconds / Math.max(1, steps.size()), firstLoss, lastLoss);
    }
  }

  /**
   * Runs the lab on the engine's default device ({@link Devices#defaultDevice()}).
   *
   * @param config the run's config
   * @param listener progress
   * @return the scores and where the report is
   */
  public static Result run(LabConfig config, Listener listener) {
    return run(config, listener, Devices.defaultDevice());
  }

  /**
   * Runs the lab on a device: the editor's parts ({@link EditorSpec#build(EditorSpec.Resolver, Device)}), the tiny
   * MLLM of an MLLM fusion, the collator's encoders, every training step and the held-out sampling. The device is
   * where the run computes, not part of its recipe: it is not in {@code metrics.json} nor in the run's recorded
   * config that {@link LabConfig#resume() a resume} compares.
   *
   * @param config the run's config
   * @param listener progress
   * @param device the device ({@link Devices#require checked} before anything is written, generated or trained)
   * @return the scores and where the report is
   * @throws DeviceException if the engine does not have the device
   */
  public static Result run(LabConfig config, Listener listener, Device device) {
    Devices.require(device);
    requireNonNull(config, "config");
    requireNonNull(listener, "listener");
    Path out = config.output();
    LabData data = prepareData(config, listener);
    HeldOutBenchmark bench = new HeldOutBenchmark(out.resolve("heldout"), data.heldOut(), config.tolerance());
    List<HeldOutBenchmark.Scores> rows = new ArrayList<>();
    rows.add(bench.score(new CopyInputEditor(), "copy-input", options(config)));
    try (LabMllm mllm = LabMllm.of(config, device)) {
      Trained t =
          trainAndScore(config, config.paradigm(), data, bench, out.resolve("run"), mllm, device, listener, rows);
      String table =
          LabReport.table(rows, config.tolerance()) + System.lineSeparator() + LabReport.byType(rows.get(2));
      writeJson(config, out, rows, List.of(t.training()), data, false, List.of(config.paradigm().tag()), null);
      write(out.resolve("table.txt"), table);
      LabReport.lossCurve(t.training().steps(), out.resolve("loss.png"));
      contactSheet(bench, rows.get(2), config, "output (" + config.paradigm().tag() + ")", out.resolve("contact-sheet.png"));
      return new Result(toRows(rows), table, out, t.training());
    }
  }

  /**
   * The paper's comparisons in miniature (its Tables 4 and 5): pretrains a tiny base once ({@link LabBase}: text to
   * scene on the world; reused from {@code base/} by a later run in the same folder), then trains each paradigm with
   * the T5 fusion from scratch and from the base ({@link WarmStart}: the same backbone, channel-wise with its widened
   * input columns at zero, SigLIP tokens with a new projector), on aligned targets and on targets misaligned by up to
   * {@code max(1, misalign)} pixels; then trains the tiny MLLM on the world ({@link LabMllmTraining}, reused from
   * {@code mllm/}) and fine-tunes Kontext from the base with each MLLM fusion on the aligned data (the T5 row is the
   * aligned Kontext one). Every run has the config's steps, batch, seed and recipe. Writes {@code metrics.json},
   * {@code table.txt}, and under {@code aligned/} and {@code misaligned/} the data, the held-out outputs and per run
   * {@code run-<name>/}, {@code loss-<name>.png} and {@code contact-sheet-<name>.png}.
   *
   * @param config the run's config (its paradigm, text fusion and MLLM are ignored; its condition ids apply to
   *     Kontext)
   * @param listener progress
   * @return copy input then every editor's rows: aligned, misaligned, then the text fusions
   */
  public static Result compare(LabConfig config, Listener listener) {
    return compare(config, listener, Devices.defaultDevice());
  }

  /**
   * Runs {@link #compare(LabConfig, Listener)} on a device (as {@link #run(LabConfig, Listener, Device)}).
   *
   * @param config the run's config (its paradigm, text fusion and MLLM are ignored)
   * @param listener progress
   * @param device the device ({@link Devices#require checked} before anything is written, generated or trained)
   * @return copy input then every editor's rows: aligned, misaligned, then the text fusions
   * @throws DeviceException if the engine does not have the device
   */
  public static Result compare(LabConfig config, Listener listener, Device device) {
    Devices.require(device);
    requireNonNull(config, "config");
    requireNonNull(listener, "listener");
    Path out = config.output();
    LabConfig t5 = config.toBuilder().optTextFusion(LabConfig.Fusion.T5).build();
    List<LabConfig> alignments =
        List.of(
            t5.toBuilder().optMisalign(0).optOutput(out.resolve("aligned")).build(),
            t5.toBuilder().optMisalign(Math.max(1, config.misalign())).optOutput(out.resolve("misaligned")).build());
    Comparison cmp = new Comparison(device, listener);
    StringBuilder tables = new StringBuilder();
    LabData aligned = prepareData(alignments.get(0), listener);
    ObjectNode extra = JSON.createObjectNode();
    try (LabBase base = LabBase.prepare(config, aligned, out.resolve("base"), device, listener)) {
      cmp.runs.add(base.training());
      cmp.names.add("base (text -> scene)" + (base.reused() ? ", reused" : ""));
      extra.put("base_reused", base.reused());
      HeldOutBenchmark.Scores copy = null;
      HeldOutBenchmark alignedBench = null;
      for (LabConfig lc : alignments) {
        LabData data = lc.misalign() == 0 ? aligned : prepareData(lc, listener);
        HeldOutBenchmark bench = new HeldOutBenchmark(lc.output().resolve("heldout"), data.heldOut(), lc.tolerance());
        if (copy == null) {
          alignedBench = bench;
          copy = bench.score(new CopyInputEditor(), "copy-input", options(lc));
          cmp.rows.add(copy);
        }
        List<HeldOutBenchmark.Scores> mine = new ArrayList<>();
        String suffix = lc.misalign() == 0 ? "" : "-misaligned" + lc.misalign();
        for (Paradigm p : Paradigm.values()) {
          for (boolean fromBase : new boolean[] {false, true}) {
            String name = p.tag() + (fromBase ? "-base" : "");
            mine.addAll(cmp.run(lc, p, data, bench, name, name + suffix, suffix, null, fromBase ? base : null));
          }
        }
        List<HeldOutBenchmark.Scores> section = new ArrayList<>();
        section.add(copy);
        section.addAll(mine);
        tables.append(lc.misalign() == 0
                ? "Paradigms (T5 fusion), aligned training targets:"
                : "Paradigms (T5 fusion), training targets misaligned by up to " + lc.misalign() + " px:")
            .append(System.lineSeparator())
            .append(LabReport.table(section, lc.tolerance()))
            .append(System.lineSeparator());
      }
      // Text fusion (Table 5): Kontext from the base on the aligned data; the MLLM trained on the world first.
      LabConfig lc = alignments.get(0);
      LabMllmTraining.Result trained = LabMllmTraining.train(config, aligned, out.resolve("mllm"), device, listener);
      listener.onPhase(trained.summary());
      extra.put("mllm_reused", trained.reused());
      ObjectNode acc = extra.putObject("mllm_heldout_accuracy");
      trained.accuracy().forEach((k, v) -> acc.putObject(k).put("trained", v[0]).put("majority", v[1]));
      List<HeldOutBenchmark.Scores> fusions = new ArrayList<>();
      fusions.add(copy);
      fusions.add(cmp.rows.stream().filter(r -> r.editor().equals("finetuned-kontext")).findFirst().orElseThrow());
      try (LabMllm mllm = LabMllm.of(trained.mllm())) {
        for (LabConfig.Fusion f : List.of(LabConfig.Fusion.MLLM, LabConfig.Fusion.MLLM_T5, LabConfig.Fusion.METAQUERY)) {
          LabConfig fc = lc.toBuilder().optTextFusion(f).build();
          String tag = "-" + f.name().toLowerCase(Locale.ROOT).replace('_', '-');
          String name = "kontext-base" + tag;
          fusions.add(cmp.run(fc, Paradigm.KONTEXT, aligned, alignedBench, name, name, tag, mllm, base).get(1));
        }
      }
      tables.append("Text fusion (Kontext from the base, aligned; the T5 row is finetuned-kontext above):")
          .append(System.lineSeparator())
          .append(LabReport.table(fusions, lc.tolerance()))
          .append(System.lineSeparator())
          .append(trained.summary())
          .append(System.lineSeparator());
    }
    String table =
        tables + System.lineSeparator() + trainingTable(cmp.runs, cmp.names) + System.lineSeparator() + cmp.byType;
    writeJson(config, out, cmp.rows, cmp.runs, aligned, true, cmp.names, extra);
    write(out.resolve("table.txt"), table);
    return new Result(toRows(cmp.rows), table, out, cmp.runs.get(1));
  }

  /** What a {@link #compare} run gathers: every row, every training run and its name, the per-type tables. */
  private static final class Comparison {
    final List<HeldOutBenchmark.Scores> rows = new ArrayList<>();
    final List<Training> runs = new ArrayList<>();
    final List<String> names = new ArrayList<>();
    final StringBuilder byType = new StringBuilder();
    private final Device device;
    private final Listener listener;

    Comparison(Device device, Listener listener) {
      this.device = device;
      this.listener = listener;
    }

    /**
     * Trains and scores one run ({@link #trainAndScore}) into {@code c.output()}: {@code run-<file>/}, {@code
     * loss-<file>.png}, {@code contact-sheet-<file>.png}; records its rows, its training as {@code runName} and its
     * per-type table.
     *
     * @return its two rows (before and after fine-tuning)
     */
    List<HeldOutBenchmark.Scores> run(
        LabConfig c, Paradigm p, LabData data, HeldOutBenchmark bench, String file, String runName, String suffix,
        LabMllm mllm, LabBase base) {
      List<HeldOutBenchmark.Scores> two = new ArrayList<>();
      Trained t =
          trainAndScore(c, p, data, bench, c.output().resolve("run-" + file), mllm, base, suffix, device, listener, two);
      rows.addAll(two);
      runs.add(t.training());
      names.add(runName);
      byType.append(LabReport.byType(two.get(1)));
      LabReport.lossCurve(t.training().steps(), c.output().resolve("loss-" + file + ".png"));
      contactSheet(
          bench, two.get(1), c, "output (" + two.get(1).editor() + ")", c.output().resolve("contact-sheet-" + file + ".png"));
      return two;
    }
  }

  private record Trained(Training training) {}

  /** Builds a paradigm's editor, scores it untrained, trains it, scores it trained (two rows added). */
  private static Trained trainAndScore(
      LabConfig c, Paradigm p, LabData data, HeldOutBenchmark bench, Path runDir, LabMllm mllm, Device device,
      Listener listener, List<HeldOutBenchmark.Scores> rows) {
    return trainAndScore(c, p, data, bench, runDir, mllm, null, "", device, listener, rows);
  }

  /**
   * Builds a paradigm's editor, starts it from a pretrained base's parameters when one is given ({@link WarmStart}),
   * scores it before fine-tuning ({@code untrained-<tag>}, or {@code pretrained-<tag>} from a base), fine-tunes it and
   * scores it again ({@code trained-<tag>}, or {@code finetuned-<tag>}); {@code suffix} is appended to both names.
   */
  private static Trained trainAndScore(
      LabConfig c, Paradigm p, LabData data, HeldOutBenchmark bench, Path runDir, LabMllm mllm,
      LabBase base, String suffix, Device device, Listener listener, List<HeldOutBenchmark.Scores> rows) {
    EditorSpec spec = LabEditors.spec(c, p, mllm);
    EditorSpec.Parts parts = spec.build(LabEditors.resolver(mllm), device);
    try (DiffusionEditor editor = parts.editor(spec, p.tag())) {
      initialise(c, parts);
      String before = base == null ? "untrained-" : "pretrained-";
      String after = base == null ? "trained-" : "finetuned-";
      String init = "";
      if (base != null) {
        WarmStart.Report w = WarmStart.apply(base.parameters(), EditFineTuning.parameters(parts.denoiser(), parts.text()));
        init = " from the pretrained base (" + w.summary() + ")";
      }
      long count = EditFineTuning.parameters(parts.denoiser(), parts.text()).values().stream().mapToLong(a -> a.size()).sum();
      listener.onPhase(
          String.format(
              Locale.ROOT, "%s%s editor: %,d parameters%s; scoring it before fine-tuning", p.tag(), suffix, count, init));
      rows.add(bench.score(editor, before + p.tag() + suffix, options(c)));
      ObjectNode recorded = configJson(c, p);
      if (base != null) {
        recorded.put("init", "pretrained base, " + base.training().steps().size() + " steps");
      }
      listener.onPhase(
          String.format(
              Locale.ROOT, "training %s%s: %d steps of batch %d%s", p.tag(), suffix, c.steps(), c.batch(),
              c.resume() ? " (resuming from the latest checkpoint in " + runDir + ", if any)" : ""));
      EditCollator collator = new EditCollator(parts.codec(), parts.denoiser(), parts.text(), data.trainCount() + 64);
      Size size = new Size(c.size(), c.size());
      EditBatchSource source = (step, micro) -> new EditBatchSource.MicroBatch(data.batch(step), size);
      EditFineTuning.Result r =
          EditFineTuning.run(
              recipe(c), parts.denoiser(), parts.text(), collator, source, spec, runDir, c.resume(),
              Map.of(
                  "data", "synthetic world seed " + c.seed() + ", shards in " + c.output().resolve("data"),
                  "data_index_sha256", data.indexSha256(),
                  "data_shards_sha256", data.shardsSha256()),
              recorded.toString(),
              m -> listener.onStep(m, c.steps()));
      listener.onPhase(
          String.format(Locale.ROOT, "sampling %d held-out edits with %s (%d Euler steps)", bench.samples().size(), p.tag(),
              c.sampleSteps()));
      rows.add(bench.score(editor, after + p.tag() + suffix, options(c)));
      return new Trained(training(p, r, false));
    }
  }

  /** A finished run's summary (a reused run reports no training time). */
  static Training training(Paradigm p, EditFineTuning.Result r, boolean reused) {
    List<StepMetrics> steps = r.metrics();
    return new Training(
        p, r.parameters(), reused ? 0 : r.seconds(), steps.get(0).loss(), last50(steps),
        steps.stream().filter(StepMetrics::skipped).count(), steps);
  }

  /** The config's initialisation knobs on freshly built parts: the zeroed head and the query/key norm scale. */
  static void initialise(LabConfig c, EditorSpec.Parts parts) {
    if (c.zeroHead()) {
      LabEditors.zeroHead(parts.denoiser().parameters());
    }
    LabEditors.scaleQueryKeyNorms(parts.denoiser().parameters(), c.qkScale());
  }

  /**
   * Returns the editor spec of a lab config (its paradigm, blocks, heads, sampling steps, condition ids and seeds)
   * with the T5 fusion: the tiny presets that {@code gptedit train --preset} trains on any shard folder.
   *
   * @param config the config
   * @return the spec
   * @throws GpteditException if the config's text fusion needs the lab's own MLLM
   */
  public static EditorSpec editorSpec(LabConfig config) {
    if (config.textFusion() != LabConfig.Fusion.T5) {
      throw new GpteditException("only the T5 fusion's preset can be used outside the lab, got " + config.textFusion());
    }
    return LabEditors.spec(config, config.paradigm(), null);
  }

  /**
   * Returns the lab's fine-tuning recipe for a config (AdamW 0.9 / 0.99, warm-up then cosine to 5 % of the peak,
   * clip 1.0, the config's loss and flow-time density).
   *
   * @param c the config
   * @return the recipe
   */
  public static EditFineTuning.Config recipeOf(LabConfig c) {
    return recipe(c);
  }

  /** The lab's fine-tuning recipe (the same for every paradigm). */
  static EditFineTuning.Config recipe(LabConfig c) {
    return new EditFineTuning.Config(
        c.steps(), c.batch(), 1, c.lr(), c.warmup(), 0.05, new AdamWOptimizer(0.9, 0.99, 1e-8, 0.0), 1.0, c.ema(),
        c.seed(), c.checkpointEvery(), ParameterSelection.all(),
        new EditObjective.Config(
            c.loss(), c.editShare(), TimestepSampling.Density.LOGIT_NORMAL, c.timeMean(), 1.0, false, 1.0,
            c.structureShare()));
  }

  /** Every editor of the lab samples from the same seed. */
  static EditOptions options(LabConfig c) {
    return EditOptions.builder().optSeed(c.seed() * 31).optSteps(c.sampleSteps()).build();
  }

  private static LabData prepareData(LabConfig config, Listener listener) {
    Path out = config.output();
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new GpteditException("cannot create the report folder " + out + ": " + e.getMessage(), e);
    }
    listener.onPhase(
        String.format(
            Locale.ROOT,
            "generating %d train + %d held-out %dx%d triplets through the curation pipeline into shards under %s%s",
            config.trainCount(), config.heldOutCount(), config.size(), config.size(), out.resolve("data"),
            config.misalign() > 0 ? " (targets misaligned by up to " + config.misalign() + " px)" : ""));
    LabData data = LabData.prepare(config, out.resolve("data"));
    listener.onPhase(data.summary());
    return data;
  }

  /** Two held-out samples per edit type, each row labelled with the instruction and its OP and ES. */
  private static void contactSheet(
      HeldOutBenchmark bench, HeldOutBenchmark.Scores scores, LabConfig c, String title, Path png) {
    Map<String, Integer> perType = new LinkedHashMap<>();
    List<LabReport.SheetRow> rows = new ArrayList<>();
    List<EditTriplet> samples = bench.samples();
    for (int i = 0; i < samples.size(); i++) {
      EditTriplet t = samples.get(i);
      SyntheticTruth truth = LabData.truth(t);
      if (perType.merge(truth.task(), 1, Integer::sum) > 2) {
        continue;
      }
      RgbImage output = scores.outputs().get(i);
      ObjectMetrics.Result o = ObjectMetrics.score(truth, output, c.tolerance());
      String text =
          t.instruction().text() + "  [" + truth.task() + "; kept " + o.kept() + "/" + o.untouched() + " objects; ES "
              + (o.editSuccess().isPresent() ? (int) o.editSuccess().getAsDouble() : "-") + "]";
      rows.add(new LabReport.SheetRow(t.input(), text, output, truth.exactTarget()));
    }
    rows.sort(java.util.Comparator.comparing(r -> r.text().substring(r.text().lastIndexOf('[') + 1)));
    LabReport.contactSheet(rows, title, png);
  }

  private static List<Row> toRows(List<HeldOutBenchmark.Scores> scores) {
    List<Row> out = new ArrayList<>();
    for (HeldOutBenchmark.Scores s : scores) {
      out.add(new Row(s.editor(), s.overall(), s.byType()));
    }
    return out;
  }

  private static double last50(List<StepMetrics> metrics) {
    return metrics.subList(Math.max(0, metrics.size() - 50), metrics.size()).stream()
        .filter(x -> !x.skipped()).mapToDouble(StepMetrics::loss).average().orElse(Double.NaN);
  }

  private static String trainingTable(List<Training> runs, List<String> names) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT, "%-34s %10s %6s %9s %8s %11s %11s %8s%n", "run", "params", "steps", "train s", "s/step",
            "first loss", "last-50", "skipped"));
    for (int i = 0; i < runs.size(); i++) {
      Training r = runs.get(i);
      sb.append(
          String.format(
              Locale.ROOT, "%-34s %,10d %6d %9.1f %8.3f %11.4f %11.4f %8d%n", names.get(i), r.parameters(),
              r.steps().size(), r.seconds(), r.seconds() / Math.max(1, r.steps().size()), r.firstLoss(), r.lastLoss(),
              r.skippedSteps()));
    }
    return sb.toString();
  }

  static ObjectNode configJson(LabConfig c, Paradigm p) {
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
    n.put("double_blocks", c.doubleBlocks());
    n.put("single_blocks", c.singleBlocks());
    n.put("heads", c.heads());
    n.put("rope_theta", c.ropeTheta());
    n.put("qk_scale", c.qkScale());
    n.put("condition_ids", c.conditionIds().name());
    n.put("zero_head", c.zeroHead());
    n.put("ema", c.ema());
    n.put("loss", c.loss().name());
    n.put("edit_share", c.editShare());
    n.put("structure_share", c.structureShare());
    n.put("time_mean", c.timeMean());
    n.put("misalign", c.misalign());
    n.put("paradigm", p.tag());
    n.put("text_fusion", c.textFusion().name());
    n.put("mllm", c.mllm().name());
    n.put("optimizer", "AdamW(0.9, 0.99, 1e-8, wd 0), clip 1.0, cosine to 5% of peak");
    return n;
  }

  private static void writeJson(
      LabConfig c, Path out, List<HeldOutBenchmark.Scores> rows, List<Training> runs, LabData data, boolean compare,
      List<String> runNames, ObjectNode extra) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode cfg = configJson(c, c.paradigm());
    if (compare) {
      cfg.put("compare", true);
      cfg.remove("paradigm");
      cfg.remove("text_fusion");
      cfg.remove("mllm");
      cfg.put("pretrain_steps", c.pretrainSteps());
      cfg.put("misaligned_by", Math.max(1, c.misalign()));
    }
    root.set("config", cfg);
    if (extra != null) {
      root.set("compare", extra);
    }
    root.set("data", data.report());
    ArrayNode training = root.putArray("training");
    for (int i = 0; i < runs.size(); i++) {
      Training t = runs.get(i);
      ObjectNode o = training.addObject();
      o.put("run", runNames.get(i));
      o.put("paradigm", t.paradigm().tag());
      o.put("parameters", t.parameters());
      o.put("seconds", t.seconds());
      o.put("seconds_per_step", t.seconds() / Math.max(1, t.steps().size()));
      o.put("first_loss", t.firstLoss());
      o.put("last50_mean_loss", t.lastLoss());
      o.put("skipped_steps", t.skippedSteps());
    }
    ArrayNode results = root.putArray("results");
    for (HeldOutBenchmark.Scores s : rows) {
      ObjectNode o = results.addObject();
      o.put("editor", s.editor());
      s.overall().forEach(o::put);
      ObjectNode types = o.putObject("by_edit_type");
      s.byType().forEach((type, m) -> {
        ObjectNode tn = types.putObject(type);
        m.forEach(tn::put);
      });
    }
    try {
      write(out.resolve("metrics.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new GpteditException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
