package io.gptedit.models.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.nn.CpuAllocator;
import io.gptedit.models.nn.ParameterSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Times one AdamW step over every parameter of a lab-shaped Flux transformer (the {@code gptedit lab} editor's
 * backbone: 12 packed channels in and out, 4 heads x 16, text width 32), in the two forms: {@link
 * AdamWOptimizer}'s flat buckets (the map form, its gathering included) and the per-tensor form it replaced ({@link
 * PerTensorAdamW}). Rounds alternate the forms; prints the median milliseconds per step of each and one {@code
 * result ...} line per form. {@code tools/bench_optimizer.py} times PyTorch's {@code torch.optim.AdamW} on the same
 * shapes (written with {@code --shapes-out}).
 *
 * <p>Flags: {@code --double N} (1) {@code --single N} (1) double and single blocks, {@code --rounds N} (7), {@code
 * --steps N} steps per round (50), {@code --threads N} (1), {@code --shapes-out FILE}.
 */
public final class OptimizerStepBenchmark {
  private OptimizerStepBenchmark() {}

  public static void main(String[] args) throws IOException {
    int dbl = 1;
    int sgl = 1;
    int rounds = 7;
    int steps = 50;
    int threads = 1;
    Path shapesOut = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--double" -> dbl = Integer.parseInt(args[i + 1]);
        case "--single" -> sgl = Integer.parseInt(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--steps" -> steps = Integer.parseInt(args[i + 1]);
        case "--threads" -> threads = Integer.parseInt(args[i + 1]);
        case "--shapes-out" -> shapesOut = Path.of(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown flag " + args[i]);
      }
    }
    System.setProperty("ai.djl.offline", "true");
    System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    CpuAllocator.tune();
    FluxConfig c = new FluxConfig(12, 12, dbl, sgl, 4, 16, 32, 32, false, new int[] {4, 6, 6}, 10, 4);
    List<Shape> shapes = new ArrayList<>();
    for (ParameterSpec.Entry e : FluxTransformer.spec(c).entries().values()) {
      shapes.add(e.shape());
    }
    long values = shapes.stream().mapToLong(Shape::size).sum();
    if (shapesOut != null) {
      StringBuilder sb = new StringBuilder();
      for (Shape s : shapes) {
        sb.append(Arrays.toString(s.getShape()).replaceAll("[\\[\\] ]", "")).append('\n');
      }
      Files.writeString(shapesOut, sb.toString());
    }
    System.out.printf(Locale.ROOT, "OptimizerStepBenchmark: PyTorch %s, %d + %d blocks, %d tensors, %d values%n",
        Engine.getEngine("PyTorch").getVersion(), dbl, sgl, shapes.size(), values);
    AdamWOptimizer h = new AdamWOptimizer(0.9, 0.99, 1e-8, 0.0);
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> p1 = random(m, shapes, 1, 1f);
      Map<String, NDArray> p2 = random(m, shapes, 1, 1f);
      Map<String, NDArray> g = random(m, shapes, 2, 0.01f);
      Map<String, NDArray> m2 = zeros(m, shapes);
      Map<String, NDArray> v2 = zeros(m, shapes);
      double[] bucketed = new double[rounds];
      double[] perTensor = new double[rounds];

      try (ParameterOptimizer opt = h.create()) {
        long t = 0;
        for (int r = -1; r < rounds; r++) { // round -1 warms both up
          long a = System.nanoTime();
          for (int s = 0; s < steps; s++) {
            opt.step(p1, g, 1e-4);
          }
          long b = System.nanoTime();
          for (int s = 0; s < steps; s++) {
            PerTensorAdamW.step(h, p2, g, m2, v2, ++t, 1e-4);
          }
          long e = System.nanoTime();
          if (r >= 0) {
            bucketed[r] = (b - a) / 1e6 / steps;
            perTensor[r] = (e - b) / 1e6 / steps;
          }
        }
      }
      for (int i = 0; i < p1.size(); i++) {
        // the two forms computed the same steps: the same weights (a check that the timed work is the same work)
        String n = "p" + i;
        if (!Arrays.equals(p1.get(n).toFloatArray(), p2.get(n).toFloatArray())) {
          throw new IllegalStateException("the two forms disagree on " + n);
        }
      }
      report("bucketed", bucketed, shapes.size(), values);
      report("per-tensor", perTensor, shapes.size(), values);
    }
  }

  private static void report(String form, double[] ms, int tensors, long values) {
    double[] sorted = ms.clone();
    Arrays.sort(sorted);
    double median = sorted[sorted.length / 2];
    System.out.printf(Locale.ROOT, "%-10s median %.3f ms/step (rounds %s)%n", form, median, Arrays.toString(ms));
    System.out.printf(Locale.ROOT, "result impl=java form=%s tensors=%d values=%d step_ms=%.4f%n", form, tensors,
        values, median);
  }

  private static Map<String, NDArray> random(NDManager m, List<Shape> shapes, long seed, float scale) {
    SplittableRandom r = new SplittableRandom(seed);
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (int i = 0; i < shapes.size(); i++) {
      float[] v = new float[(int) shapes.get(i).size()];
      for (int j = 0; j < v.length; j++) {
        v[j] = (float) (r.nextGaussian() * scale);
      }
      out.put("p" + i, m.create(v, shapes.get(i)));
    }
    return out;
  }

  private static Map<String, NDArray> zeros(NDManager m, List<Shape> shapes) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (int i = 0; i < shapes.size(); i++) {
      out.put("p" + i, m.zeros(shapes.get(i)));
    }
    return out;
  }
}
