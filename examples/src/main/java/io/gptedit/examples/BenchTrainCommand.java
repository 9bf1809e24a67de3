package io.gptedit.examples;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.gptedit.lab.LabConfig;
import io.gptedit.lab.TrainThroughput;
import io.gptedit.models.nn.MatmulPeak;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gptedit bench-train}: training-step throughput of the lab's editor on the library's fine-tuning path
 * ({@link TrainThroughput}), in samples/s and GFLOP/s against the measured fp32 matmul peak. Prints readable lines
 * and one {@code result ...} line per config in the key=value format of {@code tools/bench_train.py}.
 */
@Command(
    name = "bench-train",
    mixinStandardHelpOptions = true,
    description = {
      "Benchmark training steps of the edit lab's editor (lab config and a small one): samples/s and GFLOP/s"
          + " against the measured fp32 matmul peak.",
      "One JVM per thread count: PyTorch's thread pool is sized when the engine starts."
    })
public final class BenchTrainCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--threads", description = "PyTorch intra-op threads (default ${DEFAULT-VALUE})")
  int threads = 1;

  @Option(names = "--warmup", description = "untimed steps first (default ${DEFAULT-VALUE})")
  int warmup = 10;

  @Option(names = "--steps", description = "timed steps (default ${DEFAULT-VALUE})")
  int steps = 40;

  @Option(
      names = "--configs",
      split = ",",
      description = "configs: lab (the `gptedit lab` editor at batch 16), small (1+1 blocks, 8x8) (default ${DEFAULT-VALUE})")
  List<String> configs = List.of("lab", "small");

  @Option(names = "--peak-reps", description = "timed products per matmul shape (default ${DEFAULT-VALUE})")
  int peakReps = 20;

  @Override
  public Integer call() {
    CommandLine cmd = spec.commandLine();
    if (threads < 1 || warmup < 1 || steps < 1 || peakReps < 1) {
      throw new CommandLine.ParameterException(cmd, "--threads, --warmup, --steps and --peak-reps must be >= 1");
    }
    List<LabConfig> runs = new ArrayList<>();
    for (String name : configs) {
      runs.add(config(name, cmd));
    }
    System.setProperty("ai.djl.offline", "true");
    System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    Engine engine = Engine.getEngine("PyTorch");
    System.out.printf(
        Locale.ROOT, "gptedit bench-train: java %s, DJL %s, PyTorch %s, %d cpus, intra-op threads %d%n",
        System.getProperty("java.version"), Engine.getDjlVersion(), engine.getVersion(),
        Runtime.getRuntime().availableProcessors(), threads);
    double peak = 0;
    try (NDManager m = NDManager.newBaseManager()) {
      for (long[] s : TrainThroughput.peakShapes(runs)) {
        double g = MatmulPeak.gflops(m, s[0], s[1], s[2], peakReps);
        System.out.printf(Locale.ROOT, "matmul fp32 %dx%d @ %dx%d: %.1f GFLOP/s%n", s[0], s[1], s[1], s[2], g);
        peak = Math.max(peak, g);
      }
    }
    System.out.printf(Locale.ROOT, "measured peak (best of the shapes above): %.1f GFLOP/s%n", peak);
    for (int i = 0; i < runs.size(); i++) {
      LabConfig c = runs.get(i);
      TrainThroughput.Result r = TrainThroughput.measure(c, warmup, steps);
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
          "result impl=java config=%s threads=%d batch=%d steps=%d samples_per_s=%.2f step_ms=%.3f"
              + " step_ms_median=%.3f gflop_per_step=%.5f gflops=%.3f peak_gflops=%.2f peak_frac=%.4f%n",
          name, threads, r.batch(), steps, r.samplesPerSecond(), r.stepMs(), r.medianStepMs(), r.flopsPerStep() / 1e9,
          r.gflops(), peak, r.gflops() / peak);
    }
    return 0;
  }

  /** The measured configurations of docs/benchmarks.md: the lab's editor and recipe at batch 16, and a small one. */
  static LabConfig config(String name, CommandLine cmd) {
    LabConfig lab =
        LabConfig.builder(Path.of(System.getProperty("java.io.tmpdir"), "gptedit-bench-train")).optBatch(16).build();
    return switch (name) {
      case "lab" -> lab;
      case "small" -> lab.toBuilder().optSize(8).optDoubleBlocks(1).optSingleBlocks(1).build();
      default -> throw new CommandLine.ParameterException(cmd, "unknown config '" + name + "' (lab, small)");
    };
  }
}
