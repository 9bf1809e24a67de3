package io.gptedit.data.curation;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gptedit.core.geometry.AspectPreset;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.metadata.SampleMetadata;
import io.gptedit.core.remote.ChatService;
import io.gptedit.core.remote.ImageEditService;
import io.gptedit.core.remote.ImageGenerationService;
import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.shards.CompletedShard;
import io.gptedit.data.shards.ErrorPolicy;
import io.gptedit.data.shards.ShardReader;
import io.gptedit.data.shards.ShardSample;
import io.gptedit.data.shards.ShardWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The curation pipeline: pad, regenerate, crop, check, rewrite, compose C3, write shards, with a resumable
 * ledger.
 *
 * <p><b>Work units.</b> Each input sample gives a base unit keyed by its id and, when its dataset's policy
 * selects it for C3 ({@link Stages#selected} with salt {@code c3}), a C3 unit keyed {@code <id>-c3}: three
 * atomic edits proposed for the input and fused into one instruction, then regenerated from the same input.
 * Base units selected for rewriting (salt {@code rewrite}) get their instruction rewritten after they pass the
 * checks. Selections hash the id, so every run selects the same units.
 *
 * <p><b>Commit protocol</b> (what makes {@code kill -9} safe at any instant):
 *
 * <ol>
 *   <li>A rejection or a failure is committed to the ledger as soon as it is known (one DuckDB transaction).
 *   <li>An accepted sample goes into the open shard {@code <name>.tar.tmp}; nothing is recorded yet. When the
 *       shard is full, the tar is finished and forced to disk, its sidecar index renamed into place, and the tar
 *       renamed to {@code <name>.tar}; only then are the shard and all its samples committed to the ledger in one
 *       transaction.
 *   <li>On start, the pipeline recovers: it deletes this pipeline's temporary shard and index files
 *       ({@code <prefix>-NNNNNN.tar.tmp}, {@code <prefix>-NNNNNN.index.jsonl.tmp}; their samples were never
 *       recorded, so they are simply redone); it <em>adopts</em> every {@code .tar} the ledger does not
 *       know (a crash between the rename and the ledger commit) by reading its keys and committing them, with the
 *       attempts and cost each sample's metadata carries in its {@code curation} field; it forgets ledger shards
 *       whose file is gone, so their samples are redone; and it numbers new shards after the highest existing one.
 *   <li>Units whose key the ledger holds as final (written, rejected, or failed for a non-retryable reason) are
 *       skipped; transient failures are retried.
 * </ol>
 *
 * <p>Hence every unit ends up in the ledger exactly once, a key is in at most one shard, and every written key
 * is in a committed shard. Service calls run on {@code concurrency} threads; the ledger and the shard writer
 * are used only by the calling thread.
 *
 * @since 0.1
 */
public final class CurationPipeline {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CURATION_FIELD = UnitProcessor.CURATION_FIELD;

  private final CurationConfig config;
  private final UnitProcessor units;

  /**
   * Creates a pipeline.
   *
   * @param config the settings
   * @param edit the image-edit service
   * @param generation the text-to-image service (needed only for the {@link Recipe#GENERATE} recipe)
   * @param chat the chat service (needed only for rewrites and C3)
   */
  public CurationPipeline(
      CurationConfig config, ImageEditService edit, ImageGenerationService generation, ChatService chat) {
    this.config = requireNonNull(config, "config");
    this.units = new UnitProcessor(config, edit, generation, chat);
  }

  /**
   * Runs (or, in dry-run mode, plans) the pipeline over a source.
   *
   * @param inputs the source samples, read lazily
   * @param expectedInputs how many inputs to expect, for progress (0 if unknown)
   * @return the summary
   */
  public CurationSummary run(Iterator<EditTriplet> inputs, long expectedInputs) {
    return config.dryRun() ? plan(inputs) : execute(inputs, expectedInputs);
  }

  private List<WorkUnit> unitsOf(EditTriplet t) {
    return units.unitsOf(t);
  }

  private CurationSummary plan(Iterator<EditTriplet> inputs) {
    long start = System.nanoTime();
    Set<String> done = Set.of();
    if (Files.exists(config.ledgerFile())) {
      try (Ledger ledger = Ledger.open(config.ledgerFile())) {
        done = ledger.doneKeys();
      }
    }
    long n = 0;
    long units = 0;
    long skipped = 0;
    long rewrites = 0;
    long c3 = 0;
    while (inputs.hasNext()) {
      n++;
      for (WorkUnit u : unitsOf(inputs.next())) {
        units++;
        if (done.contains(u.key())) {
          skipped++;
        }
        if (u.rewrite()) {
          rewrites++;
        }
        if (u.c3()) {
          c3++;
        }
      }
    }
    return new CurationSummary(true, n, units, skipped, 0, 0, 0, Map.of(), Map.of(), rewrites, c3, 0, List.of(),
        Duration.ofNanos(System.nanoTime() - start), false);
  }

  private CurationSummary execute(Iterator<EditTriplet> inputs, long expectedInputs) {
    long start = System.nanoTime();
    try (Ledger ledger = Ledger.open(config.ledgerFile())) {
      int nextShard = recover(ledger);
      Set<String> done = ledger.doneKeys();
      Run run = new Run(ledger, done, start, expectedInputs);
      ExecutorService pool = Executors.newFixedThreadPool(config.concurrency(), r -> {
        Thread t = new Thread(r, "curation-worker");
        t.setDaemon(true);
        return t;
      });
      ShardWriter writer = ShardWriter.builder(config.outputDir(), config.shardPrefix())
          .optMaxSamples(config.maxSamplesPerShard())
          .optMaxBytes(config.maxShardBytes())
          .optFirstNumber(nextShard)
          .optOnComplete(run::commit)
          .build();
      boolean ok = false;
      try {
        CompletionService<Outcome> cs = new ExecutorCompletionService<>(pool);
        Deque<WorkUnit> queue = new ArrayDeque<>();
        int inFlight = 0;
        int window = config.concurrency() * 2;
        while (true) {
          while (inFlight < window) {
            if (queue.isEmpty() && !run.capped && inputs.hasNext()) {
              EditTriplet t = inputs.next();
              run.inputs++;
              for (WorkUnit u : unitsOf(t)) {
                run.units++;
                if (u.rewrite()) {
                  run.rewrites++;
                }
                if (u.c3()) {
                  run.c3++;
                }
                if (done.contains(u.key())) {
                  run.skipped++;
                } else {
                  queue.add(u);
                }
              }
              continue;
            }
            if (queue.isEmpty()) {
              break;
            }
            if (run.capped) {
              break;
            }
            if (!run.reserve(queue.peek())) {
              // wait for the units in flight to free their reservations; with none in flight it can never fit
              run.capped = inFlight == 0;
              break;
            }
            WorkUnit u = queue.poll();
            cs.submit(() -> units.process(u));
            inFlight++;
          }
          if (inFlight == 0) {
            break;
          }
          Outcome o = take(cs);
          inFlight--;
          run.handle(o, writer);
        }
        writer.close();
        ok = true;
      } finally {
        pool.shutdownNow();
        if (!ok) {
          writer.abort();
        }
      }
      return run.summary();
    }
  }

  /**
   * The most a unit can cost: {total, of which chat}. Image calls at the largest generation size, chat calls (one
   * for a rewrite, two for C3) at their ceiling, all times the attempts.
   */
  private double[] ceiling(WorkUnit u) {
    CostModel prices = config.costModel();
    long pixels = 0;
    for (AspectPreset p : AspectPreset.values()) {
      Size s = config.generationSize(p);
      pixels = Math.max(pixels, (long) s.width() * s.height());
    }
    int imageCalls = u.policy().recipe() == Recipe.GENERATE ? 2 : 1;
    int chatCalls = (u.rewrite() ? 1 : 0) + (u.c3() ? 2 : 0);
    double chat = config.maxAttempts() * chatCalls * prices.chatCallCeiling();
    return new double[] {config.maxAttempts() * imageCalls * prices.imageCallCeiling(pixels) + chat, chat};
  }

  /**
   * Returns the most the planned units of a dry run can cost, and how many calls they make at first attempt.
   *
   * @param summary a dry run's plan
   * @return {image calls, chat calls, ceiling in USD at one attempt per call}
   */
  public double[] estimate(CurationSummary summary) {
    long pixels = 0;
    for (AspectPreset p : AspectPreset.values()) {
      Size s = config.generationSize(p);
      pixels = Math.max(pixels, (long) s.width() * s.height());
    }
    long todo = summary.units() - summary.skipped();
    long chatCalls = summary.rewrites() + 2 * summary.c3Units();
    CostModel prices = config.costModel();
    return new double[] {todo, chatCalls, todo * prices.imageCallCeiling(pixels) + chatCalls * prices.chatCallCeiling()};
  }

  private static Outcome take(CompletionService<Outcome> cs) {
    try {
      Future<Outcome> f = cs.take();
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("curation interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a curation worker crashed: " + e.getCause(), e.getCause());
    }
  }

  /** Deletes temporaries, adopts unrecorded shards, forgets missing ones; returns the next shard number. */
  int recover(Ledger ledger) {
    Path dir = config.outputDir();
    int next = 0;
    try {
      Files.createDirectories(dir);
      List<Path> files;
      try (Stream<Path> s = Files.list(dir)) {
        files = s.sorted().toList();
      }
      Pattern shardName = Pattern.compile(Pattern.quote(config.shardPrefix()) + "-(\\d{6})\\.tar(\\.tmp)?");
      Pattern temporary =
          Pattern.compile(Pattern.quote(config.shardPrefix()) + "-\\d{6}\\.(tar|index\\.jsonl)\\.tmp");
      for (Path f : files) {
        String name = f.getFileName().toString();
        if (temporary.matcher(name).matches()) {
          Files.delete(f);
          continue;
        }
        Matcher m = shardName.matcher(name);
        if (m.matches()) {
          next = Math.max(next, Integer.parseInt(m.group(1)) + 1);
        }
      }
      Set<String> known = ledger.shards();
      for (Path shard : ShardReader.listShards(dir)) {
        String name = shard.getFileName().toString();
        if (!shardName.matcher(name).matches() || known.contains(name)) {
          continue;
        }
        List<Ledger.Written> samples = new ArrayList<>();
        try (ShardReader r = ShardReader.open(List.of(shard), ErrorPolicy.STOP, false)) {
          while (r.hasNext()) {
            ShardSample s = r.next();
            int[] attempts = {1};
            double[] cost = {0};
            readCuration(s.metadata(), attempts, cost);
            samples.add(new Ledger.Written(s.key(), attempts[0], cost[0]));
          }
        }
        ledger.commitShard(name, Files.size(shard), samples);
      }
      for (String name : known) {
        if (!Files.exists(dir.resolve(name))) {
          ledger.forgetShard(name);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot recover output folder " + dir, e);
    }
    return next;
  }

  private static void readCuration(SampleMetadata m, int[] attempts, double[] cost) {
    String json = m.extensions().get(CURATION_FIELD);
    if (json == null) {
      return;
    }
    try {
      JsonNode n = JSON.readTree(json);
      attempts[0] = n.path("attempts").asInt(1);
      cost[0] = n.path("cost_usd").asDouble(0);
    } catch (IOException e) {
      // A malformed bookkeeping field does not make the sample less written.
    }
  }

  /** The state of one run, owned by the calling thread. */
  private final class Run {
    final Ledger ledger;
    final Set<String> done;
    final long start;
    final long expectedInputs;
    long inputs;
    long units;
    long skipped;
    long rewrites;
    long c3;
    long written;
    long rejected;
    long failed;
    double spend;
    /** Chat calls of finished units, at their ceiling (their usage is not metered). */
    double chatCharged;
    /** The ceilings of the units in flight, by key. */
    final Map<String, double[]> reserved = new HashMap<>();
    double reservedTotal;
    boolean capped;
    final Map<String, Long> rejects = new TreeMap<>();
    final Map<String, Long> failures = new TreeMap<>();
    /** Samples in the open shard: only their bookkeeping, never their pixels. */
    final Map<String, Ledger.Written> pending = new HashMap<>();
    final List<String> shards = new ArrayList<>();

    Run(Ledger ledger, Set<String> done, long start, long expectedInputs) {
      this.ledger = ledger;
      this.done = done;
      this.start = start;
      this.expectedInputs = expectedInputs;
    }

    /** Reserves a unit's ceiling if it fits under the cap with everything spent and reserved so far. */
    boolean reserve(WorkUnit u) {
      double[] ceiling = ceiling(u);
      if (spend + chatCharged + reservedTotal + ceiling[0] > config.maxSpendUsd()) {
        return false;
      }
      reserved.put(u.key(), ceiling);
      reservedTotal += ceiling[0];
      return true;
    }

    void handle(Outcome o, ShardWriter writer) {
      double[] ceiling = reserved.remove(o.key());
      if (ceiling != null) {
        reservedTotal -= ceiling[0];
        chatCharged += ceiling[1];
      }
      spend += o.costUsd();
      if (o instanceof Outcome.Accepted a) {
        pending.put(a.key(), new Ledger.Written(a.key(), a.attempts(), a.costUsd()));
        written++;
        writer.writeEncoded(a.key(), a.inputPng(), a.editedPng(), a.json());
      } else {
        ledger.record(o);
        if (o instanceof Outcome.Rejected r) {
          rejected++;
          rejects.merge(r.reason(), 1L, Long::sum);
        } else if (o instanceof Outcome.Failed f) {
          failed++;
          failures.merge(f.error(), 1L, Long::sum);
        }
      }
      config.listener().onProgress(progress());
    }

    void commit(CompletedShard shard) {
      List<Ledger.Written> rows = new ArrayList<>(shard.keys().size());
      for (String key : shard.keys()) {
        rows.add(pending.remove(key));
      }
      ledger.commitShard(shard.name(), shard.bytes(), rows);
      shards.add(shard.name());
    }

    CurationProgress progress() {
      long finished = written + rejected + failed;
      double secs = (System.nanoTime() - start) / 1e9;
      double rate = secs > 0 ? finished / secs : 0;
      double perInput = inputs == 0 ? 1 : (double) units / inputs;
      long expectedUnits = Math.max(units, Math.round(units + Math.max(0, expectedInputs - inputs) * perInput));
      long total = expectedUnits - skipped;
      Optional<Duration> eta = rate > 0
          ? Optional.of(Duration.ofMillis(Math.round(Math.max(0, total - finished) / rate * 1000)))
          : Optional.empty();
      return new CurationProgress(finished, total, skipped, written, rejected, failed, rate, eta, rejects, spend);
    }

    CurationSummary summary() {
      return new CurationSummary(false, inputs, units, skipped, written, rejected, failed, rejects, failures,
          rewrites, c3, spend, shards, Duration.ofNanos(System.nanoTime() - start), capped);
    }
  }
}
