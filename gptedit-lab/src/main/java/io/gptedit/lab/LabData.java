package io.gptedit.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gptedit.core.GpteditException;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.remote.ChatService;
import io.gptedit.core.remote.GeneratedImage;
import io.gptedit.core.remote.ImageEditService;
import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.curation.CurationConfig;
import io.gptedit.data.curation.CurationPipeline;
import io.gptedit.data.curation.CurationSummary;
import io.gptedit.data.curation.Recipe;
import io.gptedit.data.curation.SourcePolicy;
import io.gptedit.data.curation.Stages;
import io.gptedit.data.index.DatasetIndex;
import io.gptedit.data.index.TrainingBatches;
import io.gptedit.data.index.TrainingSet;
import io.gptedit.data.shards.ShardReader;
import io.gptedit.data.shards.ShardWriter;
import io.gptedit.testkit.synthetic.StandInOptions;
import io.gptedit.testkit.synthetic.SyntheticServices;
import io.gptedit.data.synthetic.SyntheticSample;
import io.gptedit.data.synthetic.SyntheticTruth;
import io.gptedit.data.synthetic.SyntheticWorld;
import io.gptedit.models.train.EditSample;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The lab's data, step 1 of the lab: synthetic single-edit triplets through the curation pipeline into shards, a
 * dataset index over them, the train / held-out split, and the training batches the index draws.
 *
 * <ol>
 *   <li><b>Candidates.</b> Candidate {@code i} is drawn from {@code SplittableRandom(seed * 1_000_003 + i)} in the
 *       lab's world (single edits, plain backgrounds, a square {@code size x size} scene), id {@code syn-%08d}.
 *       Its split is a hash of its id ({@link #isHeldOut}: {@link Stages#selected} with salt {@code
 *       lab-heldout-<seed>}, 1 in 16): the held-out set is the first {@code heldOutCount} held-out candidates and
 *       the training set the first {@code trainCount} others, so the held-out set does not depend on the
 *       training-set size. Two kinds of candidates are dropped before curation and counted: an edit that changes
 *       no pixel at this size, and an input that renders exactly like an earlier candidate's <em>different</em>
 *       scene (a shape too small to cover a pixel centre; the stand-in editor, which recognises scenes by their
 *       pixels, could not tell which scene it is shown).
 *   <li><b>Curation.</b> Each split goes through the real {@link CurationPipeline} into its own shard folder
 *       ({@code data/train}, {@code data/heldout}, each with its {@code ledger.duckdb}): pad (a no-op: the input
 *       is square), <em>regenerate</em> the target with the world's in-process image-edit stand-in at the input's
 *       own size (generation unit = size), the quality checks (residual padding, padding mask; with nothing
 *       padded they have nothing to reject, and every rejection would be counted), crop (the identity), and
 *       <em>rewrite</em> 10 % of the instructions with the chat stand-in (the paper's OmniEdit share; same edits,
 *       other wording). No C3 units: the lab is single-edit. One worker, so the shards' bytes (and the index
 *       hash) are the same on every run. Generating at a larger size and resizing down, as the paper does for
 *       UltraEdit, would smear every edge of a 16-pixel image and make the exact metrics inexact.
 *   <li><b>Misalignment</b> ({@code misalign > 0}): the image-edit service is wrapped so that its output, the
 *       target and only the target, is shifted by {@code (dx, dy)}, each uniform in {@code [-N, N]}, seeded by
 *       the request (lab seed, input pixels, prompt), with edge pixels replicated ({@link #shift}). The shards
 *       hold the misaligned targets, as GPT-Image-Edit keeps its regenerations' small misalignment.
 *   <li><b>Index and split.</b> A {@link DatasetIndex} (DuckDB, {@code data/train-index.duckdb},
 *       {@code data/heldout-index.duckdb}) over each folder; the held-out examples are the held-out index's
 *       accepted entries, the training examples the training index's. A held-out key in the training index
 *       is an error (checked). Provenance: SHA-256 over both folders' sidecar shard indexes (name and bytes, in
 *       order; it pins keys and their layout, not pixels: a 16x16 PNG fits one tar block whatever its bytes, so
 *       aligned and misaligned data share it) and SHA-256 over the tar files (it pins the content).
 *   <li><b>Batches.</b> {@link TrainingBatches} over the training index (aspect buckets; one bucket here, as every
 *       image is square; no mixture reweighting, so every training sample is equally likely): {@link #batch(long)}
 *       is the step's batch, the same for the same seed and step in any run. The decoded examples stay in memory.
 *   <li><b>Ground truth in the sample.</b> Every sample carries its exact ground truth (the input's scene and the
 *       edit program) in its metadata ({@link SyntheticTruth}), through curation and the shards: nothing reads the
 *       world after curation. Each curated target is checked against the exact target rendered from that truth:
 *       it must equal it, or (misaligned) equal it shifted by the drawn offset. Training uses the curated target
 *       with the exact edit mask (for the mask-balanced loss); held-out samples are scored against the exact,
 *       unshifted target and the scene's objects.
 * </ol>
 */
final class LabData {
  /** The training split's samples, drawn per step by the index. */
  private final TrainingSet trainSet;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final int trainCount;
  private final List<EditTriplet> heldOut;
  private final String indexSha256;
  private final String shardsSha256;
  private final ObjectNode report;

  private LabData(
      TrainingSet trainSet,
      int trainCount,
      List<EditTriplet> heldOut,
      String indexSha256,
      String shardsSha256,
      ObjectNode report) {
    this.trainSet = trainSet;
    this.trainCount = trainCount;
    this.heldOut = List.copyOf(heldOut);
    this.indexSha256 = indexSha256;
    this.shardsSha256 = shardsSha256;
    this.report = report;
  }

  /** @return the number of training samples */
  int trainCount() {
    return trainCount;
  }

  /** @return the training set (batches drawn by the index, samples in memory) */
  TrainingSet trainSet() {
    return trainSet;
  }

  /** @return the held-out triplets as curated (their exact truth in the metadata), in key order */
  List<EditTriplet> heldOut() {
    return heldOut;
  }

  /** @return SHA-256 (hex) over the sidecar shard indexes of both folders */
  String indexSha256() {
    return indexSha256;
  }

  /** @return SHA-256 (hex) over the shard files of both folders */
  String shardsSha256() {
    return shardsSha256;
  }


  /** @return counts, reasons, timings and hashes for {@code metrics.json} */
  ObjectNode report() {
    return report.deepCopy();
  }

  /**
   * Returns the training triplets of a step, as the index draws them (each carries its truth).
   *
   * @param step the 0-based step
   * @return the triplets, in draw order
   */
  /**
   * Returns the training examples of a step, as the index draws them, with their exact edit masks.
   *
   * @param step the 0-based step
   * @return the examples, in draw order
   */
  List<EditTriplet> triplets(long step) {
    return trainSet.batch(step);
  }

  /**
   * Returns the training examples of a step, as the index draws them, with their exact edit masks.
   *
   * @param step the 0-based step
   * @return the examples, in draw order
   */
  List<EditSample> batch(long step) {
    List<EditSample> out = new ArrayList<>();
    for (EditTriplet t : trainSet.batch(step)) {
      out.add(sample(t));
    }
    return out;
  }

  /**
   * Returns a curated triplet as a training example: the curated target, the instruction as curated (rewritten
   * for some), and the exact edit mask from the sample's truth.
   *
   * @param t the triplet
   * @return the example
   */
  static EditSample sample(EditTriplet t) {
    SyntheticTruth truth = truth(t);
    return EditSample.of(t).withMask(truth.mask());
  }

  /** The truth a lab sample carries (every lab sample has one). */
  static SyntheticTruth truth(EditTriplet t) {
    return SyntheticTruth.of(t.metadata())
        .orElseThrow(() -> new GpteditException("sample " + t.id() + " carries no " + SyntheticTruth.EXTENSION));
  }

  /**
   * Generates, curates, indexes and reads back the lab's data under {@code dataDir} (replacing what an earlier
   * run left there).
   *
   * @param c the lab config (seed, size, counts, batch, misalignment)
   * @param dataDir the data folder
   * @return the data
   */
  static LabData prepare(LabConfig c, Path dataDir) {
    long t0 = System.nanoTime();
    Path trainDir = dataDir.resolve("train");
    Path heldOutDir = dataDir.resolve("heldout");
    Path trainIndexFile = dataDir.resolve("train-index.duckdb");
    Path heldOutIndexFile = dataDir.resolve("heldout-index.duckdb");
    clean(trainDir, heldOutDir, trainIndexFile, heldOutIndexFile);

    SyntheticWorld world = SyntheticWorld.builder(c.seed()).optComplexityWeights(1, 0, 0).optPatternShare(0).build();
    ImageEditService exact = SyntheticServices.editService(world, StandInOptions.exact());
    ImageEditService edit = c.misalign() == 0 ? exact : request -> {
      GeneratedImage g = exact.edit(request);
      int[] o = LabCandidates.offset(c.seed(), c.misalign(), request.image(), request.prompt());
      return new GeneratedImage(LabCandidates.shift(g.image(), o[0], o[1]), g.usage(), g.model());
    };
    ChatService chat = SyntheticServices.chatService(world, StandInOptions.exact());

    // Held-out first, so that its candidates never depend on the training-set size.
    LabCandidates.Drops heldOutDrops = new LabCandidates.Drops();
    CurationSummary heldOutRun =
        curate(c, heldOutDir, "lab-heldout", LabCandidates.candidates(world, c, true, c.heldOutCount(), heldOutDrops), c.heldOutCount(), edit, chat);
    LabCandidates.Drops trainDrops = new LabCandidates.Drops();
    CurationSummary trainRun =
        curate(c, trainDir, "lab-train", LabCandidates.candidates(world, c, false, c.trainCount(), trainDrops), c.trainCount(), edit, chat);
    long t1 = System.nanoTime();

    DatasetIndex.Filter accepted = DatasetIndex.Filter.ALL.verdict("accepted");
    List<DatasetIndex.Entry> trainEntries;
    List<DatasetIndex.Entry> heldOutEntries;
    TrainingBatches batches;
    Map<String, Long> trainTasks;
    Map<String, Long> trainInstructionTypes;
    try (DatasetIndex trainIndex = DatasetIndex.build(trainDir, trainIndexFile);
        DatasetIndex heldOutIndex = DatasetIndex.build(heldOutDir, heldOutIndexFile)) {
      trainEntries = trainIndex.entries(accepted);
      heldOutEntries = heldOutIndex.entries(accepted);
      if (trainEntries.isEmpty() || heldOutEntries.isEmpty()) {
        throw new IllegalStateException("curation left " + trainEntries.size() + " training and "
            + heldOutEntries.size() + " held-out samples; the lab needs both");
      }
      for (DatasetIndex.Entry e : heldOutEntries) {
        if (!LabCandidates.isHeldOut(c.seed(), e.key())) {
          throw new IllegalStateException("held-out shard holds " + e.key() + ", which hashes to the training split");
        }
      }
      for (DatasetIndex.Entry e : trainEntries) {
        if (LabCandidates.isHeldOut(c.seed(), e.key())) {
          throw new IllegalStateException("training index holds held-out sample " + e.key());
        }
      }
      batches = TrainingBatches.builder().optBatchSize(c.batch()).optSeed(c.seed()).optFilter(accepted).build(trainIndex);
      trainTasks = trainIndex.countsBy(DatasetIndex.Column.TASK, accepted);
      trainInstructionTypes = trainIndex.countsBy(DatasetIndex.Column.INSTRUCTION_TYPE, accepted);
    }
    String indexHash = sha256(List.of(trainDir, heldOutDir), true);
    String shardHash = sha256(List.of(trainDir, heldOutDir), false);
    long t2 = System.nanoTime();

    int[] checks = new int[3]; // exact, shifted as drawn, other
    TrainingSet trainSet = new TrainingSet(trainDir, batches).preload();
    for (DatasetIndex.Entry e : trainEntries) {
      check(c, trainSet.sample(e.key()), checks);
    }
    TrainingSet heldOutSet = new TrainingSet(heldOutDir, batches).preload();
    List<EditTriplet> heldOut = new ArrayList<>();
    for (DatasetIndex.Entry e : heldOutEntries) {
      EditTriplet t = heldOutSet.sample(e.key());
      check(c, t, checks);
      heldOut.add(t);
    }
    long t3 = System.nanoTime();

    ObjectNode r = JSON.createObjectNode();
    r.put("source", "SyntheticWorld single edits -> CurationPipeline (stand-in regeneration at " + c.size() + "x"
        + c.size() + ", quality checks, 10% instruction rewrites) -> WebDataset shards -> DatasetIndex (DuckDB) ->"
        + " TrainingBatches");
    r.put("train", trainEntries.size());
    r.put("heldout", heldOut.size());
    r.put("misalign", c.misalign());
    r.set("train_curation", curationJson(trainRun, trainDrops));
    r.set("heldout_curation", curationJson(heldOutRun, heldOutDrops));
    ObjectNode tasks = r.putObject("train_tasks");
    trainTasks.forEach(tasks::put);
    ObjectNode types = r.putObject("train_instruction_types");
    trainInstructionTypes.forEach(types::put);
    ObjectNode tc = r.putObject("target_check");
    tc.put("equal_to_world", checks[0]);
    tc.put("world_shifted_by_drawn_offset", checks[1]);
    tc.put("other", checks[2]);
    r.put("batches", batches.toString());
    r.put("index_sha256", indexHash);
    r.put("shards_sha256", shardHash);
    r.put("curate_seconds", (t1 - t0) / 1e9);
    r.put("index_seconds", (t2 - t1) / 1e9);
    r.put("read_seconds", (t3 - t2) / 1e9);
    return new LabData(trainSet, trainEntries.size(), heldOut, indexHash, shardHash, r);
  }

  /** One line for the console. */
  String summary() {
    return String.format(
        java.util.Locale.ROOT,
        "read back %d train and %d held-out triplets from the shards (curated: train %s, held-out %s; index sha256 %s,"
            + " shards sha256 %s)",
        trainCount, heldOut.size(), oneLine(report.path("train_curation")), oneLine(report.path("heldout_curation")),
        indexSha256.substring(0, 12), shardsSha256.substring(0, 12));
  }

  private static String oneLine(com.fasterxml.jackson.databind.JsonNode n) {
    return n.path("written").asLong() + " written, " + n.path("rejected").asLong() + " rejected "
        + n.path("rejects_by_reason") + ", " + n.path("failed").asLong() + " failed, " + n.path("rewrites").asLong()
        + " rewritten, " + (n.path("dropped_invisible_edit").asLong() + n.path("dropped_ambiguous_input").asLong())
        + " dropped before curation";
  }

  private static ObjectNode curationJson(CurationSummary s, LabCandidates.Drops d) {
    ObjectNode n = JSON.createObjectNode();
    n.put("candidates_drawn", d.drawn);
    n.put("dropped_invisible_edit", d.invisible);
    n.put("dropped_ambiguous_input", d.ambiguous);
    n.put("units", s.units());
    n.put("written", s.written());
    n.put("rejected", s.rejected());
    ObjectNode rr = n.putObject("rejects_by_reason");
    new TreeMap<>(s.rejectsByReason()).forEach(rr::put);
    n.put("failed", s.failed());
    ObjectNode fr = n.putObject("failures_by_error");
    new TreeMap<>(s.failuresByError()).forEach(fr::put);
    n.put("rewrites", s.rewrites());
    n.put("shards", s.shards().size());
    n.put("seconds", s.elapsed().toMillis() / 1000.0);
    return n;
  }

  private static CurationSummary curate(
      LabConfig c, Path dir, String prefix, Iterator<EditTriplet> inputs, int expected, ImageEditService edit,
      ChatService chat) {
    CurationConfig config = CurationConfig.builder(dir)
        .optShardPrefix(prefix)
        .optShardLimits(1000, 1L << 30)
        // One worker: units complete in submission order, so the shards are byte-identical on every run.
        .optConcurrency(1)
        .optGenerationUnit(c.size())
        .optPolicy(SyntheticSample.DATASET, new SourcePolicy(Recipe.REGENERATE, SourcePolicy.OMNIEDIT_REWRITE_FRACTION, 0))
        .optChatModel(StandInOptions.DEFAULT_MODEL)
        .optRetries(3, Duration.ofMillis(10))
        .build();
    return new CurationPipeline(config, edit, null, chat).run(inputs, expected);
  }

  /** Checks a curated target against the exact one its truth renders (or that shifted by the drawn offset). */
  private static void check(LabConfig c, EditTriplet t, int[] checks) {
    SyntheticTruth truth = truth(t);
    RgbImage exact = truth.exactTarget();
    String original = t.metadata().instruction().original();
    int[] o = LabCandidates.offset(c.seed(), c.misalign(), t.input(), original);
    if (t.edited().equals(exact)) {
      checks[0]++;
    } else if (t.edited().equals(LabCandidates.shift(exact, o[0], o[1]))) {
      checks[1]++;
    } else {
      checks[2]++;
    }
  }

  private static void clean(Path trainDir, Path heldOutDir, Path... files) {
    try {
      for (Path d : List.of(trainDir, heldOutDir)) {
        if (Files.isDirectory(d)) {
          try (var s = Files.list(d)) {
            for (Path p : s.toList()) {
              String n = p.getFileName().toString();
              if (n.endsWith(".tar") || n.endsWith(".tar.tmp") || n.endsWith(".index.jsonl")
                  || n.endsWith(".index.jsonl.tmp") || n.startsWith("ledger.duckdb")) {
                Files.delete(p);
              }
            }
          }
        }
        Files.createDirectories(d);
      }
      for (Path f : files) {
        Files.deleteIfExists(f);
        Files.deleteIfExists(f.resolveSibling(f.getFileName() + ".wal"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + trainDir.getParent(), e);
    }
  }

  /** SHA-256 over each folder's shards in order: the file name, then the sidecar index (or the tar) bytes. */
  private static String sha256(List<Path> dirs, boolean sidecars) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (Path d : dirs) {
        for (Path shard : ShardReader.listShards(d)) {
          Path f = sidecars ? ShardWriter.indexFor(shard) : shard;
          md.update((d.getFileName() + "/" + f.getFileName() + "\n").getBytes(StandardCharsets.UTF_8));
          md.update(Files.readAllBytes(f));
        }
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot hash the shards", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
