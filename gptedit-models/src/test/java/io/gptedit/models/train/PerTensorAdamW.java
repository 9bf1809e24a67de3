package io.gptedit.models.train;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * The per-tensor AdamW that {@link AdamWOptimizer} used before its flat buckets, op for op: the reference of
 * {@code ParameterBucketsTest} and the peer of {@code OptimizerStepBenchmark}. A parameter without a gradient is
 * skipped.
 */
final class PerTensorAdamW {
  private PerTensorAdamW() {}

  static void step(
      AdamWOptimizer h, Map<String, NDArray> p, Map<String, NDArray> g, Map<String, NDArray> m,
      Map<String, NDArray> v, long t, double lr) {
    double bc1 = 1 - Math.pow(h.beta1(), t);
    double bc2Sqrt = Math.sqrt(1 - Math.pow(h.beta2(), t));
    try (OptimizerState.StepScalars sc = new OptimizerState.StepScalars(p.values().iterator().next())) {
      for (String n : p.keySet()) {
        NDArray pn = p.get(n);
        NDArray gn = g.get(n);
        if (gn == null) {
          continue;
        }
        if (h.weightDecay() != 0) {
          pn.muli(sc.of(1 - lr * h.weightDecay()));
        }
        try (NDArray gScaled = gn.mul(sc.of(1 - h.beta1()));
            NDArray gSq = gn.square()) {
          m.get(n).muli(sc.of(h.beta1())).addi(gScaled);
          v.get(n).muli(sc.of(h.beta2())).addi(gSq.muli(sc.of(1 - h.beta2())));
        }
        OptimizerState.adamUpdate(pn, m.get(n), v.get(n), 1 / bc2Sqrt, h.eps(), lr / bc1, sc);
      }
    }
  }
}
