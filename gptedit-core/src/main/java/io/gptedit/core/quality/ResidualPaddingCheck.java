package io.gptedit.core.quality;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.gptedit.core.geometry.PadCropPlan;
import io.gptedit.core.geometry.Side;
import io.gptedit.core.image.RgbImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Rejects a cropped output that still shows padding along its edges.
 *
 * <p>The paper rejects samples "whose residual padding exceeds 0.5 % of the image boundary". We make that
 * precise as follows. Only sides the plan actually padded are examined (residue can only come from there, and an
 * unpadded side with a white background is legitimate content). For each such side we count the <em>residue
 * depth</em>: the number of consecutive outermost lines (columns for left/right, rows for top/bottom) in which at
 * least {@link #lineFraction()} of the pixels are within {@link #tolerance()} of the padding colour on every
 * channel. The side is rejected when {@code depth / extent > maxResidueFraction}, where the extent is the
 * image's width for left/right and its height for top/bottom. With the default 0.5 % a 1024-pixel-wide crop
 * may keep up to 5 residual columns on a side; 6 are rejected. Known limitation, shared with the paper's filter:
 * content that is itself padding-coloured right at a padded edge (a white product shot) is rejected too.
 *
 * @param tolerance the per-channel difference from the padding colour still counted as padding (0 to 255)
 * @param lineFraction the share of a line's pixels that must be padding for the line to count (0 to 1]
 * @param maxResidueFraction the largest accepted residue depth as a share of the extent
 * @since 0.1
 */
public record ResidualPaddingCheck(int tolerance, double lineFraction, double maxResidueFraction) {

  /** The paper's threshold: residual padding may not exceed 0.5 % (appendix B.5). */
  public static final double PAPER_MAX_RESIDUE_FRACTION = 0.005;

  /** Default colour tolerance: absorbs JPEG and generator noise around a flat padding colour. */
  public static final int DEFAULT_TOLERANCE = 12;

  /** Default share of a line that must match for the line to count as padding. */
  public static final double DEFAULT_LINE_FRACTION = 0.98;

  /**
   * Validates the parameters.
   *
   * @throws IllegalArgumentException if a parameter is out of range
   */
  public ResidualPaddingCheck {
    checkArgument(tolerance >= 0 && tolerance <= 255, "tolerance must be 0..255, got %s", tolerance);
    checkArgument(
        lineFraction > 0 && lineFraction <= 1, "lineFraction must be in (0, 1], got %s", lineFraction);
    checkArgument(
        maxResidueFraction >= 0 && maxResidueFraction < 1,
        "maxResidueFraction must be in [0, 1), got %s",
        maxResidueFraction);
  }

  /**
   * Returns the check with the paper's threshold and the default tolerances.
   *
   * @return the default check
   */
  public static ResidualPaddingCheck paperDefault() {
    return new ResidualPaddingCheck(
        DEFAULT_TOLERANCE, DEFAULT_LINE_FRACTION, PAPER_MAX_RESIDUE_FRACTION);
  }

  /**
   * Checks a cropped output.
   *
   * @param cropped the output after cropping (at any resolution)
   * @param plan the plan the input was padded with; gives the padded sides and the padding colour
   * @return the verdict, with one {@link RejectCode#RESIDUAL_PADDING} reason per offending side
   */
  public QualityVerdict check(RgbImage cropped, PadCropPlan plan) {
    requireNonNull(cropped, "cropped");
    requireNonNull(plan, "plan");
    List<RejectReason> reasons = new ArrayList<>(0);
    for (Side side : Side.values()) {
      if (plan.padding().get(side) == 0) {
        continue;
      }
      int extent = side == Side.LEFT || side == Side.RIGHT ? cropped.width() : cropped.height();
      int allowed = (int) Math.floor(maxResidueFraction * extent);
      int depth =
          PaddingLines.depth(cropped, side, plan.padColor(), tolerance, lineFraction, allowed + 1);
      if (depth > allowed) {
        reasons.add(
            RejectReason.onSide(
                RejectCode.RESIDUAL_PADDING,
                side,
                String.format(
                    Locale.ROOT,
                    "at least %d residual padding lines on the %s side of a %dx%d crop (%.2f%% > %.2f%%)",
                    depth,
                    side.name().toLowerCase(Locale.ROOT),
                    cropped.width(),
                    cropped.height(),
                    100.0 * depth / extent,
                    100.0 * maxResidueFraction)));
      }
    }
    return reasons.isEmpty() ? QualityVerdict.ACCEPTED : new QualityVerdict(reasons);
  }
}
