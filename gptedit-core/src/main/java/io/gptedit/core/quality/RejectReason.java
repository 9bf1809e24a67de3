package io.gptedit.core.quality;

import static java.util.Objects.requireNonNull;

import io.gptedit.core.geometry.Side;
import java.util.Optional;

/**
 * One reason a sample was rejected.
 *
 * @param code the kind of failure
 * @param side the image side concerned, when the failure is about one side
 * @param detail a human-readable explanation with the measured numbers
 * @since 0.1
 */
public record RejectReason(RejectCode code, Optional<Side> side, String detail) {
  /** Validates the reason. */
  public RejectReason {
    requireNonNull(code, "code");
    requireNonNull(side, "side");
    requireNonNull(detail, "detail");
  }

  /**
   * Returns a reason about one side.
   *
   * @param code the kind of failure
   * @param side the side
   * @param detail the explanation
   * @return the reason
   */
  public static RejectReason onSide(RejectCode code, Side side, String detail) {
    return new RejectReason(code, Optional.of(side), detail);
  }

  /**
   * Returns a reason about the whole sample.
   *
   * @param code the kind of failure
   * @param detail the explanation
   * @return the reason
   */
  public static RejectReason of(RejectCode code, String detail) {
    return new RejectReason(code, Optional.empty(), detail);
  }
}
