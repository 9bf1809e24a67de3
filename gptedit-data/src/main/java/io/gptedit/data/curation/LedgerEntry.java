package io.gptedit.data.curation;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * One row of the ledger: a work unit's final or latest outcome.
 *
 * @param key the unit key (the curated sample id)
 * @param status {@code written}, {@code rejected} or {@code failed}
 * @param reason the reject code or error class; empty when written
 * @param detail the explanation; empty when written
 * @param finalOutcome whether a re-run leaves the unit alone (false only for transient failures)
 * @param attempts attempts over all runs
 * @param costUsd spend over all runs
 * @param shard the shard holding the sample, when written
 * @since 0.1
 */
public record LedgerEntry(
    String key,
    String status,
    Optional<String> reason,
    Optional<String> detail,
    boolean finalOutcome,
    int attempts,
    double costUsd,
    Optional<String> shard) {
  /** The status of a sample committed in a shard. */
  public static final String WRITTEN = "written";
  /** The status of a sample a quality check rejected. */
  public static final String REJECTED = "rejected";
  /** The status of a sample whose processing failed. */
  public static final String FAILED = "failed";

  /** Validates. */
  public LedgerEntry {
    requireNonNull(key, "key");
    requireNonNull(status, "status");
    requireNonNull(reason, "reason");
    requireNonNull(detail, "detail");
    requireNonNull(shard, "shard");
  }
}
