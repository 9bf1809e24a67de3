package io.gptedit.models.editor;

import io.gptedit.core.geometry.Size;
import java.util.List;

/**
 * How an editor chooses its working resolution from the input's size.
 *
 * @since 0.1
 */
public enum Resolution {
  /**
   * The nearest (by aspect ratio) of the 17 resolutions around one megapixel that FLUX.1 Kontext was trained on.
   */
  KONTEXT_PREFERRED,
  /** The input size floored to a multiple of the model's pixel granularity (at least one granule). */
  FLOOR_TO_MULTIPLE;

  /** FLUX.1 Kontext's preferred resolutions (width, height), from BFL's reference code. */
  public static final List<Size> KONTEXT_RESOLUTIONS =
      List.of(
          new Size(672, 1568), new Size(688, 1504), new Size(720, 1456), new Size(752, 1392),
          new Size(800, 1328), new Size(832, 1248), new Size(880, 1184), new Size(944, 1104),
          new Size(1024, 1024), new Size(1104, 944), new Size(1184, 880), new Size(1248, 832),
          new Size(1328, 800), new Size(1392, 752), new Size(1456, 720), new Size(1504, 688),
          new Size(1568, 672));

  /**
   * Chooses the working size.
   *
   * @param width the input width
   * @param height the input height
   * @param granule the pixel granularity (VAE factor x 2 for 2x2 packing)
   * @return the working size
   */
  public Size choose(int width, int height, int granule) {
    if (this == KONTEXT_PREFERRED) {
      double aspect = (double) width / height;
      Size best = KONTEXT_RESOLUTIONS.get(0);
      for (Size s : KONTEXT_RESOLUTIONS) {
        if (Math.abs((double) s.width() / s.height() - aspect) < Math.abs((double) best.width() / best.height() - aspect)) {
          best = s;
        }
      }
      return best;
    }
    return new Size(Math.max(granule, width / granule * granule), Math.max(granule, height / granule * granule));
  }
}
