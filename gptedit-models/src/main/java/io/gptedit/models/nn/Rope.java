package io.gptedit.models.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Multi-axis rotary position embedding (Flux): each token has one position id per axis; axis {@code i} owns
 * {@code d_i} channels of every head, frequencies {@code theta^(-2j/d_i)} for {@code j < d_i/2}, angle
 * {@code id * freq}, and the rotation acts on adjacent channel pairs:
 * {@code (x0, x1) -> (x0 cos - x1 sin, x1 cos + x0 sin)}.
 *
 * <p>Angles are computed in double precision in Java (as the reference does in float64) and then rounded to
 * float.
 *
 * @since 0.1
 */
public final class Rope {
  private Rope() {}

  /**
   * Computes the rotation angles for a sequence of position ids.
   *
   * @param ids one row of {@code axesDims.length} position ids per token
   * @param axesDims the channels per axis (even; their sum is the head dimension)
   * @param theta the base, 10000 for Flux
   * @return angles, {@code [token][pair]} with {@code sum(axesDims)/2} pairs per token
   */
  public static double[][] angles(int[][] ids, int[] axesDims, double theta) {
    int pairs = 0;
    for (int d : axesDims) {
      if (d % 2 != 0) {
        throw new IllegalArgumentException("RoPE axis dims must be even, got " + d);
      }
      pairs += d / 2;
    }
    double[][] out = new double[ids.length][pairs];
    for (int t = 0; t < ids.length; t++) {
      if (ids[t].length != axesDims.length) {
        throw new IllegalArgumentException(
            "token " + t + " has " + ids[t].length + " position ids, expected " + axesDims.length);
      }
      int p = 0;
      for (int axis = 0; axis < axesDims.length; axis++) {
        int d = axesDims[axis];
        for (int j = 0; j < d / 2; j++) {
          double freq = 1.0 / Math.pow(theta, (2.0 * j) / d);
          out[t][p++] = ids[t][axis] * freq;
        }
      }
    }
    return out;
  }

  /**
   * Returns the cosines and sines of the angles as two (S, D/2) arrays.
   *
   * @param manager the manager of the result
   * @param ids one row of position ids per token
   * @param axesDims the channels per axis
   * @param theta the base
   * @return {@code [cos, sin]}
   */
  public static NDArray[] cosSin(NDManager manager, int[][] ids, int[] axesDims, double theta) {
    double[][] a = angles(ids, axesDims, theta);
    int pairs = a.length == 0 ? 0 : a[0].length;
    float[] cos = new float[a.length * pairs];
    float[] sin = new float[a.length * pairs];
    for (int t = 0; t < a.length; t++) {
      for (int j = 0; j < pairs; j++) {
        cos[t * pairs + j] = (float) Math.cos(a[t][j]);
        sin[t * pairs + j] = (float) Math.sin(a[t][j]);
      }
    }
    Shape s = new Shape(a.length, pairs);
    return new NDArray[] {manager.create(cos, s), manager.create(sin, s)};
  }

  /**
   * Rotates adjacent channel pairs of (B, H, S, D) queries or keys.
   *
   * @param x the queries or keys
   * @param cos the (S, D/2) cosines
   * @param sin the (S, D/2) sines
   * @return the rotated array, same shape
   */
  public static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
    Shape s = x.getShape();
    NDArray pairs = x.reshape(s.get(0), s.get(1), s.get(2), s.get(3) / 2, 2);
    NDArray x0 = pairs.get("..., 0");
    NDArray x1 = pairs.get("..., 1");
    NDArray r0 = x0.mul(cos).sub(x1.mul(sin));
    NDArray r1 = x1.mul(cos).add(x0.mul(sin));
    return r0.stack(r1, -1).reshape(s);
  }
}
