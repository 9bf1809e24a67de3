package io.gptedit.spark;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.sum;

import io.gptedit.data.curation.CurationConfig;
import io.gptedit.data.curation.CurationSummary;
import io.gptedit.data.curation.LedgerEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;

/**
 * Runs curation on Spark: every partition of an input dataset goes through the same per-sample code as the local
 * pipeline ({@link io.gptedit.data.curation.UnitProcessor}: pad, regenerate, checks, crop, rewrite, C3, encoding),
 * with one service client per executor, its share of a global requests-per-minute budget, WebDataset shards per
 * partition and a parquet outcome table ({@link OutcomeTable}).
 *
 * <p><b>Exactly once.</b> A task's shards have deterministic names (run, partition, sequence), so a retried task
 * replaces its own files; its outcome rows go through Spark's output committer, so only one attempt's rows are
 * committed; shards no committed row names are deleted after the job. A re-run reads the table first and skips
 * every key with a final outcome (written, rejected, or failed for a non-retryable reason), so it never duplicates
 * a key; keys with a transient failure are tried again and their table row replaced (attempts and cost summed).
 * Speculative execution must stay off ({@code spark.speculation=false}, Spark's default): two live attempts of
 * one task would write the same shard names. Input ids must be unique, as for the local pipeline.
 *
 * <pre>{@code
 * CurationSummary s = SparkCuration.builder(configFactory, new OpenAiServices(url, "gpt-image-1", "OPENAI_API_KEY", true, 120_000))
 *     .optRequestsPerMinute(250)
 *     .build()
 *     .run(spark, inputs, decoder);
 * }</pre>
 *
 * @since 0.1
 */
public final class SparkCuration {
  private final ConfigFactory configs;
  private final ServicesFactory services;
  private final int requestsPerMinute;
  private final Integer executors;
  private final PartitionListener listener;

  private SparkCuration(Builder b) {
    this.configs = b.configs;
    this.services = b.services;
    this.requestsPerMinute = b.requestsPerMinute;
    this.executors = b.executors;
    this.listener = b.listener;
  }

  /**
   * Returns a builder.
   *
   * @param configs makes the settings (the output folder, shard prefix and limits, policies, checks, concurrency
   *     per executor, retries)
   * @param services makes one executor's services
   * @return the builder
   */
  public static Builder builder(ConfigFactory configs, ServicesFactory services) {
    return new Builder(configs, services);
  }

  /**
   * Returns how many executors share the rate budget: 1 in local mode, else {@code spark.executor.instances} or,
   * with dynamic allocation, {@code spark.dynamicAllocation.maxExecutors}.
   *
   * @param conf the Spark configuration
   * @return the executor count
   * @throws IllegalArgumentException if neither is set on a cluster (pass {@link Builder#optExecutors})
   */
  public static int executorsOf(SparkConf conf) {
    String master = conf.get("spark.master", "local");
    if (master.startsWith("local")) {
      return 1;
    }
    if (conf.getBoolean("spark.dynamicAllocation.enabled", false)) {
      if (conf.contains("spark.dynamicAllocation.maxExecutors")) {
        return conf.getInt("spark.dynamicAllocation.maxExecutors", 1);
      }
    } else if (conf.contains("spark.executor.instances")) {
      return conf.getInt("spark.executor.instances", 1);
    }
    throw new IllegalArgumentException("cannot tell how many executors share the rate budget on " + master
        + ": set spark.executor.instances (or spark.dynamicAllocation.maxExecutors), or pass optExecutors");
  }

