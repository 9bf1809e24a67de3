package io.gptedit.data.index;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.gptedit.core.geometry.AspectPreset;
import io.gptedit.core.metadata.SampleMetadata;
import io.gptedit.data.curation.LedgerEntry;
import io.gptedit.data.shards.ErrorPolicy;
import io.gptedit.data.shards.ShardIndex;
import io.gptedit.data.shards.ShardLocation;
import io.gptedit.data.shards.ShardReader;
import io.gptedit.data.shards.ShardSample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * A DuckDB catalog over a folder of shards: one row per sample with its shard, byte offset and metadata
 * summary. Answers counts by source, preset, verdict or instruction type, filtered key lists, seeded mixture
 * samples with per-source weights, and batches that each hold samples of one aspect preset (the paper's data
 * argues for aspect-ratio buckets rather than squashing every image to a square).
 *
 * <p>A sample's preset is its padding plan's preset when it has one, else the preset nearest its original size.
 * Its verdict is {@code accepted}, {@code rejected} or {@code unchecked} (no quality record).
 *
 * @since 0.1
 */
public final class DatasetIndex implements AutoCloseable {
  /** The columns counts can be grouped by. */
  public enum Column {
    /** The source dataset. */
    DATASET("dataset"),
    /** The aspect preset, {@code 1:1}, {@code 3:2} or {@code 2:3}. */
    PRESET("preset"),
    /** The quality verdict. */
    VERDICT("verdict"),
    /** The instruction type ({@code original}, {@code rewrite}, {@code complex}). */
    INSTRUCTION_TYPE("instruction_type"),
    /** The source task. */
    TASK("task");

    private final String sql;

    Column(String sql) {
      this.sql = sql;
    }
  }

  /**
   * A filter; empty fields match everything.
   *
   * @param dataset the source dataset
   * @param preset the aspect preset
   * @param verdict {@code accepted}, {@code rejected} or {@code unchecked}
   * @param instructionType {@code original}, {@code rewrite} or {@code complex}
   * @param keys a UTF-8 text file of sample keys, one per line: only those samples match (such as the samples an
   *     embedding store holds); read when a query runs
   */
  public record Filter(
      Optional<String> dataset,
      Optional<AspectPreset> preset,
      Optional<String> verdict,
      Optional<String> instructionType,
      Optional<Path> keys) {
    /** Matches every sample. */
    public static final Filter ALL =
        new Filter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    /** Validates. */
    public Filter {
      requireNonNull(dataset, "dataset");
      requireNonNull(preset, "preset");
      requireNonNull(verdict, "verdict");
      requireNonNull(instructionType, "instructionType");
      requireNonNull(keys, "keys");
    }

    /**
     * Returns a copy restricted to a dataset.
     *
     * @param d the dataset
     * @return the filter
     */
    public Filter dataset(String d) {
      return new Filter(Optional.of(d), preset, verdict, instructionType, keys);
    }

    /**
     * Returns a copy restricted to a preset.
     *
     * @param p the preset
     * @return the filter
     */
    public Filter preset(AspectPreset p) {
      return new Filter(dataset, Optional.of(p), verdict, instructionType, keys);
    }

    /**
     * Returns a copy restricted to a verdict.
     *
     * @param v the verdict
     * @return the filter
     */
    public Filter verdict(String v) {
      return new Filter(dataset, preset, Optional.of(v), instructionType, keys);
    }

    /**
     * Returns a copy restricted to an instruction type.
     *
     * @param t the type
     * @return the filter
     */
    public Filter instructionType(String t) {
      return new Filter(dataset, preset, verdict, Optional.of(t), keys);
    }

    /**
     * Returns a copy restricted to the keys listed in a file (one per line, UTF-8; blank lines and repeats are
     * ignored), such as the samples whose frozen encodings an embedding store holds.
     *
     * @param file the key list
     * @return the filter
     */
    public Filter keys(Path file) {
      return new Filter(dataset, preset, verdict, instructionType, Optional.of(file));
    }
  }

