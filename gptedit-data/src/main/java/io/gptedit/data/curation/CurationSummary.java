package io.gptedit.data.curation;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The result of a run (or of a dry run's plan).
 *
 * @param dryRun whether this was a plan only
 * @param inputs source samples read
 * @param units work units planned (one per input, plus one per C3 selection)
 * @param skipped units already done in the ledger
 * @param written units written to shards in this run
 * @param rejected units rejected in this run
 * @param failed units failed in this run
 * @param rejectsByReason this run's rejects by reason
 * @param failuresByError this run's failures by error class
 * @param rewrites units selected for an instruction rewrite
 * @param c3Units C3 units planned
 * @param spendUsd this run's spend
 * @param shards shards committed in this run
 * @param elapsed wall time
 * @param stoppedAtSpendCap whether units were left undone because starting them could have passed the spend cap
 * @since 0.1
 */
public record CurationSummary(
    boolean dryRun,
    long inputs,
    long units,
    long skipped,
    long written,
    long rejected,
    long failed,
    Map<String, Long> rejectsByReason,
    Map<String, Long> failuresByError,
    long rewrites,
    long c3Units,
    double spendUsd,
    List<String> shards,
    Duration elapsed,
    boolean stoppedAtSpendCap) {
  /** Freezes collections. */
  public CurationSummary {
    rejectsByReason = Map.copyOf(rejectsByReason);
    failuresByError = Map.copyOf(failuresByError);
    shards = List.copyOf(shards);
  }

  /**
   * Returns whether the run did no service work (everything was already done).
   *
   * @return whether nothing was processed
   */
  public boolean nothingToDo() {
    return written + rejected + failed == 0;
  }

  /**
   * Formats the summary for a console.
   *
   * @return a few lines
   */
  public String text() {
    return String.format(java.util.Locale.ROOT,
        "%s: %d inputs, %d units (%d C3, %d rewrites), %d skipped as done%n"
            + "written %d, rejected %d %s, failed %d %s%n"
            + "spend $%.4f, %d shards, %.1f s%s",
        dryRun ? "dry run" : "curation", inputs, units, c3Units, rewrites, skipped, written, rejected,
        rejectsByReason, failed, failuresByError, spendUsd, shards.size(), elapsed.toMillis() / 1000.0,
        stoppedAtSpendCap ? String.format("%nstopped at the spend cap: the remaining units are left for a later run")
            : "");
  }
}
