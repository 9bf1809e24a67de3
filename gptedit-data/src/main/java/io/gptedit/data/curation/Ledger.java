package io.gptedit.data.curation;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The curation ledger: an embedded DuckDB file with one row per work unit ({@code outcomes}) and one per
 * committed shard ({@code shards}).
 *
 * <p>Rejections and failures are committed as they happen, one transaction each. Written samples are committed
 * together with their shard, in one transaction, only after the shard file was renamed into place (see
 * {@link CurationPipeline} for the whole protocol). Re-recording a key adds its attempts and cost to the old row
 * and replaces the status, so a transient failure that later succeeds keeps its full history of spend.
 *
 * @since 0.1
 */
public final class Ledger implements AutoCloseable {
  private static final String UPSERT = upsert(1);

  /** Rows per multi-row upsert when committing a shard (DuckDB's JDBC batch runs one statement per row). */
  private static final int ROWS_PER_STATEMENT = 256;

  /** The upsert of {@code rows} rows: re-recording a key adds attempts and cost and replaces the rest. */
  private static String upsert(int rows) {
    StringBuilder sb = new StringBuilder(
        "INSERT INTO outcomes (key, status, reason, detail, final, attempts, cost_usd, shard) VALUES ");
    for (int i = 0; i < rows; i++) {
      sb.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, ?, ?, ?)");
    }
    return sb.append(" ON CONFLICT (key) DO UPDATE SET status = EXCLUDED.status, reason = EXCLUDED.reason,"
            + " detail = EXCLUDED.detail, final = EXCLUDED.final, attempts = outcomes.attempts + EXCLUDED.attempts,"
            + " cost_usd = outcomes.cost_usd + EXCLUDED.cost_usd, shard = EXCLUDED.shard")
        .toString();
  }

  private final Path file;
  private final Connection conn;

  private Ledger(Path file, Connection conn) {
    this.file = file;
    this.conn = conn;
  }

  /**
   * Opens or creates a ledger file.
   *
   * @param file the DuckDB file
   * @return the ledger
   * @throws LedgerException if the database cannot be opened
   */
  public static Ledger open(Path file) {
    requireNonNull(file, "file");
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Connection c = DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath());
      try (Statement st = c.createStatement()) {
        st.execute(
            "CREATE TABLE IF NOT EXISTS outcomes (key VARCHAR PRIMARY KEY, status VARCHAR NOT NULL, reason VARCHAR,"
                + " detail VARCHAR, final BOOLEAN NOT NULL, attempts INTEGER NOT NULL, cost_usd DOUBLE NOT NULL,"
                + " shard VARCHAR)");
        st.execute("CREATE TABLE IF NOT EXISTS shards (name VARCHAR PRIMARY KEY, samples INTEGER NOT NULL, bytes BIGINT NOT NULL)");
      }
      return new Ledger(file, c);
    } catch (SQLException | java.io.IOException e) {
      throw new LedgerException("cannot open ledger " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Returns the ledger file.
   *
   * @return the path
   */
  public Path file() {
    return file;
  }

  /**
   * Records a rejection or a failure, committed at once.
   *
   * @param outcome a {@link Outcome.Rejected} or {@link Outcome.Failed}
   * @throws IllegalArgumentException for an accepted outcome (those are committed with their shard)
   */
  public void record(Outcome outcome) {
    try (PreparedStatement ps = conn.prepareStatement(UPSERT)) {
      if (outcome instanceof Outcome.Rejected r) {
        bind(ps, r.key(), LedgerEntry.REJECTED, r.reason(), r.detail(), true, r.attempts(), r.costUsd(), null);
      } else if (outcome instanceof Outcome.Failed f) {
        bind(ps, f.key(), LedgerEntry.FAILED, f.error(), f.detail(), !f.retryable(), f.attempts(), f.costUsd(), null);
      } else {
        throw new IllegalArgumentException("accepted samples are committed with their shard: " + outcome.key());
      }
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new LedgerException("cannot record " + outcome.key() + " in " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * A sample committed with its shard.
   *
   * @param key the key
   * @param attempts attempts in this run
   * @param costUsd spend in this run
   */
  public record Written(String key, int attempts, double costUsd) {}

  /**
   * Commits a renamed shard and all its samples in one transaction.
   *
   * @param shard the shard file name
   * @param bytes its size
   * @param samples its samples
   */
  public void commitShard(String shard, long bytes, List<Written> samples) {
    try {
      conn.setAutoCommit(false);
      try (PreparedStatement s = conn.prepareStatement("INSERT INTO shards (name, samples, bytes) VALUES (?, ?, ?)")) {
        s.setString(1, shard);
        s.setInt(2, samples.size());
        s.setLong(3, bytes);
        s.executeUpdate();
        // Multi-row statements: a shard's keys are distinct, so no statement updates a row twice.
        for (int from = 0; from < samples.size(); from += ROWS_PER_STATEMENT) {
          List<Written> chunk = samples.subList(from, Math.min(samples.size(), from + ROWS_PER_STATEMENT));
          try (PreparedStatement ps = conn.prepareStatement(upsert(chunk.size()))) {
            for (int i = 0; i < chunk.size(); i++) {
              Written w = chunk.get(i);
              bind(ps, 8 * i, w.key(), LedgerEntry.WRITTEN, null, null, true, w.attempts(), w.costUsd(), shard);
            }
            ps.executeUpdate();
          }
        }
        conn.commit();
      } catch (SQLException e) {
        conn.rollback();
        throw e;
      } finally {
        conn.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new LedgerException("cannot commit shard " + shard + " to " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Removes a shard and its written samples (used when the shard file is gone), so they are done again.
   *
   * @param shard the shard file name
   * @return how many samples were forgotten
   */
  public int forgetShard(String shard) {
    try {
      conn.setAutoCommit(false);
      try (PreparedStatement a = conn.prepareStatement("DELETE FROM outcomes WHERE shard = ? AND status = 'written'");
          PreparedStatement b = conn.prepareStatement("DELETE FROM shards WHERE name = ?")) {
        a.setString(1, shard);
        int n = a.executeUpdate();
        b.setString(1, shard);
        b.executeUpdate();
        conn.commit();
        return n;
      } catch (SQLException e) {
        conn.rollback();
        throw e;
      } finally {
        conn.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new LedgerException("cannot forget shard " + shard + " in " + file + ": " + e.getMessage(), e);
    }
  }

  private static void bind(PreparedStatement ps, String key, String status, String reason, String detail,
      boolean fin, int attempts, double cost, String shard) throws SQLException {
    bind(ps, 0, key, status, reason, detail, fin, attempts, cost, shard);
  }

  private static void bind(PreparedStatement ps, int at, String key, String status, String reason, String detail,
      boolean fin, int attempts, double cost, String shard) throws SQLException {
    ps.setString(at + 1, key);
    ps.setString(at + 2, status);
    ps.setString(at + 3, reason);
    ps.setString(at + 4, detail);
    ps.setBoolean(at + 5, fin);
    ps.setInt(at + 6, attempts);
    ps.setDouble(at + 7, cost);
    ps.setString(at + 8, shard);
  }

  /**
   * Returns the keys a run skips: written, rejected, and finally failed.
   *
   * @return the keys
   */
  public Set<String> doneKeys() {
    Set<String> out = new HashSet<>();
    query("SELECT key FROM outcomes WHERE final", rs -> out.add(rs.getString(1)));
    return out;
  }

  /**
   * Returns the names of the committed shards.
   *
   * @return the names
   */
  public Set<String> shards() {
    Set<String> out = new HashSet<>();
    query("SELECT name FROM shards", rs -> out.add(rs.getString(1)));
    return out;
  }

  /**
   * Returns the number of rows per status.
   *
   * @return status to count
   */
  public Map<String, Long> countsByStatus() {
    Map<String, Long> out = new LinkedHashMap<>();
    query("SELECT status, count(*) FROM outcomes GROUP BY status ORDER BY status", rs -> out.put(rs.getString(1), rs.getLong(2)));
    return out;
  }

  /**
   * Returns the number of rejections per reason.
   *
   * @return reason to count
   */
  public Map<String, Long> rejectsByReason() {
    Map<String, Long> out = new LinkedHashMap<>();
    query("SELECT reason, count(*) FROM outcomes WHERE status = 'rejected' GROUP BY reason ORDER BY reason",
        rs -> out.put(rs.getString(1), rs.getLong(2)));
    return out;
  }

  /**
   * Returns the total spend recorded.
   *
   * @return USD
   */
  public double totalCostUsd() {
    double[] sum = new double[1];
    query("SELECT coalesce(sum(cost_usd), 0) FROM outcomes", rs -> sum[0] = rs.getDouble(1));
    return sum[0];
  }

  /**
   * Returns every row, ordered by key.
   *
   * @return the rows
   */
  public List<LedgerEntry> entries() {
    List<LedgerEntry> out = new ArrayList<>();
    query("SELECT key, status, reason, detail, final, attempts, cost_usd, shard FROM outcomes ORDER BY key",
        rs -> out.add(row(rs)));
    return out;
  }

  /**
   * Returns one key's row.
   *
   * @param key the key
   * @return the row, if any
   */
  public Optional<LedgerEntry> entry(String key) {
    try (PreparedStatement ps = conn.prepareStatement(
        "SELECT key, status, reason, detail, final, attempts, cost_usd, shard FROM outcomes WHERE key = ?")) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(row(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new LedgerException("cannot query " + file + " for " + key + ": " + e.getMessage(), e);
    }
  }

  private static LedgerEntry row(ResultSet rs) throws SQLException {
    return new LedgerEntry(
        rs.getString(1), rs.getString(2), Optional.ofNullable(rs.getString(3)), Optional.ofNullable(rs.getString(4)),
        rs.getBoolean(5), rs.getInt(6), rs.getDouble(7), Optional.ofNullable(rs.getString(8)));
  }

  private interface RowHandler {
    void accept(ResultSet rs) throws SQLException;
  }

  private void query(String sql, RowHandler h) {
    try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        h.accept(rs);
      }
    } catch (SQLException e) {
      throw new LedgerException("cannot query " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      conn.close();
    } catch (SQLException e) {
      throw new LedgerException("cannot close " + file + ": " + e.getMessage(), e);
    }
  }
}
