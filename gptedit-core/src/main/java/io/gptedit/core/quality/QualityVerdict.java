package io.gptedit.core.quality;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import java.util.ArrayList;
import java.util.List;

/**
 * The outcome of one or more quality checks: accepted when there are no reasons to reject.
 *
 * @param reasons why the sample was rejected; empty when accepted
 * @since 0.1
 */
public record QualityVerdict(List<RejectReason> reasons) {
  /** The verdict with no reasons. */
  public static final QualityVerdict ACCEPTED = new QualityVerdict(List.of());

  /** Freezes the reasons. */
  public QualityVerdict {
    reasons = ImmutableList.copyOf(requireNonNull(reasons, "reasons"));
  }

  /**
   * Returns whether the sample passed.
   *
   * @return {@code true} when there is no reason to reject
   */
  public boolean accepted() {
    return reasons.isEmpty();
  }

  /**
   * Returns a verdict holding the reasons of both.
   *
   * @param other another verdict
   * @return the combined verdict
   */
  public QualityVerdict and(QualityVerdict other) {
    if (other.accepted()) {
      return this;
    }
    if (accepted()) {
      return other;
    }
    List<RejectReason> all = new ArrayList<>(reasons);
    all.addAll(other.reasons);
    return new QualityVerdict(all);
  }

  /**
   * Returns whether any reason has the given code.
   *
   * @param code the code
   * @return {@code true} if rejected for that reason
   */
  public boolean hasReason(RejectCode code) {
    return reasons.stream().anyMatch(r -> r.code() == code);
  }
}
