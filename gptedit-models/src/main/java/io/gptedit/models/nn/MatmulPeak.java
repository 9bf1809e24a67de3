package io.gptedit.models.nn;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Measures the engine's fp32 matrix-product throughput on this machine and its current threads: the peak that
 * throughput benchmarks report their achieved GFLOP/s against.
 *
 * @since 0.1
 */
public final class MatmulPeak {
  private MatmulPeak() {}

  /**
   * Returns the best-of-{@code reps} GFLOP/s of an (m x k) @ (k x n) fp32 product, after three untimed ones, on the
   * manager's device (on a GPU each timed product ends with reading one of its values, which waits for it).
   *
   * @param manager the manager of the operands
   * @param m rows
   * @param k inner size
   * @param n columns
   * @param reps timed products, at least 1
   * @return the GFLOP/s
   */
  public static double gflops(NDManager manager, long m, long k, long n, int reps) {
    checkArgument(m > 0 && k > 0 && n > 0 && reps >= 1, "sizes and reps must be positive");
    NDArray a = manager.randomNormal(new Shape(m, k));
    NDArray b = manager.randomNormal(new Shape(k, n));
    long best = Long.MAX_VALUE;
    boolean gpu = manager.getDevice().isGpu();
    try {
      for (int i = 0; i < reps + 3; i++) {
        try (NDManager s = manager.newSubManager()) {
          a.tempAttach(s);
          long t0 = System.nanoTime();
          NDArray c = a.matMul(b);
          if (gpu) {
            c.get(0, 0).getFloat(); // a GPU computes asynchronously: reading a value waits
          }
          c.close(); // the PyTorch CPU engine computes synchronously
          long t = System.nanoTime() - t0;
          if (i >= 3) {
            best = Math.min(best, t);
          }
        }
      }
    } finally {
      a.close();
      b.close();
    }
    return 2.0 * m * k * n / best;
  }
}
