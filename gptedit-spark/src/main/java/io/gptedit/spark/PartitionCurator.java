package io.gptedit.spark;

import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.curation.CurationConfig;
import io.gptedit.data.curation.LedgerEntry;
import io.gptedit.data.curation.Outcome;
import io.gptedit.data.curation.UnitProcessor;
import io.gptedit.data.curation.WorkUnit;
import io.gptedit.data.shards.CompletedShard;
import io.gptedit.data.shards.ShardWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.LongAccumulator;

/**
 * One task: the partition's inputs through {@link UnitProcessor} on {@code concurrency} threads, accepted samples
 * into this task's shards, one outcome row per unit. Accepted rows are emitted only once their shard is renamed
 * into place, so every written row names a complete shard.
 */
final class PartitionCurator implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;

  private final ConfigFactory configs;
  private final ServicesFactory services;
  private final ClientBudget budget;
  private final InputDecoder decoder;
  private final Broadcast<Set<String>> done;
  private final int run;
  private final PartitionListener listener;
  private final Map<String, LongAccumulator> counters;

  PartitionCurator(ConfigFactory configs, ServicesFactory services, ClientBudget budget, InputDecoder decoder,
      Broadcast<Set<String>> done, int run, PartitionListener listener, Map<String, LongAccumulator> counters) {
    this.configs = configs;
    this.services = services;
    this.budget = budget;
    this.decoder = decoder;
    this.done = done;
    this.run = run;
    this.listener = listener;
    this.counters = Map.copyOf(counters);
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    TaskContext ctx = TaskContext.get();
    int partition = ctx == null ? 0 : ctx.partitionId();
    int attempt = ctx == null ? 0 : ctx.attemptNumber();
    CurationConfig config = configs.create();
    CurationServices s = ExecutorServices.get(services, budget);
    UnitProcessor processor = new UnitProcessor(config, s.edit(), s.generation(), s.chat());
    Set<String> skip = done.value();
    List<Row> out = new ArrayList<>();
    Map<String, Object[]> pending = new HashMap<>();
    ShardWriter writer = ShardWriter.builder(config.outputDir(), OutcomeTable.taskPrefix(config.shardPrefix(), run, partition))
        .optMaxSamples(config.maxSamplesPerShard())
        .optMaxBytes(config.maxShardBytes())
        .optOnComplete((CompletedShard shard) -> {
          for (String key : shard.keys()) {
            Object[] v = pending.remove(key);
            v[10] = shard.name();
            out.add(RowFactory.create(v));
          }
        })
        .build();
    int threads = config.concurrency();
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "gptedit-spark-p" + partition);
      t.setDaemon(true);
      return t;
    });
    long inputs = 0;
    long units = 0;
    long skipped = 0;
    long rewrites = 0;
    long c3 = 0;
    boolean ok = false;
    try {
      CompletionService<Outcome> cs = new ExecutorCompletionService<>(pool);
      Map<String, WorkUnit> inFlight = new HashMap<>();
      Deque<WorkUnit> queue = new ArrayDeque<>();
      int window = threads * 2;
      long finished = 0;
      while (true) {
        while (inFlight.size() < window) {
          if (queue.isEmpty() && rows.hasNext()) {
            EditTriplet t = decoder.decode(rows.next());
            inputs++;
            for (WorkUnit u : processor.unitsOf(t)) {
              units++;
              rewrites += u.rewrite() ? 1 : 0;
              c3 += u.c3() ? 1 : 0;
              if (skip.contains(u.key())) {
                skipped++;
              } else {
                queue.add(u);
              }
            }
            continue;
          }
          if (queue.isEmpty()) {
            break;
          }
          WorkUnit u = queue.poll();
          inFlight.put(u.key(), u);
          cs.submit(() -> processor.process(u));
        }
        if (inFlight.isEmpty()) {
          break;
        }
        Outcome o = take(cs);
        WorkUnit u = inFlight.remove(o.key());
        Object[] v = row(u, o, partition);
        if (o instanceof Outcome.Accepted a) {
          pending.put(a.key(), v);
          writer.writeEncoded(a.key(), a.inputPng(), a.editedPng(), a.json());
        } else {
          out.add(RowFactory.create(v));
        }
        finished++;
        if (listener != null) {
          listener.afterOutcome(partition, attempt, finished);
        }
      }
      writer.close();
      ok = true;
    } finally {
      pool.shutdownNow();
      if (!ok) {
        writer.abort();
      }
    }
    counters.get("inputs").add(inputs);
    counters.get("units").add(units);
    counters.get("skipped").add(skipped);
    counters.get("rewrites").add(rewrites);
    counters.get("c3").add(c3);
    return out.iterator();
  }

  private Object[] row(WorkUnit u, Outcome o, int partition) {
    String status;
    String reason = null;
    String detail = null;
    boolean fin = true;
    if (o instanceof Outcome.Accepted) {
      status = LedgerEntry.WRITTEN;
    } else if (o instanceof Outcome.Rejected r) {
      status = LedgerEntry.REJECTED;
      reason = r.reason();
      detail = r.detail();
    } else {
      Outcome.Failed f = (Outcome.Failed) o;
      status = LedgerEntry.FAILED;
      reason = f.error();
      detail = f.detail();
      fin = !f.retryable();
    }
    return new Object[] {o.key(), u.source().id(), u.source().metadata().dataset(), u.c3() ? "c3" : "base", status,
        reason, detail, fin, o.attempts(), o.costUsd(), null, run, partition};
  }

  private static Outcome take(CompletionService<Outcome> cs) {
    try {
      return cs.take().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("curation task interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a curation worker crashed: " + e.getCause(), e.getCause());
    }
  }
}
