package io.gptedit.models.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.gptedit.models.flow.SeededNoise;
import io.gptedit.models.nn.CpuAllocator;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Times the per-step bookkeeping of fp16 training ({@link HalfPrecision}) against the forms it replaced, on
 * {@code --tensors N} trainable tensors of {@code --side S x S} values in one flat bucket: refreshing the float16
 * copies from their float32 masters (the library's one converting copy per tensor against a cast into a new array
 * followed by DJL's indexed copy), and accumulating the copies' float16 gradients into the float32 accumulators
 * (the library's one widening in-place addition per tensor against the bucket's gradients concatenated, cast and
 * added in one op), each followed by zeroing every copy's gradient as a step does. Rounds alternate the forms;
 * prints the median milliseconds per call of each and one {@code result ...} line per form.
 *
 * <p>Flags: {@code --tensors N} (600) {@code --side S} (64) {@code --rounds N} (9) {@code --calls N} per round
 * (20) {@code --threads N} (1).
 */
public final class HalfPrecisionBenchmark {
  private HalfPrecisionBenchmark() {}

  public static void main(String[] args) {
    int tensors = 600;
    int side = 64;
    int rounds = 9;
    int calls = 20;
    int threads = 1;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--tensors" -> tensors = Integer.parseInt(args[i + 1]);
        case "--side" -> side = Integer.parseInt(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--calls" -> calls = Integer.parseInt(args[i + 1]);
        case "--threads" -> threads = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown flag " + args[i]);
      }
    }
    System.setProperty("ai.djl.offline", "true");
    System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    CpuAllocator.tune();
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> master = new LinkedHashMap<>();
      for (int i = 0; i < tensors; i++) {
        master.put("p" + i, SeededNoise.gaussian(m, i, new Shape(side, side)));
      }
      ParameterBuckets layout = ParameterBuckets.of(master, ParameterBuckets.DEFAULT_CAPACITY);
      HalfPrecision hp = new HalfPrecision(master, master, new LossScaler(LossScaler.Config.defaults()), m, layout);
      // Every copy gets a gradient once; accumulating zeroes it, so later calls add zeros: the same work.
      try (NDManager step = m.newSubManager();
          GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray loss = step.zeros(new Shape(), DataType.FLOAT16);
        for (NDArray c : hp.views().values()) {
          loss = loss.add(c.sum()); // a gradient of ones for every copy
        }
        gc.backward(loss);
      }
      String[] forms = {"refresh, cast then indexed copy (before)", "refresh, one converting copy (library)",
          "accumulate, bucket concatenated, cast, added (before)", "accumulate, widening addition (library)"};
      double[][] ms = new double[forms.length][rounds];
      for (int r = 0; r < rounds; r++) {
        for (int f = 0; f < forms.length; f++) {
          long t0 = System.nanoTime();
          for (int c = 0; c < calls; c++) {
            switch (f) {
              case 0 -> refreshBefore(master, hp.views());
              case 1 -> hp.refresh(master.keySet());
              case 2 -> accumulateBefore(layout, hp, m);
              default -> hp.accumulateGradients();
            }
          }
          ms[f][r] = (System.nanoTime() - t0) / 1e6 / calls;
        }
      }
      for (int f = 0; f < forms.length; f++) {
        double[] sorted = ms[f].clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "result form=\"%s\" tensors=%d side=%d median_ms=%.3f min_ms=%.3f max_ms=%.3f%n",
            forms[f], tensors, side, sorted[rounds / 2], sorted[0], sorted[rounds - 1]);
      }
    }
  }

  /** The refresh before: a cast into a new array, then DJL's indexed copy of it, per tensor. */
  private static void refreshBefore(Map<String, NDArray> master, Map<String, NDArray> copies) {
    for (Map.Entry<String, NDArray> e : master.entrySet()) {
      try (NDArray h = e.getValue().toType(DataType.FLOAT16, true)) {
        copies.get(e.getKey()).set(new NDIndex(":"), h);
      }
    }
  }

  /** The accumulation before: per bucket, the float16 gradients concatenated, cast once and added. */
  private static void accumulateBefore(ParameterBuckets layout, HalfPrecision hp, NDManager m) {
    List<ParameterBuckets.Bucket> buckets = layout.buckets();
    for (int i = 0; i < buckets.size(); i++) {
      ParameterBuckets.Bucket b = buckets.get(i);
      Map<String, NDArray> g16 = new LinkedHashMap<>();
      try (NDManager scope = m.newSubManager()) {
        for (ParameterBuckets.Slot s : b.slots()) {
          g16.put(s.name(), hp.views().get(s.name()).getGradient());
        }
        hp.flat().get(i).addi(ParameterBuckets.gather(b, g16, scope));
      } finally {
        g16.values().forEach(NDArray::close);
      }
      for (ParameterBuckets.Slot s : b.slots()) {
        HalfPrecision.zeroGradient(hp.views().get(s.name()));
      }
    }
  }
}
