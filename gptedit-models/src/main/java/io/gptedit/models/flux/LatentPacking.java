package io.gptedit.models.flux;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Flux's 2x2 latent packing: (B, C, H, W) latents become (B, H/2 * W/2, 4C) tokens in row-major grid order;
 * inside a token the feature index is {@code c*4 + ph*2 + pw} (channel major, then patch row, then patch column).
 * SD3's patchify orders features (p, q, c) instead and does not use this class.
 *
 * @since 0.1
 */
public final class LatentPacking {
  private LatentPacking() {}

  /**
   * Packs latents into tokens.
   *
   * @param latents (B, C, H, W) with even H and W
   * @return (B, H/2 * W/2, 4C)
   * @throws IllegalArgumentException if H or W is odd
   */
  public static NDArray pack(NDArray latents) {
    Shape s = latents.getShape();
    long b = s.get(0);
    long c = s.get(1);
    long h = s.get(2);
    long w = s.get(3);
    if (h % 2 != 0 || w % 2 != 0) {
      throw new IllegalArgumentException("latent height and width must be even to pack 2x2, got " + h + "x" + w);
    }
    return latents
        .reshape(b, c, h / 2, 2, w / 2, 2)
        .transpose(0, 2, 4, 1, 3, 5)
        .reshape(b, (h / 2) * (w / 2), c * 4);
  }

  /**
   * Unpacks tokens into latents (the inverse of {@link #pack}).
   *
   * @param tokens (B, H/2 * W/2, 4C)
   * @param height the latent height H
   * @param width the latent width W
   * @return (B, C, H, W)
   */
  public static NDArray unpack(NDArray tokens, long height, long width) {
    Shape s = tokens.getShape();
    long b = s.get(0);
    long c = s.get(2) / 4;
    if (s.get(1) != (height / 2) * (width / 2)) {
      throw new IllegalArgumentException(
          s.get(1) + " tokens do not make a " + height + "x" + width + " latent grid");
    }
    return tokens
        .reshape(b, height / 2, width / 2, c, 2, 2)
        .transpose(0, 3, 1, 4, 2, 5)
        .reshape(b, c, height, width);
  }

  /**
   * Returns position ids for a packed grid: token {@code r * cols + c} gets {@code (axis0, r, c)}.
   *
   * @param axis0 the first id (0 for noisy latents, 1 for Kontext condition latents)
   * @param rows packed grid rows (H/2)
   * @param cols packed grid columns (W/2)
   * @return {@code rows * cols} id triples
   */
  public static int[][] imageIds(int axis0, int rows, int cols) {
    int[][] ids = new int[rows * cols][];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        ids[r * cols + c] = new int[] {axis0, r, c};
      }
    }
    return ids;
  }
}
