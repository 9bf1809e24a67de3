package io.gptedit.lab.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.gptedit.lab.LabConfig;
import io.gptedit.lab.TrainThroughput;
import io.gptedit.models.nn.Devices;
import io.gptedit.models.nn.MatmulPeak;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Training-step throughput of the lab's editor on the library's fine-tuning path ({@link TrainThroughput}), in
 * samples/s and GFLOP/s against the fp32 matmul peak measured in the same process. Prints readable lines and one
 * {@code result ...} line per config in the key=value format of {@code tools/bench_train.py}; {@code
 * tools/bench_train.sh} runs it beside the Python peer. One JVM per thread count: PyTorch's thread pool is sized when
 * the engine starts.
 *
 * <p>Flags: {@code --threads N} (1), {@code --warmup N} untimed steps (10), {@code --steps N} timed steps (40),
 * {@code --configs lab,small} (lab: the {@code gptedit lab} editor at batch 16; small: 1+1 blocks, 8x8), {@code
 * --peak-reps N} timed products per matmul shape (20), {@code --device NAME} where the matmuls and steps run ({@code
 * cpu}, {@code gpu:N}, ... as {@link Devices#parse}; default {@code default}, the engine's).
 */
public final class TrainStepBenchmark {
  private TrainStepBenchmark() {}

  public static void main(String[] args) {
    int threads = 1;
    int warmup = 10;
    int steps = 40;
    int peakReps = 20;
    List<String> configs = List.of("lab", "small");
    String deviceName = "default";
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--threads" -> threads = Integer.parseInt(args[i + 1]);
        case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
        case "--steps" -> steps = Integer.parseInt(args[i + 1]);
        case "--peak-reps" -> peakReps = Integer.parseInt(args[i + 1]);
        case "--configs" -> configs = List.of(args[i + 1].split(","));
        case "--device" -> deviceName = args[i + 1];
        default -> throw new IllegalArgumentException("unknown flag " + args[i]);
      }
    }
    if (threads < 1 || warmup < 1 || steps < 1 || peakReps < 1 || args.length % 2 != 0) {
      throw new IllegalArgumentException("flags take one value each; --threads, --warmup, --steps, --peak-reps >= 1");
    }
    List<LabConfig> runs = new ArrayList<>();
    for (String name : configs) {
      runs.add(config(name));
    }
    System.setProperty("ai.djl.offline", "true");
    System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    Engine engine = Engine.getEngine("PyTorch");
    Device device = Devices.require(Devices.parse(deviceName));
    System.out.printf(
        Locale.ROOT, "TrainStepBenchmark: java %s, DJL %s, PyTorch %s, %d cpus, intra-op threads %d, device %s%n",
        System.getProperty("java.version"), Engine.getDjlVersion(), engine.getVersion(),
        Runtime.getRuntime().availableProcessors(), threads, Devices.name(device));
    double peak = 0;
    try (NDManager m = NDManager.newBaseManager(device)) {
      for (long[] s : TrainThroughput.peakShapes(runs)) {
        double g = MatmulPeak.gflops(m, s[0], s[1], s[2], peakReps);
        System.out.printf(Locale.ROOT, "matmul fp32 %dx%d @ %dx%d: %.1f GFLOP/s%n", s[0], s[1], s[1], s[2], g);
        peak = Math.max(peak, g);
      }
    }
    System.out.printf(Locale.ROOT, "measured peak (best of the shapes above): %.1f GFLOP/s%n", peak);
    for (int i = 0; i < runs.size(); i++) {
      LabConfig c = runs.get(i);
      TrainThroughput.Result r = TrainThroughput.measure(c, warmup, steps, device);
      String name = configs.get(i);
      System.out.printf(
          Locale.ROOT,
          "%s: %d+%d blocks, hidden %d, tokens %d+%d, batch %d, %,d parameters, %.3f GFLOP/step (attention %.1f%%);"
              + " %d timed steps after %d: %.1f ms/step (median %.1f), %.1f samples/s, %.1f GFLOP/s, %.1f%% of peak%n",
          name, c.doubleBlocks(), c.singleBlocks(), r.config().hidden(), r.textTokens(), r.imageTokens(), r.batch(),
          r.parameters(), r.flopsPerStep() / 1e9, 100 * r.attentionShare(), steps, warmup, r.stepMs(),
          r.medianStepMs(), r.samplesPerSecond(), r.gflops(), 100 * r.gflops() / peak);
      System.out.printf(
          Locale.ROOT,
          "result impl=java torch=%s config=%s threads=%d batch=%d steps=%d samples_per_s=%.2f step_ms=%.3f"
              + " step_ms_median=%.3f gflop_per_step=%.5f gflops=%.3f peak_gflops=%.2f peak_frac=%.4f%n",
          engine.getVersion(), name, threads, r.batch(), steps, r.samplesPerSecond(), r.stepMs(), r.medianStepMs(),
          r.flopsPerStep() / 1e9, r.gflops(), peak, r.gflops() / peak);
    }
  }

  /** The measured configurations of docs/benchmarks.md: the lab's editor and recipe at batch 16, and a small one. */
  static LabConfig config(String name) {
    LabConfig lab =
        LabConfig.builder(Path.of(System.getProperty("java.io.tmpdir"), "gptedit-bench-train")).optBatch(16).build();
    return switch (name) {
      case "lab" -> lab;
      case "small" -> lab.toBuilder().optSize(8).optDoubleBlocks(1).optSingleBlocks(1).build();
      default -> throw new IllegalArgumentException("unknown config '" + name + "' (lab, small)");
    };
  }
}
