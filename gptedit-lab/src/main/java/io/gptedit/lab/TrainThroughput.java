package io.gptedit.lab;

import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import io.gptedit.core.geometry.Size;
import io.gptedit.data.synthetic.EditOp;
import io.gptedit.data.synthetic.Scene;
import io.gptedit.data.synthetic.SyntheticSample;
import io.gptedit.data.synthetic.SyntheticWorld;
import io.gptedit.models.editor.Paradigm;
import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.nn.DeviceException;
import io.gptedit.models.nn.Devices;
import io.gptedit.models.train.EditBatchSource;
import io.gptedit.models.train.EditCollator;
import io.gptedit.models.train.EditFineTuning;
import io.gptedit.models.train.EditSample;
import io.gptedit.models.train.EditorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Training-step throughput of a lab config's editor on the library's fine-tuning path ({@link EditFineTuning}:
 * forward, backward, global-norm clip, AdamW, gradient zeroing), in samples/s and in GFLOP/s counted analytically
 * ({@link TrainingFlops}), against this machine's measured fp32 matmul peak on the same engine and threads. The data
 * are single-edit synthetic triplets held in memory (no shard round trip), so the figure is the step's alone.
 *
 * @since 0.1
 */
public final class TrainThroughput {
  private TrainThroughput() {}

  /**
   * What a measurement found.
   *
   * @param config the measured config's flux backbone
   * @param batch samples per step
   * @param textTokens text tokens per sample
   * @param imageTokens noisy plus condition tokens per sample
   * @param parameters trainable values
   * @param flopsPerStep analytic FLOPs of one step
   * @param attentionShare the attention products' share of a forward pass's FLOPs
   * @param stepMs mean milliseconds per timed step
   * @param medianStepMs median milliseconds per timed step
   * @param samplesPerSecond timed samples per second
   * @param gflops achieved GFLOP/s
   */
  public record Result(
      FluxConfig config, int batch, int textTokens, int imageTokens, long parameters, double flopsPerStep,
      double attentionShare, double stepMs, double medianStepMs, double samplesPerSecond, double gflops) {}

  /**
   * Measures a config's training steps on the engine's default device ({@link Devices#defaultDevice()}).
   *
   * @param c the lab config (paradigm, size, blocks, heads, batch, recipe)
   * @param warmup untimed steps first
   * @param steps timed steps
   * @return the figures
   */
  public static Result measure(LabConfig c, int warmup, int steps) {
    return measure(c, warmup, steps, Devices.defaultDevice());
  }

  /**
   * Measures a config's training steps on a device: the editor is built there ({@link
   * EditorSpec#build(EditorSpec.Resolver, Device)}), so its encoders, steps and optimizer run there too.
   *
   * @param c the lab config (paradigm, size, blocks, heads, batch, recipe)
   * @param warmup untimed steps first
   * @param steps timed steps
   * @param device the device ({@link Devices#require checked} before anything is built)
   * @return the figures
   * @throws DeviceException if the engine does not have the device
   */
  public static Result measure(LabConfig c, int warmup, int steps, Device device) {
    Devices.require(device);
    requireNonNull(c, "c");
    List<EditSample> data = samples(c, 256);
    int total = warmup + steps;
    long[] ends = new long[total];
    LabConfig timed = c.toBuilder().optSteps(total).optWarmup(Math.min(c.warmup(), total / 10)).optCheckpointEvery(0).build();
    EditorSpec spec = LabEditors.spec(timed, c.paradigm(), null);
    Path run;
    try {
      run = Files.createTempDirectory("gptedit-bench-train");
    } catch (java.io.IOException e) {
      throw new io.gptedit.core.GpteditException("cannot create a temporary run folder: " + e.getMessage(), e);
    }
    try (EditorSpec.Parts parts = spec.build(EditorSpec.NO_EXTERNALS, device)) {
      EditCollator collator = new EditCollator(parts.codec(), parts.denoiser(), parts.text(), data.size());
      int windows = data.size() - c.batch() + 1;
      Size size = new Size(c.size(), c.size());
      EditBatchSource source = (step, micro) -> {
        int from = (int) (step * c.batch() % windows);
        return new EditBatchSource.MicroBatch(data.subList(from, from + c.batch()), size);
      };
      EditFineTuning.Result r =
          EditFineTuning.run(
              EditLab.recipe(timed), parts.denoiser(), parts.text(), collator, source, null, run, false, Map.of(), "{}",
              m -> ends[(int) m.step() - 1] = System.nanoTime());
      FluxConfig fc = LabEditors.flux(c, c.paradigm());
      int text = LabEditors.TEXT_TOKENS;
      int image = imageTokens(c);
      TrainingFlops.Forward f = TrainingFlops.forward(fc, text, image);
      double flops = TrainingFlops.trainingStep(fc, text, image, c.batch());
      double seconds = (ends[total - 1] - ends[warmup - 1]) / 1e9;
      double[] ms = new double[steps];
      for (int i = 0; i < steps; i++) {
        ms[i] = (ends[warmup + i] - ends[warmup + i - 1]) / 1e6;
      }
      Arrays.sort(ms);
      double median = steps % 2 == 1 ? ms[steps / 2] : (ms[steps / 2 - 1] + ms[steps / 2]) / 2;
      return new Result(
          fc, c.batch(), text, image, r.parameters(), flops, f.attention() / f.total(), 1e3 * seconds / steps, median,
          (double) steps * c.batch() / seconds, flops * steps / seconds / 1e9);
    } finally {
      EditFineTuning.deleteRunFolder(run);
    }
  }

  /** Image tokens per sample through attention: noisy plus condition tokens for Kontext, noisy only otherwise. */
  static int imageTokens(LabConfig c) {
    int grid = (c.size() / 2) * (c.size() / 2);
    return c.paradigm() == Paradigm.KONTEXT ? 2 * grid : grid;
  }

  /**
   * The matmul shapes worth timing for a peak: square products of 256, 512 and 1024, and each config's MLP and
   * projection shapes over batch x tokens.
   *
   * @param configs the configs
   * @return (m, k, n) triples
   */
  public static List<long[]> peakShapes(List<LabConfig> configs) {
    List<long[]> shapes = new ArrayList<>();
    for (long n : new long[] {256, 512, 1024}) {
      shapes.add(new long[] {n, n, n});
    }
    for (LabConfig c : configs) {
      long rows = (long) c.batch() * (LabEditors.TEXT_TOKENS + imageTokens(c));
      long d = 16L * c.heads();
      for (long[] s : new long[][] {{rows, d, 4 * d}, {rows, 4 * d, d}, {rows, d, d}}) {
        if (shapes.stream().noneMatch(x -> Arrays.equals(x, s))) {
          shapes.add(s);
        }
      }
    }
    return shapes;
  }

  /** Single-edit synthetic examples at the config's size, with their exact masks. */
  static List<EditSample> samples(LabConfig c, int count) {
    SyntheticWorld world = SyntheticWorld.builder(c.seed()).optComplexityWeights(1, 0, 0).optPatternShare(0).build();
    List<EditSample> out = new ArrayList<>();
    for (long i = 0; out.size() < count; i++) {
      SplittableRandom r = new SplittableRandom(c.seed() * 1_000_003L + i);
      Scene scene = world.randomScene(r, c.size(), c.size());
      List<EditOp> program = world.randomProgram(scene, 1, r);
      SyntheticSample s = world.build(i, scene, program, r.nextInt(4));
      if (s.mask().count() > 0) {
        out.add(new EditSample(s.id(), s.input(), s.target(), s.instruction(), s.mask()));
      }
    }
    return out;
  }
}
