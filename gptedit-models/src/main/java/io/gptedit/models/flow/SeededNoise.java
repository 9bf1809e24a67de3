package io.gptedit.models.flow;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * Standard Gaussian noise generated in Java from a seed, so a seed gives bit-identical noise on every engine,
 * device and thread count (engine RNGs differ between CPU and GPU).
 *
 * @since 0.1
 */
public final class SeededNoise {
  private SeededNoise() {}

  /**
   * Draws standard Gaussian values.
   *
   * @param seed the seed
   * @param count how many values
   * @return the values
   */
  public static float[] gaussian(long seed, int count) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[count];
    for (int i = 0; i < count; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  /**
   * Draws a standard Gaussian array.
   *
   * @param manager the manager of the result
   * @param seed the seed
   * @param shape the shape
   * @return a FLOAT32 array
   */
  public static NDArray gaussian(NDManager manager, long seed, Shape shape) {
    return manager.create(gaussian(seed, Math.toIntExact(shape.size())), shape);
  }
}