  /**
   * Curates a dataset of inputs into the config's output folder.
   *
   * @param spark the session
   * @param inputs the input rows; each partition becomes one task
   * @param decoder turns a row into its input sample
   * @return this run's summary (units skipped as already done are counted in {@code skipped})
   * @throws IllegalArgumentException for a dry-run config (plan with the local pipeline)
   */
  public CurationSummary run(SparkSession spark, Dataset<Row> inputs, InputDecoder decoder) {
    requireNonNull(spark, "spark");
    requireNonNull(inputs, "inputs");
    requireNonNull(decoder, "decoder");
    long start = System.nanoTime();
    CurationConfig config = configs.create();
    if (config.dryRun()) {
      throw new IllegalArgumentException("dry runs plan with the local pipeline (CurationPipeline), not on Spark");
    }
    if (spark.sparkContext().conf().getBoolean("spark.speculation", false)) {
      throw new IllegalArgumentException("spark.speculation must be false: two live attempts of a task would write"
          + " the same shard names");
    }
    Path dir = config.outputDir();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
    OutcomeTable table = new OutcomeTable(dir, config.shardPrefix());
    table.compact(spark);
    table.collectGarbage(spark);
    Set<String> done = table.doneKeys(spark);
    int run = table.nextRun();
    int n = executors != null ? executors : executorsOf(spark.sparkContext().conf());
    ClientBudget budget = ClientBudget.share(requestsPerMinute, n, config.concurrency());

    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<Set<String>> doneB = jsc.broadcast(new HashSet<>(done));
    Map<String, LongAccumulator> counters = new LinkedHashMap<>();
    for (String c : List.of("inputs", "units", "skipped", "rewrites", "c3")) {
      counters.put(c, spark.sparkContext().longAccumulator("gptedit." + c));
    }
    PartitionCurator curator = new PartitionCurator(configs, services, budget, decoder, doneB, run, listener, counters);
    Path runPath = table.runPath(run);
    inputs.mapPartitions(curator, Encoders.row(OutcomeTable.SCHEMA))
        .write()
        .mode(SaveMode.ErrorIfExists)
        .parquet(runPath.toString());
    doneB.destroy();
    table.compact(spark);
    table.collectGarbage(spark);

    Dataset<Row> rows = spark.read().schema(OutcomeTable.SCHEMA).parquet(runPath.toString()).cache();
    long written = 0;
    long rejected = 0;
    long failed = 0;
    double spend = 0;
    for (Row r : rows.groupBy("status").agg(count("key"), sum("cost_usd")).collectAsList()) {
      long c = r.getLong(1);
      switch (r.getString(0)) {
        case LedgerEntry.WRITTEN -> written = c;
        case LedgerEntry.REJECTED -> rejected = c;
        default -> failed = c;
      }
      spend += r.isNullAt(2) ? 0 : r.getDouble(2);
    }
    Map<String, Long> rejects = byReason(rows, LedgerEntry.REJECTED);
    Map<String, Long> failures = byReason(rows, LedgerEntry.FAILED);
    List<String> shards = rows.filter(col("shard").isNotNull()).select("shard").distinct().orderBy("shard")
        .collectAsList().stream().map(r -> r.getString(0)).toList();
    rows.unpersist();
    return new CurationSummary(false, counters.get("inputs").value(), counters.get("units").value(),
        counters.get("skipped").value(), written, rejected, failed, rejects, failures, counters.get("rewrites").value(),
        counters.get("c3").value(), spend, shards, Duration.ofNanos(System.nanoTime() - start), false);
  }

  private static Map<String, Long> byReason(Dataset<Row> rows, String status) {
    Map<String, Long> out = new TreeMap<>();
    for (Row r : rows.filter(col("status").equalTo(status)).groupBy("reason").count().collectAsList()) {
      out.put(r.getString(0), r.getLong(1));
    }
    return out;
  }

  /** Builds a {@link SparkCuration}. */
  public static final class Builder {
    private final ConfigFactory configs;
    private final ServicesFactory services;
    private int requestsPerMinute;
    private Integer executors;
    private PartitionListener listener;

    private Builder(ConfigFactory configs, ServicesFactory services) {
      this.configs = requireNonNull(configs, "configs");
      this.services = requireNonNull(services, "services");
    }

    /**
     * Sets the whole job's requests-per-minute budget (the API account's limit), split evenly over the executors
     * (default 0: no limit).
     *
     * @param rpm 0 or more
     * @return this builder
     */
    public Builder optRequestsPerMinute(int rpm) {
      if (rpm < 0) {
        throw new IllegalArgumentException("requests per minute must be >= 0, got " + rpm);
      }
      this.requestsPerMinute = rpm;
      return this;
    }

    /**
     * Sets how many executors share the budget (default: {@link #executorsOf} of the session's configuration).
     *
     * @param n at least 1
     * @return this builder
     */
    public Builder optExecutors(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("executors must be >= 1, got " + n);
      }
      this.executors = n;
      return this;
    }

    /**
     * Sets a listener called on the executors after every finished unit (default none).
     *
     * @param l the listener
     * @return this builder
     */
    public Builder optListener(PartitionListener l) {
      this.listener = requireNonNull(l, "listener");
      return this;
    }

    /**
     * Builds the engine.
     *
     * @return the engine
     */
    public SparkCuration build() {
      return new SparkCuration(this);
    }
  }
}