  /**
   * One catalogued sample.
   *
   * @param key the key
   * @param shard the shard file name
   * @param offset the byte offset in the shard
   * @param preset the aspect preset
   */
  public record Entry(String key, String shard, long offset, AspectPreset preset) {}

  private final Connection conn;

  private DatasetIndex(Connection conn) {
    this.conn = conn;
  }

  /**
   * Builds the catalog of a shard folder in memory (reads each sample's metadata, not its images).
   *
   * @param shardDir the folder of committed shards
   * @return the catalog
   * @throws io.gptedit.data.shards.ShardException if a shard or its sidecar index is unreadable
   */
  public static DatasetIndex build(Path shardDir) {
    return build(shardDir, null);
  }

  /**
   * Builds the catalog of a shard folder, in a DuckDB file (replacing its table) or in memory.
   *
   * @param shardDir the folder of committed shards
   * @param dbFile the DuckDB file, or {@code null} for memory
   * @return the catalog
   */
  public static DatasetIndex build(Path shardDir, Path dbFile) {
    Map<String, ShardLocation> locations = new HashMap<>();
    for (ShardLocation l : ShardIndex.load(shardDir).locations()) {
      locations.put(l.key(), l);
    }
    try {
      Connection c = DriverManager.getConnection(dbFile == null ? "jdbc:duckdb:" : "jdbc:duckdb:" + dbFile.toAbsolutePath());
      try (Statement st = c.createStatement()) {
        st.execute("DROP TABLE IF EXISTS samples");
        st.execute("CREATE TABLE samples (key VARCHAR PRIMARY KEY, shard VARCHAR, byte_offset BIGINT, dataset VARCHAR,"
            + " task VARCHAR, preset VARCHAR, width INTEGER, height INTEGER, instruction_type VARCHAR, verdict VARCHAR)");
      }
      c.setAutoCommit(false);
      // DuckDB's appender: DuckDB's JDBC batch runs one statement per row, which dominated on large folders.
      try (ShardReader r = ShardReader.open(ShardReader.listShards(shardDir), ErrorPolicy.STOP, false);
          DuckDBAppender a = c.unwrap(DuckDBConnection.class).createAppender(DuckDBConnection.DEFAULT_SCHEMA, "samples")) {
        while (r.hasNext()) {
          ShardSample s = r.next();
          SampleMetadata m = s.metadata();
          ShardLocation loc = locations.get(s.key());
          AspectPreset preset = m.padCrop().map(p -> p.preset()).orElse(AspectPreset.nearest(m.originalSize()));
          a.beginRow()
              .append(s.key())
              .append(s.shard())
              .append(loc == null ? -1L : loc.offset())
              .append(m.dataset());
          Optional<String> task = m.task();
          if (task.isPresent()) {
            a.append(task.get());
          } else {
            a.appendNull();
          }
          a.append(preset.ratioLabel())
              .append(m.originalSize().width())
              .append(m.originalSize().height())
              .append(m.instructionKind().wireName())
              .append(m.quality().map(q -> q.accepted() ? "accepted" : "rejected").orElse("unchecked"))
              .endRow();
        }
        a.flush();
      }
      c.commit();
      c.setAutoCommit(true);
      return new DatasetIndex(c);
    } catch (SQLException e) {
      throw new CatalogException("cannot build the dataset index of " + shardDir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads a parquet outcome table, such as the one the Spark engine writes ({@code <output>/outcomes}: one row per
   * work unit with {@code key, status, reason, detail, final, attempts, cost_usd, shard}), with DuckDB.
   *
   * @param table the table's folder of parquet files
   * @return the rows, ordered by key, in the local ledger's form
   * @throws CatalogException if the folder holds no readable table
   */
  public static List<LedgerEntry> outcomes(Path table) {
    requireNonNull(table, "table");
    if (!Files.isDirectory(table)) {
      throw new CatalogException("no outcome table at " + table, null);
    }
    String glob = table.toAbsolutePath().resolve("*.parquet").toString().replace("'", "''");
    List<LedgerEntry> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT key, status, reason, detail, \"final\", attempts, cost_usd, shard"
            + " FROM read_parquet('" + glob + "') ORDER BY key")) {
      while (rs.next()) {
        out.add(new LedgerEntry(rs.getString(1), rs.getString(2), Optional.ofNullable(rs.getString(3)),
            Optional.ofNullable(rs.getString(4)), rs.getBoolean(5), rs.getInt(6), rs.getDouble(7),
            Optional.ofNullable(rs.getString(8))));
      }
    } catch (SQLException e) {
      throw new CatalogException("cannot read the outcome table " + table + ": " + e.getMessage(), e);
    }
    return out;
  }

  /**
   * Returns the number of catalogued samples matching a filter.
   *
   * @param filter the filter
   * @return the count
   */
  public long count(Filter filter) {
    long[] n = new long[1];
    query("SELECT count(*) FROM samples" + where(filter), params(filter), rs -> n[0] = rs.getLong(1));
    return n[0];
  }

  /**
   * Returns counts grouped by a column, for samples matching a filter.
   *
   * @param column the grouping column
   * @param filter the filter
   * @return value to count, in value order ({@code null} values under {@code "(none)"})
   */
  public Map<String, Long> countsBy(Column column, Filter filter) {
    Map<String, Long> out = new LinkedHashMap<>();
    query("SELECT coalesce(" + column.sql + ", '(none)') AS v, count(*) FROM samples" + where(filter)
            + " GROUP BY v ORDER BY v",
        params(filter), rs -> out.put(rs.getString(1), rs.getLong(2)));
    return out;
  }

  /**
   * Returns the samples matching a filter, ordered by key.
   *
   * @param filter the filter
   * @return the entries
   */
  public List<Entry> entries(Filter filter) {
    List<Entry> out = new ArrayList<>();
    query("SELECT key, shard, byte_offset, preset FROM samples" + where(filter) + " ORDER BY key", params(filter),
        rs -> out.add(new Entry(rs.getString(1), rs.getString(2), rs.getLong(3), AspectPreset.parse(rs.getString(4)))));
    return out;
  }

  /**
   * Returns the samples matching a filter grouped by a column's value, each group ordered by key (the catalog
   * {@link TrainingBatches} draws from).
   *
   * @param column the grouping column
   * @param filter the filter
   * @return value to entries, in value order ({@code null} values under {@code "(none)"})
   */
  public Map<String, List<Entry>> entriesBy(Column column, Filter filter) {
    requireNonNull(column, "column");
    Map<String, List<Entry>> out = new TreeMap<>();
    query("SELECT coalesce(" + column.sql + ", '(none)') AS v, key, shard, byte_offset, preset FROM samples"
            + where(filter) + " ORDER BY v, key",
        params(filter),
        rs -> out.computeIfAbsent(rs.getString(1), v -> new ArrayList<>())
            .add(new Entry(rs.getString(2), rs.getString(3), rs.getLong(4), AspectPreset.parse(rs.getString(5)))));
    return out;
  }

  /**
   * Draws a seeded mixture: each draw picks a dataset with probability proportional to its weight (datasets
   * without a weight, or without samples, are never picked), then a sample of it uniformly, with replacement.
   *
   * @param weights dataset to non-negative weight
   * @param n how many draws
   * @param seed the seed; the same seed and catalog give the same draws
   * @param filter restricts the candidates (such as accepted only)
   * @return the drawn entries, in draw order
   * @throws IllegalArgumentException if no weighted dataset has samples
   */
  public List<Entry> sampleMixture(Map<String, Double> weights, int n, long seed, Filter filter) {
    checkArgument(n >= 0, "n must be >= 0");
    Map<String, List<Entry>> byDataset = new TreeMap<>();
    double total = 0;
    for (Map.Entry<String, Double> w : new TreeMap<>(weights).entrySet()) {
      checkArgument(w.getValue() >= 0, "weight of %s must be >= 0", w.getKey());
      if (w.getValue() == 0) {
        continue;
      }
      List<Entry> es = entries(filter.dataset(w.getKey()));
      if (!es.isEmpty()) {
        byDataset.put(w.getKey(), es);
        total += w.getValue();
      }
    }
    checkArgument(total > 0, "no dataset with a positive weight has samples: weights %s", weights);
    SplittableRandom r = new SplittableRandom(seed);
    List<Entry> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      double u = r.nextDouble() * total;
      List<Entry> pick = null;
      for (Map.Entry<String, List<Entry>> e : byDataset.entrySet()) {
        pick = e.getValue();
        u -= weights.get(e.getKey());
        if (u < 0) {
          break;
        }
      }
      out.add(pick.get(r.nextInt(pick.size())));
    }
    return out;
  }

