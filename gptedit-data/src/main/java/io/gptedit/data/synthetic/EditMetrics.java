package io.gptedit.data.synthetic;

import io.gptedit.core.image.EditMask;
import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.gptedit.core.image.RgbImage;
import java.nio.ByteBuffer;

/**
 * Exact edit metrics against the synthetic world's ground truth.
 *
 * <p>A pixel <em>matches</em> a reference pixel when every channel differs by at most {@code tolerance}.
 * <b>Instruction following</b> is the share of mask pixels (those the edit should change) where the output
 * matches the exact target; <b>identity preservation</b> is the share of the other pixels where the output
 * matches the input. An empty mask gives instruction following 1; a full mask gives identity preservation 1.
 *
 * @since 0.1
 */
public final class EditMetrics {
  private EditMetrics() {}

  /**
   * Returns the share of mask pixels where the output matches the target.
   *
   * @param output the editor's output
   * @param target the exact target
   * @param mask the pixels the edit should change
   * @param tolerance the largest per-channel difference that still matches, 0 to 255
   * @return a share in [0, 1]
   * @throws IllegalArgumentException if sizes differ or the tolerance is out of range
   */
  public static double instructionFollowing(RgbImage output, RgbImage target, EditMask mask, int tolerance) {
    return share(output, target, mask, tolerance, true);
  }

  /**
   * Returns the share of pixels outside the mask where the output matches the input.
   *
   * @param output the editor's output
   * @param input the input image
   * @param mask the pixels the edit should change
   * @param tolerance the largest per-channel difference that still matches, 0 to 255
   * @return a share in [0, 1]
   * @throws IllegalArgumentException if sizes differ or the tolerance is out of range
   */
  public static double identityPreservation(RgbImage output, RgbImage input, EditMask mask, int tolerance) {
    return share(output, input, mask, tolerance, false);
  }

  private static double share(RgbImage out, RgbImage ref, EditMask mask, int tolerance, boolean inside) {
    requireNonNull(out, "output");
    requireNonNull(ref, "reference");
    requireNonNull(mask, "mask");
    checkArgument(tolerance >= 0 && tolerance <= 255, "tolerance must be 0..255, got %s", tolerance);
    checkArgument(
        out.width() == ref.width() && out.height() == ref.height(),
        "images differ in size: %sx%s vs %sx%s",
        out.width(),
        out.height(),
        ref.width(),
        ref.height());
    checkArgument(
        mask.width() == out.width() && mask.height() == out.height(),
        "mask is %sx%s but the images are %sx%s",
        mask.width(),
        mask.height(),
        out.width(),
        out.height());
    ByteBuffer a = out.buffer();
    ByteBuffer b = ref.buffer();
    int n = out.width() * out.height();
    long considered = 0;
    long matched = 0;
    for (int p = 0, i = 0; p < n; p++, i += 3) {
      if (mask.get(p) != inside) {
        continue;
      }
      considered++;
      if (Math.abs((a.get(i) & 0xFF) - (b.get(i) & 0xFF)) <= tolerance
          && Math.abs((a.get(i + 1) & 0xFF) - (b.get(i + 1) & 0xFF)) <= tolerance
          && Math.abs((a.get(i + 2) & 0xFF) - (b.get(i + 2) & 0xFF)) <= tolerance) {
        matched++;
      }
    }
    return considered == 0 ? 1.0 : (double) matched / considered;
  }
}
