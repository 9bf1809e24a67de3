package io.gptedit.models.flux;

import ai.djl.ndarray.NDArray;

/**
 * The token layout of FLUX.1 Kontext: the noisy latents' tokens (position ids {@code (0, r, c)}) followed by the
 * condition image's tokens (ids {@code (1, r, c)}, rows and columns from 0), both packed 2x2. Text tokens go in
 * front inside the transformer. Only the first (noisy) part of the output is the velocity.
 *
 * @since 0.1
 */
public final class KontextSequence {
  private final int noisyTokens;
  private final int[][] imageIds;

  private KontextSequence(int noisyTokens, int[][] imageIds) {
    this.noisyTokens = noisyTokens;
    this.imageIds = imageIds;
  }

  /**
   * Lays out a noisy latent grid and a condition latent grid (in latent pixels, before packing).
   *
   * @param noisyHeight noisy latent height (even)
   * @param noisyWidth noisy latent width (even)
   * @param conditionHeight condition latent height (even)
   * @param conditionWidth condition latent width (even)
   * @return the layout
   */
  public static KontextSequence of(int noisyHeight, int noisyWidth, int conditionHeight, int conditionWidth) {
    for (int d : new int[] {noisyHeight, noisyWidth, conditionHeight, conditionWidth}) {
      if (d <= 0 || d % 2 != 0) {
        throw new IllegalArgumentException("latent sides must be positive and even, got " + d);
      }
    }
    int[][] noisy = LatentPacking.imageIds(0, noisyHeight / 2, noisyWidth / 2);
    int[][] cond = LatentPacking.imageIds(1, conditionHeight / 2, conditionWidth / 2);
    int[][] ids = new int[noisy.length + cond.length][];
    System.arraycopy(noisy, 0, ids, 0, noisy.length);
    System.arraycopy(cond, 0, ids, noisy.length, cond.length);
    return new KontextSequence(noisy.length, ids);
  }

  /**
   * Returns the number of noisy tokens (the count the schedule's mu uses).
   *
   * @return noisy tokens
   */
  public int noisyTokens() {
    return noisyTokens;
  }

  /**
   * Returns the position ids of every image token, noisy first.
   *
   * @return a copy of the ids
   */
  public int[][] imageIds() {
    int[][] copy = new int[imageIds.length][];
    for (int i = 0; i < imageIds.length; i++) {
      copy[i] = imageIds[i].clone();
    }
    return copy;
  }

  /**
   * Concatenates packed noisy and condition tokens along the sequence.
   *
   * @param noisyPacked (B, noisy tokens, C)
   * @param conditionPacked (B, condition tokens, C)
   * @return (B, all tokens, C)
   */
  public NDArray join(NDArray noisyPacked, NDArray conditionPacked) {
    if (noisyPacked.getShape().get(1) != noisyTokens
        || noisyPacked.getShape().get(1) + conditionPacked.getShape().get(1) != imageIds.length) {
      throw new IllegalArgumentException("packed token counts do not match the Kontext layout");
    }
    return noisyPacked.concat(conditionPacked, 1);
  }

  /**
   * Keeps the noisy tokens' part of a transformer output.
   *
   * @param output (B, all tokens, C)
   * @return (B, noisy tokens, C)
   */
  public NDArray noisyPart(NDArray output) {
    return output.get(":, :" + noisyTokens + ", :");
  }
}