  /**
   * Returns one epoch of training batches in which every batch holds samples of a single preset: each preset's
   * samples are shuffled, cut into batches of {@code batchSize} (the last one of a preset may be smaller), and the
   * batches of all presets shuffled together.
   *
   * @param batchSize samples per batch
   * @param seed the shuffle seed
   * @param filter restricts the samples
   * @return the batches
   */
  public Iterator<List<Entry>> presetBatches(int batchSize, long seed, Filter filter) {
    checkArgument(batchSize >= 1, "batchSize must be >= 1");
    SplittableRandom r = new SplittableRandom(seed);
    List<List<Entry>> batches = new ArrayList<>();
    for (AspectPreset p : AspectPreset.values()) {
      List<Entry> es = new ArrayList<>(entries(filter.preset(p)));
      shuffle(es, r);
      for (int i = 0; i < es.size(); i += batchSize) {
        batches.add(List.copyOf(es.subList(i, Math.min(es.size(), i + batchSize))));
      }
    }
    shuffle(batches, r);
    Iterator<List<Entry>> it = batches.iterator();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public List<Entry> next() {
        if (!it.hasNext()) {
          throw new NoSuchElementException();
        }
        return it.next();
      }
    };
  }

  private static <T> void shuffle(List<T> list, SplittableRandom r) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      T t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
  }

  private static String where(Filter f) {
    List<String> parts = new ArrayList<>();
    f.dataset().ifPresent(x -> parts.add("dataset = ?"));
    f.preset().ifPresent(x -> parts.add("preset = ?"));
    f.verdict().ifPresent(x -> parts.add("verdict = ?"));
    f.instructionType().ifPresent(x -> parts.add("instruction_type = ?"));
    f.keys().ifPresent(file -> parts.add("key IN (SELECT k FROM read_csv(" + sqlString(file) + ", header = false,"
        + " delim = '\\t', quote = '', escape = '', columns = {'k': 'VARCHAR'}))"));
    return parts.isEmpty() ? "" : " WHERE " + String.join(" AND ", parts);
  }

  /** A path as a DuckDB string literal. */
  private static String sqlString(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new CatalogException("the key list " + file + " does not exist", null);
    }
    return "'" + file.toAbsolutePath().toString().replace("'", "''") + "'";
  }

  private static List<String> params(Filter f) {
    List<String> out = new ArrayList<>();
    f.dataset().ifPresent(out::add);
    f.preset().ifPresent(p -> out.add(p.ratioLabel()));
    f.verdict().ifPresent(out::add);
    f.instructionType().ifPresent(out::add);
    return out;
  }

  private interface RowHandler {
    void accept(ResultSet rs) throws SQLException;
  }

  private void query(String sql, List<String> params, RowHandler h) {
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      for (int i = 0; i < params.size(); i++) {
        ps.setString(i + 1, params.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          h.accept(rs);
        }
      }
    } catch (SQLException e) {
      throw new CatalogException("dataset index query failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      conn.close();
    } catch (SQLException e) {
      throw new CatalogException("cannot close the dataset index: " + e.getMessage(), e);
    }
  }
}
