package io.gptedit.data.bench;

import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.metadata.MetadataCodec;
import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.shards.ErrorPolicy;
import io.gptedit.data.shards.ShardReader;
import io.gptedit.data.shards.ShardSample;
import io.gptedit.data.shards.ShardWriter;
import io.gptedit.data.synthetic.SyntheticWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Reading shards into triplets: a verifying reader ({@code openDirectory}: metadata checked and both PNGs decoded)
 * followed by {@code toTriplet()}, against the peer that cannot do less, a non-verifying reader followed by {@code
 * toTriplet()} (each PNG decoded exactly once). Before the fix the verifying path decoded every PNG twice.
 *
 * <p>Arguments: samples (default 60), image side (default 512), repeats (default 3; the best is kept). Photo-like
 * images: synthetic scenes plus +-6 levels of per-pixel noise, so the PNGs are as costly to decode as photographs.
 */
public final class ShardDecodeBenchmark {
  private ShardDecodeBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    int side = args.length > 1 ? Integer.parseInt(args[1]) : 512;
    int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    Path dir = Files.createTempDirectory("shard-decode-bench");
    SyntheticWorld world = SyntheticWorld.builder(7).optSides(side, side).build();
    SplittableRandom noise = new SplittableRandom(11);
    try (ShardWriter w = ShardWriter.builder(dir, "bench").optMaxSamples(20).build()) {
      for (int i = 0; i < n; i++) {
        EditTriplet t = world.sample(i).toTriplet();
        w.writeEncoded(t.id(), ImageCodec.encodePng(noisy(t.input(), noise)),
            ImageCodec.encodePng(noisy(t.edited(), noise)), MetadataCodec.toJsonBytes(t.metadata()));
      }
    }
    List<Path> shards = ShardReader.listShards(dir);
    System.out.printf(Locale.ROOT, "java %s, %d cpus, %d samples of two %dx%d photo-like PNGs, best of %d%n",
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), n, side, side, repeats);
    double peer = Double.MAX_VALUE;
    double verified = Double.MAX_VALUE;
    for (int r = 0; r < repeats; r++) {
      peer = Math.min(peer, time(shards, false));
      verified = Math.min(verified, time(shards, true));
    }
    System.out.printf(Locale.ROOT, "%-62s %7.1f samples/s%n", "read without verifying + toTriplet (one decode per PNG)", n / peer);
    System.out.printf(Locale.ROOT, "%-62s %7.1f samples/s%n", "read verifying both PNGs + toTriplet", n / verified);
    System.out.printf(Locale.ROOT, "verifying path time / peer time: %.2f (2.0 would mean every PNG decoded twice)%n",
        verified / peer);
  }

  private static double time(List<Path> shards, boolean verify) {
    long t0 = System.nanoTime();
    long pixels = 0;
    try (ShardReader r = ShardReader.open(shards, ErrorPolicy.STOP, verify)) {
      while (r.hasNext()) {
        ShardSample s = r.next();
        EditTriplet t = s.toTriplet();
        pixels += t.input().width() + t.edited().height();
      }
    }
    if (pixels == 0) {
      throw new IllegalStateException("nothing read");
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  private static RgbImage noisy(RgbImage image, SplittableRandom random) {
    byte[] px = image.copyRgb();
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) Math.max(0, Math.min(255, (px[i] & 0xFF) + random.nextInt(13) - 6));
    }
    return RgbImage.of(image.width(), image.height(), px);
  }
}
