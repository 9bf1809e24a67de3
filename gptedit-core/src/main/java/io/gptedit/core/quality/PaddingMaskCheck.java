package io.gptedit.core.quality;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.gptedit.core.geometry.Box;
import io.gptedit.core.geometry.PadCropPlan;
import io.gptedit.core.geometry.Side;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.RgbImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Rejects samples whose recorded padding disagrees with the generated pixels (the paper's "mismatch between
 * recorded padding masks and actual cropped regions").
 *
 * <p>Three things are compared. (1) The generated canvas must have the recorded generation size.
 * (2) The recorded crop box must be exactly {@link PadCropPlan#cropBoxAt(Size)} at that size. (3) On each padded
 * side the generated canvas must show a padding band of the recorded width: the band is measured like
 * {@link ResidualPaddingCheck} does (consecutive lines whose pixels are, for at least {@link #lineFraction()} of
 * them, within {@link #tolerance()} of the padding colour) and must differ from the expected band (the padding
 * mapped to the generation size) by at most {@code max(minSlack, slackFraction * extent)} lines. A generator that
 * shifted the content, rescaled it or painted over the padding fails (3).
 *
 * @param tolerance the per-channel difference from the padding colour still counted as padding
 * @param lineFraction the share of a line that must match for the line to count as padding
 * @param minSlack the smallest allowed band difference in lines
 * @param slackFraction the allowed band difference as a share of the extent
 * @since 0.1
 */
public record PaddingMaskCheck(int tolerance, double lineFraction, int minSlack, double slackFraction) {

  /**
   * Validates the parameters.
   *
   * @throws IllegalArgumentException if a parameter is out of range
   */
  public PaddingMaskCheck {
    checkArgument(tolerance >= 0 && tolerance <= 255, "tolerance must be 0..255, got %s", tolerance);
    checkArgument(lineFraction > 0 && lineFraction <= 1, "lineFraction must be in (0, 1], got %s", lineFraction);
    checkArgument(minSlack >= 0, "minSlack must be >= 0, got %s", minSlack);
    checkArgument(slackFraction >= 0 && slackFraction < 1, "slackFraction must be in [0, 1), got %s", slackFraction);
  }

  /**
   * Returns the default check: tolerance 12, 98 % of a line, slack of 2 lines or 0.5 % of the extent.
   *
   * @return the default check
   */
  public static PaddingMaskCheck defaults() {
    return new PaddingMaskCheck(
        ResidualPaddingCheck.DEFAULT_TOLERANCE,
        ResidualPaddingCheck.DEFAULT_LINE_FRACTION,
        2,
        ResidualPaddingCheck.PAPER_MAX_RESIDUE_FRACTION);
  }

  /**
   * Checks a generated canvas against its recorded geometry.
   *
   * @param generated the generator's full output, before cropping
   * @param plan the recorded pad/crop plan
   * @param recordedGeneration the recorded generation resolution
   * @param recordedCropBox the recorded crop box
   * @return the verdict
   */
  public QualityVerdict check(
      RgbImage generated, PadCropPlan plan, Size recordedGeneration, Box recordedCropBox) {
    requireNonNull(generated, "generated");
    requireNonNull(plan, "plan");
    requireNonNull(recordedGeneration, "recordedGeneration");
    requireNonNull(recordedCropBox, "recordedCropBox");
    Size actual = new Size(generated.width(), generated.height());
    if (!actual.equals(recordedGeneration)) {
      return new QualityVerdict(
          List.of(
              RejectReason.of(
                  RejectCode.GENERATION_SIZE_MISMATCH,
                  "generated image is " + actual + " but the record says " + recordedGeneration)));
    }
    if (!recordedGeneration.sameRatioAs(plan.canvas())) {
      return new QualityVerdict(
          List.of(
              RejectReason.of(
                  RejectCode.GENERATION_SIZE_MISMATCH,
                  "generation size " + recordedGeneration + " does not have the canvas " + plan.canvas()
                      + " ratio " + plan.preset().ratioLabel())));
    }
    Box expected = plan.cropBoxAt(recordedGeneration);
    List<RejectReason> reasons = new ArrayList<>(0);
    if (!expected.equals(recordedCropBox)) {
      reasons.add(
          RejectReason.of(
              RejectCode.CROP_BOX_MISMATCH,
              "recorded crop box " + recordedCropBox + " but the plan gives " + expected + " at "
                  + recordedGeneration));
    }
    for (Side side : Side.values()) {
      if (plan.padding().get(side) == 0) {
        continue;
      }
      int band =
          switch (side) {
            case LEFT -> expected.x();
            case TOP -> expected.y();
            case RIGHT -> actual.width() - expected.right();
            case BOTTOM -> actual.height() - expected.bottom();
          };
      int extent = side == Side.LEFT || side == Side.RIGHT ? actual.width() : actual.height();
      int slack = Math.max(minSlack, (int) Math.floor(slackFraction * extent));
      int observed =
          PaddingLines.depth(generated, side, plan.padColor(), tolerance, lineFraction, band + slack + 1);
      if (Math.abs(observed - band) > slack) {
        reasons.add(
            RejectReason.onSide(
                RejectCode.PADDING_MASK_MISMATCH,
                side,
                String.format(
                    Locale.ROOT,
                    "%s padding band is %s%d lines, expected %d (+/- %d)",
                    side.name().toLowerCase(Locale.ROOT),
                    observed > band + slack ? "at least " : "",
                    observed,
                    band,
                    slack)));
      }
    }
    return reasons.isEmpty() ? QualityVerdict.ACCEPTED : new QualityVerdict(reasons);
  }
}
