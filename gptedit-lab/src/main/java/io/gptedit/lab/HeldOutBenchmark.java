package io.gptedit.lab;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.GpteditException;
import io.gptedit.core.editor.ImageEditor;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.synthetic.SyntheticTruth;
import io.gptedit.eval.Benchmark;
import io.gptedit.eval.run.BenchmarkRunner;
import io.gptedit.eval.run.Evaluation;
import io.gptedit.eval.bench.BenchSample;
import io.gptedit.eval.bench.BenchmarkSet;
import io.gptedit.eval.score.BenchmarkResult;
import io.gptedit.eval.score.CategoryResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The lab's held-out set as a benchmark of {@code gptedit-eval}: every input and exact target is written as a PNG
 * ({@code inputs/<key>.png}, {@code targets/<key>.png}) with an index ({@code index.jsonl}: key, instruction, edit
 * type), and any {@link ImageEditor} is run and scored through {@link BenchmarkRunner} on a {@link Benchmark#LOCAL}
 * set with the {@link SyntheticScorer}'s exact metrics; outputs land in {@code outputs/<editor>/<key>.png} and the
 * runner's reports in {@code reports/<editor>/}. So anyone can re-score a run with their own code.
 */
final class HeldOutBenchmark {
  /** Object preservation: untouched objects kept / untouched objects (pooled). */
  static final String OP = "OP";
  /** Edit success, the mean over edit types. */
  static final String ES_MEAN = "ES";

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One editor's scores.
   *
   * @param editor the editor's name
   * @param overall OP, ES (mean over edit types), IF, IP, IP_bg, PSNR, MAE over all samples
   * @param byType the same per edit type (ES is the type's own success rate)
   * @param outputs the outputs, in sample order
   */
  record Scores(String editor, Map<String, Double> overall, Map<String, Map<String, Double>> byType, List<RgbImage> outputs) {}

  private final Path dir;
  private final List<EditTriplet> samples;
  private final BenchmarkSet set;
  private final SyntheticScorer scorer;

  HeldOutBenchmark(Path dir, List<EditTriplet> heldOut, int tolerance) {
    this.dir = requireNonNull(dir, "dir");
    this.samples = List.copyOf(heldOut);
    Map<String, SyntheticTruth> truths = new LinkedHashMap<>();
    List<BenchSample> bench = new ArrayList<>();
    try {
      Files.createDirectories(dir.resolve("inputs"));
      Files.createDirectories(dir.resolve("targets"));
      StringBuilder index = new StringBuilder();
      for (EditTriplet t : samples) {
        SyntheticTruth truth = LabData.truth(t);
        truths.put(t.id(), truth);
        Path input = dir.resolve("inputs").resolve(t.id() + ".png");
        Files.write(input, ImageCodec.encodePng(t.input()));
        Files.write(dir.resolve("targets").resolve(t.id() + ".png"), ImageCodec.encodePng(truth.exactTarget()));
        ObjectNode line = JSON.createObjectNode();
        line.put("key", t.id());
        line.put("instruction", t.instruction().text());
        line.put("original_instruction", t.metadata().instruction().original());
        line.put("edit_type", truth.task());
        line.put("input", "inputs/" + t.id() + ".png");
        line.put("target", "targets/" + t.id() + ".png");
        index.append(JSON.writeValueAsString(line)).append('\n');
        bench.add(new BenchSample(t.id(), truth.task(), t.instruction().text(), input, Set.of()));
      }
      Files.writeString(dir.resolve("index.jsonl"), index.toString(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new GpteditException("cannot write the held-out set to " + dir + ": " + e.getMessage(), e);
    }
    this.set = new BenchmarkSet(Benchmark.LOCAL, "heldout", bench);
    this.scorer = new SyntheticScorer(truths, tolerance);
  }

  /** The held-out triplets, in order. */
  List<EditTriplet> samples() {
    return samples;
  }

  /**
   * Runs an editor over the set and scores it.
   *
   * @param editor the editor
   * @param model the output folder's name (file-name safe)
   * @param options the edit options (seed, steps)
   * @return the scores and outputs
   */
  Scores score(ImageEditor editor, String model, EditOptions options) {
    Evaluation e =
        BenchmarkRunner.builder()
            .setBenchmarkSet(set)
            .setOutputRoot(dir.resolve("outputs"))
            .optReportDir(dir.resolve("reports").resolve(model))
            .optEditor(editor)
            .optModelName(model)
            .optEditOptions(options)
            .optEditConcurrency(1)
            .optScorer(scorer)
            .build()
            .run();
    BenchmarkResult r = e.report().results().get(0);
    if (!r.failures().isEmpty()) {
      throw new GpteditException(
          r.failures().size() + " held-out samples failed for " + model + ", first: " + r.failures().get(0));
    }
    Map<String, Map<String, Double>> byType = new LinkedHashMap<>();
    for (CategoryResult c : r.categories()) {
      byType.put(c.category(), derived(c.metrics(), null));
    }
    List<RgbImage> outputs = new ArrayList<>();
    for (BenchSample s : set.samples()) {
      outputs.add(ImageCodec.read(set.outputFile(dir.resolve("outputs"), model, s)));
    }
    return new Scores(model, derived(r.overall(), byType), byType, outputs);
  }

  /** Adds OP (pooled) and, overall, ES as the mean over edit types; keeps the rest in a fixed order. */
  private static Map<String, Double> derived(Map<String, Double> m, Map<String, Map<String, Double>> byType) {
    Map<String, Double> out = new LinkedHashMap<>();
    double untouched = m.getOrDefault(SyntheticScorer.UNTOUCHED, 0.0);
    if (untouched > 0) {
      out.put(OP, m.get(SyntheticScorer.KEPT) / untouched);
    }
    if (byType == null) {
      if (m.containsKey(SyntheticScorer.ES)) {
        out.put(ES_MEAN, m.get(SyntheticScorer.ES));
      }
    } else {
      double sum = 0;
      int n = 0;
      for (Map<String, Double> t : byType.values()) {
        if (t.containsKey(ES_MEAN)) {
          sum += t.get(ES_MEAN);
          n++;
        }
      }
      if (n > 0) {
        out.put(ES_MEAN, sum / n);
      }
    }
    for (String k : List.of(SyntheticScorer.IF, SyntheticScorer.IP, SyntheticScorer.IP_BG, SyntheticScorer.PSNR,
        SyntheticScorer.MAE)) {
      if (m.containsKey(k)) {
        out.put(k, m.get(k));
      }
    }
    return out;
  }
}
