package io.gptedit.spark;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;

import io.gptedit.data.shards.ShardWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The outcome table of a Spark curation output folder: one parquet row per work unit, keyed by the unit's key.
 *
 * <p>Layout: every run writes its rows through Spark's output committer to {@code _outcomes/run-NNNNNN/} (a run
 * is committed when its {@code _SUCCESS} marker exists; a failed task attempt's rows are never committed). The
 * table {@value #TABLE} is derived from the committed runs: the latest run's row per key, with attempts and cost
 * summed over all runs, so it has exactly one row per key. It is rebuilt before and after every run and is plain
 * parquet: {@code DatasetIndex.outcomeCounts(folder.resolve("outcomes"))} and any parquet reader can query it.
 *
 * <p>Shards are named {@code <prefix>-rNNNNNN-pNNNNN-NNNNNN.tar} (run, partition, sequence): a retried task
 * writes the same names and replaces its own earlier files atomically; shards that no committed row names (from
 * a failed attempt or a crashed run) are deleted before and after each run.
 *
 * @since 0.1
 */
public final class OutcomeTable {
  /** The folder of the derived table, one row per key. */
  public static final String TABLE = "outcomes";

  /** The folder of the per-run tables. */
  public static final String RUNS = "_outcomes";

  /** The columns, in order. */
  public static final StructType SCHEMA = new StructType()
      .add("key", DataTypes.StringType, false)
      .add("source_id", DataTypes.StringType, false)
      .add("dataset", DataTypes.StringType, false)
      .add("unit", DataTypes.StringType, false)
      .add("status", DataTypes.StringType, false)
      .add("reason", DataTypes.StringType, true)
      .add("detail", DataTypes.StringType, true)
      .add("final", DataTypes.BooleanType, false)
      .add("attempts", DataTypes.IntegerType, false)
      .add("cost_usd", DataTypes.DoubleType, false)
      .add("shard", DataTypes.StringType, true)
      .add("run", DataTypes.IntegerType, false)
      .add("partition", DataTypes.IntegerType, false);

  private static final Pattern RUN_DIR = Pattern.compile("run-(\\d{6})");

  private final Path dir;
  private final Pattern shardFile;

  /**
   * Opens the outcome table of an output folder.
   *
   * @param dir the output folder
   * @param shardPrefix the shard prefix of the curation config
   */
  public OutcomeTable(Path dir, String shardPrefix) {
    this.dir = requireNonNull(dir, "dir");
    this.shardFile = Pattern.compile(Pattern.quote(requireNonNull(shardPrefix, "shardPrefix"))
        + "-r(\\d{6})-p\\d{5}-\\d{6}(\\.tar|\\.index\\.jsonl)(\\.tmp)?");
  }

  /**
   * Returns the shard prefix of one task: the config's prefix, the run and the partition.
   *
   * @param prefix the config's shard prefix
   * @param run the run number
   * @param partition the partition number
   * @return such as {@code curated-r000001-p00003}
   */
  public static String taskPrefix(String prefix, int run, int partition) {
    return String.format(Locale.ROOT, "%s-r%06d-p%05d", prefix, run, partition);
  }

  /**
   * Returns the derived table's folder.
   *
   * @return {@code <dir>/outcomes}
   */
  public Path tablePath() {
    return dir.resolve(TABLE);
  }

  Path runPath(int run) {
    return dir.resolve(RUNS).resolve(String.format(Locale.ROOT, "run-%06d", run));
  }

  /** The committed run folders, in run order. */
  List<Path> committedRuns() {
    Path runs = dir.resolve(RUNS);
    if (!Files.isDirectory(runs)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(runs)) {
      return s.filter(p -> RUN_DIR.matcher(p.getFileName().toString()).matches())
          .filter(p -> Files.exists(p.resolve("_SUCCESS")))
          .sorted(Comparator.comparing(p -> p.getFileName().toString()))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + runs, e);
    }
  }

  /** The next run number: one more than any run folder or shard file in the output folder. */
  int nextRun() {
    int max = 0;
    try {
      Path runs = dir.resolve(RUNS);
      if (Files.isDirectory(runs)) {
        try (Stream<Path> s = Files.list(runs)) {
          for (Path p : s.toList()) {
            Matcher m = RUN_DIR.matcher(p.getFileName().toString());
            if (m.matches()) {
              max = Math.max(max, Integer.parseInt(m.group(1)));
            }
          }
        }
      }
      if (Files.isDirectory(dir)) {
        try (Stream<Path> s = Files.list(dir)) {
          for (Path p : s.toList()) {
            Matcher m = shardFile.matcher(p.getFileName().toString());
            if (m.matches()) {
              max = Math.max(max, Integer.parseInt(m.group(1)));
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    return max + 1;
  }

  /**
   * Reads the table (one row per key), or an empty table when no run was committed.
   *
   * @param spark the session
   * @return the rows
   */
  public Dataset<Row> read(SparkSession spark) {
    if (!Files.exists(tablePath().resolve("_SUCCESS"))) {
      return spark.createDataFrame(List.of(), SCHEMA);
    }
    return spark.read().schema(SCHEMA).parquet(tablePath().toString());
  }

  /**
   * Rebuilds the table from the committed runs: the latest row per key, attempts and cost summed over runs.
   *
   * @param spark the session
   */
  void compact(SparkSession spark) {
    List<Path> runs = committedRuns();
    if (runs.isEmpty()) {
      return;
    }
    String[] paths = runs.stream().map(Path::toString).toArray(String[]::new);
    Dataset<Row> all = spark.read().schema(SCHEMA).parquet(paths);
    Dataset<Row> latest = all
        .withColumn("_rn", row_number().over(Window.partitionBy("key").orderBy(col("run").desc())))
        .filter(col("_rn").equalTo(1))
        .drop("_rn", "attempts", "cost_usd");
    Dataset<Row> totals = all.groupBy("key")
        .agg(sum("attempts").cast(DataTypes.IntegerType).as("attempts"), sum("cost_usd").as("cost_usd"));
    String[] names = SCHEMA.fieldNames();
    Dataset<Row> table = latest.join(totals, "key")
        .select(java.util.Arrays.stream(names).map(n -> col(n)).toArray(org.apache.spark.sql.Column[]::new))
        .coalesce(Math.max(1, runs.size()));
    Path tmp = dir.resolve(TABLE + ".tmp");
    table.write().mode(SaveMode.Overwrite).parquet(tmp.toString());
    try {
      deleteTree(tablePath());
      Files.move(tmp, tablePath(), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot replace " + tablePath(), e);
    }
  }

  /**
   * The keys a run skips: final outcomes, except written ones whose shard file is gone (those are done again).
   */
  Set<String> doneKeys(SparkSession spark) {
    Set<String> present = new HashSet<>();
    for (Path p : listDir()) {
      present.add(p.getFileName().toString());
    }
    Set<String> done = new HashSet<>();
    for (Row r : read(spark).filter(col("final")).select("key", "status", "shard").collectAsList()) {
      String shard = r.getString(2);
      if (!"written".equals(r.getString(1)) || (shard != null && present.contains(shard))) {
        done.add(r.getString(0));
      }
    }
    return done;
  }

  /** Deletes this prefix's Spark shard files (and sidecars, and temporaries) that no row of the table names. */
  int collectGarbage(SparkSession spark) {
    Set<String> referenced = new HashSet<>();
    for (Row r : read(spark).filter(col("shard").isNotNull()).select("shard").distinct().collectAsList()) {
      referenced.add(r.getString(0));
    }
    int deleted = 0;
    for (Path p : listDir()) {
      String name = p.getFileName().toString();
      Matcher m = shardFile.matcher(name);
      if (!m.matches()) {
        continue;
      }
      boolean keep = m.group(3) == null && referenced.contains(tarNameOf(name));
      if (!keep) {
        try {
          Files.deleteIfExists(p);
          deleted++;
        } catch (IOException e) {
          throw new UncheckedIOException("cannot delete " + p, e);
        }
      }
    }
    return deleted;
  }

  private static String tarNameOf(String name) {
    String stem = name.endsWith(".tar") ? name.substring(0, name.length() - 4)
        : name.substring(0, name.length() - ShardWriter.INDEX_SUFFIX.length());
    return stem + ".tar";
  }

  private List<Path> listDir() {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return new ArrayList<>(s.toList());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
