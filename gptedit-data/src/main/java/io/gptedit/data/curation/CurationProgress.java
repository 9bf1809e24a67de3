package io.gptedit.data.curation;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A progress snapshot.
 *
 * @param done units finished in this run (written, rejected or failed)
 * @param total the expected number of units to process in this run (exact once every input was read)
 * @param skipped units skipped because the ledger already had them
 * @param written units accepted (committed when their shard is)
 * @param rejected units rejected by a quality check
 * @param failed units that failed
 * @param ratePerSecond units finished per second in this run
 * @param eta the expected time to finish, when a rate is known
 * @param rejectsByReason reject counts by reason
 * @param spendUsd the spend of this run
 * @since 0.1
 */
public record CurationProgress(
    long done,
    long total,
    long skipped,
    long written,
    long rejected,
    long failed,
    double ratePerSecond,
    Optional<Duration> eta,
    Map<String, Long> rejectsByReason,
    double spendUsd) {
  /** Freezes the map. */
  public CurationProgress {
    rejectsByReason = Map.copyOf(rejectsByReason);
  }

  /**
   * Formats the snapshot as one line, for a console.
   *
   * @return such as {@code 120/2000 (6.0%) 35.2/s ETA 0:53 written 110 rejected 8 failed 2 $0.42}
   */
  public String line() {
    String etaText = eta.map(d -> String.format(java.util.Locale.ROOT, "%d:%02d", d.toMinutes(), d.toSecondsPart())).orElse("?");
    return String.format(java.util.Locale.ROOT,
        "%d/%d (%.1f%%) %.1f/s ETA %s written %d rejected %d %s failed %d skipped %d $%.2f",
        done, total, total == 0 ? 100.0 : 100.0 * done / total, ratePerSecond, etaText, written, rejected,
        rejectsByReason, failed, skipped, spendUsd);
  }
}
