package io.gptedit.core.bench;

import io.gptedit.core.geometry.AspectPreset;
import io.gptedit.core.geometry.Box;
import io.gptedit.core.geometry.PadCropPlan;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.Resampler;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.quality.PaddingMaskCheck;
import io.gptedit.core.quality.ResidualPaddingCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;

/**
 * Measures the per-sample geometry and quality-control work of the curation pipeline at GPT-Image-1's
 * 1024x1536 portrait resolution: plan + pad the input, crop the generated canvas, residual-padding check on the
 * crop, padding-mask check on the canvas; the second configuration adds the bicubic resize back to the original
 * size. Prints images/s per thread count.
 *
 * <p>Arguments (all optional, in order): measured seconds per configuration (5), warm-up seconds (3), thread counts
 * separated by commas (1,2). Run from the repository root as docs/benchmarks.md shows.
 */
public final class PadCropBenchmark {
  private PadCropBenchmark() {}

  /** One prepared sample: an input that needs padding, and the generated canvas at 1024x1536. */
  private record Sample(RgbImage input, PadCropPlan plan, RgbImage generated) {}

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
    double warmup = args.length > 1 ? Double.parseDouble(args[1]) : 3;
    List<Integer> threads = new ArrayList<>();
    for (String t : (args.length > 2 ? args[2] : "1,2").split(",")) {
      threads.add(Integer.parseInt(t.trim()));
    }
    List<Sample> samples = new ArrayList<>();
    // Portrait inputs of odd sizes near 2:3 so that every sample is padded on some side.
    int[][] sizes = {{1000, 1536}, {1024, 1500}, {990, 1480}, {1017, 1531}};
    Size gen = AspectPreset.PORTRAIT.generationSize();
    for (int[] s : sizes) {
      RgbImage input = gradient(s[0], s[1]);
      PadCropPlan plan = PadCropPlan.forImage(input);
      RgbImage generated = Resampler.bicubic(plan.pad(input), gen.width(), gen.height());
      samples.add(new Sample(input, plan, generated));
    }
    System.out.printf(
        Locale.ROOT, "PadCropBenchmark: %d cores, Java %s, generated size %s%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), gen);
    for (boolean resize : new boolean[] {false, true}) {
      for (int t : threads) {
        run(samples, t, resize, warmup);
        double rate = run(samples, t, resize, seconds);
        System.out.printf(
            Locale.ROOT,
            "%-46s threads=%d  %8.1f images/s%n",
            resize ? "pad+crop+checks+bicubic back to original" : "pad+crop+residual check+mask check",
            t,
            rate);
      }
    }
  }

  /** Colour gradients: busy enough that no edge line looks like white padding. */
  private static RgbImage gradient(int w, int h) {
    byte[] px = new byte[w * h * 3];
    for (int i = 0, y = 0; y < h; y++) {
      for (int x = 0; x < w; x++, i += 3) {
        px[i] = (byte) (30 + 200 * x / (w - 1));
        px[i + 1] = (byte) (30 + 200 * y / (h - 1));
        px[i + 2] = (byte) (40 + (x ^ y) % 160);
      }
    }
    return RgbImage.of(w, h, px);
  }

  private static double run(List<Sample> samples, int threads, boolean resize, double seconds)
      throws Exception {
    ResidualPaddingCheck residual = ResidualPaddingCheck.paperDefault();
    PaddingMaskCheck mask = PaddingMaskCheck.defaults();
    LongAdder done = new LongAdder();
    LongAdder sink = new LongAdder();
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      long start = System.nanoTime();
      for (int t = 0; t < threads; t++) {
        final int offset = t;
        futures.add(
            pool.submit(
                () -> {
                  int i = offset;
                  while (System.nanoTime() < deadline) {
                    Sample s = samples.get(i++ % samples.size());
                    PadCropPlan plan = PadCropPlan.forImage(s.input());
                    RgbImage padded = plan.pad(s.input());
                    Size g = new Size(s.generated().width(), s.generated().height());
                    Box box = plan.cropBoxAt(g);
                    RgbImage cropped = plan.crop(s.generated());
                    boolean ok = residual.check(cropped, plan).accepted()
                        && mask.check(s.generated(), plan, g, box).accepted();
                    if (resize) {
                      cropped = Resampler.bicubic(cropped, plan.original().width(), plan.original().height());
                    }
                    sink.add(padded.width() + cropped.height() + (ok ? 1 : 0));
                    done.increment();
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      if (sink.sum() == 42) {
        System.out.print("");
      }
      return done.sum() / elapsed;
    } finally {
      pool.shutdownNow();
    }
  }
}
