package io.gptedit.core.bench;

import io.gptedit.core.geometry.AspectPreset;
import io.gptedit.core.geometry.PadCropPlan;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.ImageFormat;
import io.gptedit.core.image.Resampler;
import io.gptedit.core.image.RgbImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The curation pipeline's crop-back: a GPT-Image-1 canvas (1024x1536) cropped to the input's box and resized with
 * bicubic back to the input's size, on one thread. {@code tools/bench_resize.py} does the same with Pillow on the
 * same pixels for the peer figure ({@code tools/bench_resize.sh} runs both, in turn).
 *
 * <p>Arguments: {@code write DIR} writes the crops as PNG and a {@code sizes.txt} of target sizes for the Python
 * peer; {@code run DIR SECONDS} times the resizes of those crops and prints images/s; {@code times DIR} prints, per
 * crop that needs resizing, the best of 15 calls in ms and their sum (five times, after a warm-up), for comparing
 * versions of the resampler.
 */
public final class ResampleBenchmark {
  private ResampleBenchmark() {}

  /** Portrait inputs of odd sizes near 2:3, as bench-padcrop uses, and two landscape and square ones. */
  private static final int[][] INPUTS = {{1000, 1536}, {1024, 1500}, {990, 1480}, {1017, 1531}, {1400, 950}, {1000, 1010}};

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[1]);
    if (args[0].equals("write")) {
      write(dir);
    } else if (args[0].equals("times")) {
      times(dir);
    } else {
      run(dir, Double.parseDouble(args[2]));
    }
  }

  private static void write(Path dir) throws Exception {
    Files.createDirectories(dir);
    SplittableRandom random = new SplittableRandom(3);
    StringBuilder sizes = new StringBuilder();
    for (int i = 0; i < INPUTS.length; i++) {
      int w = INPUTS[i][0];
      int h = INPUTS[i][1];
      PadCropPlan plan = PadCropPlan.forImage(RgbImage.filled(w, h, 0));
      Size gen = plan.preset().generationSize();
      RgbImage canvas = photoLike(gen.width(), gen.height(), random);
      RgbImage crop = plan.crop(canvas);
      ImageCodec.write(crop, dir.resolve("crop-" + i + ".png"), ImageFormat.PNG);
      ImageCodec.write(Resampler.bicubic(crop, w, h), dir.resolve("java-" + i + ".png"), ImageFormat.PNG);
      sizes.append(i).append(' ').append(w).append(' ').append(h).append('\n');
    }
    Files.writeString(dir.resolve("sizes.txt"), sizes.toString(), StandardCharsets.UTF_8);
  }

  private static void read(Path dir, List<RgbImage> crops, List<int[]> targets) throws Exception {
    for (String line : Files.readAllLines(dir.resolve("sizes.txt"), StandardCharsets.UTF_8)) {
      String[] f = line.trim().split(" ");
      crops.add(ImageCodec.read(dir.resolve("crop-" + f[0] + ".png")));
      targets.add(new int[] {Integer.parseInt(f[1]), Integer.parseInt(f[2])});
    }
  }

  private static void times(Path dir) throws Exception {
    List<RgbImage> crops = new ArrayList<>();
    List<int[]> targets = new ArrayList<>();
    read(dir, crops, targets);
    long sink = 0;
    for (long end = System.nanoTime() + 3_000_000_000L; System.nanoTime() < end; ) { // warm-up
      for (int i = 0; i < crops.size(); i++) {
        sink += Resampler.bicubic(crops.get(i), targets.get(i)[0], targets.get(i)[1]).width();
      }
    }
    for (int repeat = 0; repeat < 5; repeat++) {
      StringBuilder line = new StringBuilder("java  bicubic crop-back, best of 15 calls (ms):");
      double sum = 0;
      for (int i = 0; i < crops.size(); i++) {
        RgbImage crop = crops.get(i);
        int w = targets.get(i)[0];
        int h = targets.get(i)[1];
        if (crop.width() == w && crop.height() == h) {
          continue; // returned at once
        }
        long best = Long.MAX_VALUE;
        for (int k = 0; k < 15; k++) {
          long t0 = System.nanoTime();
          sink += Resampler.bicubic(crop, w, h).width();
          best = Math.min(best, System.nanoTime() - t0);
        }
        sum += best / 1e6;
        line.append(String.format(Locale.ROOT, " %dx%d->%dx%d %.2f", crop.width(), crop.height(), w, h, best / 1e6));
      }
      System.out.println(line.append(String.format(Locale.ROOT, "; sum %.2f (sink %d)", sum, sink % 7)));
    }
  }

  private static void run(Path dir, double seconds) throws Exception {
    List<RgbImage> crops = new ArrayList<>();
    List<int[]> targets = new ArrayList<>();
    read(dir, crops, targets);
    long sink = 0;
    for (long end = System.nanoTime() + 3_000_000_000L; System.nanoTime() < end; ) { // warm-up
      for (int i = 0; i < crops.size(); i++) {
        sink += Resampler.bicubic(crops.get(i), targets.get(i)[0], targets.get(i)[1]).width();
      }
    }
    long n = 0;
    long t0 = System.nanoTime();
    long end = t0 + (long) (seconds * 1e9);
    while (System.nanoTime() < end) {
      for (int i = 0; i < crops.size(); i++) {
        sink += Resampler.bicubic(crops.get(i), targets.get(i)[0], targets.get(i)[1]).width();
        n++;
      }
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "java  bicubic crop-back, 1 thread: %7.1f images/s (%d images, sink %d)%n",
        n / secs, n, sink % 7);
  }

  /** A synthetic scene with per-pixel noise: every pixel differs from its neighbours, as in a photograph. */
  private static RgbImage photoLike(int w, int h, SplittableRandom random) {
    byte[] px = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = (y * w + x) * 3;
        boolean disc = (x - w / 2) * (x - w / 2) + (y - h / 3) * (y - h / 3) < (w / 4) * (w / 4);
        int base = disc ? 200 : 40 + 150 * x / w;
        px[i] = (byte) Math.max(0, Math.min(255, base + random.nextInt(13) - 6));
        px[i + 1] = (byte) Math.max(0, Math.min(255, (disc ? 60 : 90 + 100 * y / h) + random.nextInt(13) - 6));
        px[i + 2] = (byte) Math.max(0, Math.min(255, (disc ? 30 : 180) + random.nextInt(13) - 6));
      }
    }
    return RgbImage.of(w, h, px);
  }
}
