package io.gptedit.testkit.bench;

import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.instruction.EditInstruction;
import io.gptedit.core.metadata.MetadataCodec;
import io.gptedit.core.metadata.SampleMetadata;
import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.curation.CurationSummary;
import io.gptedit.data.shards.ErrorPolicy;
import io.gptedit.data.shards.ShardReader;
import io.gptedit.data.shards.ShardWriter;
import io.gptedit.data.synthetic.EditOp;
import io.gptedit.data.synthetic.Scene;
import io.gptedit.data.synthetic.SyntheticWorld;
import io.gptedit.testkit.synthetic.SyntheticCuration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Throughput of shard writing and reading at 1024x1024 PNG, and of the curation pipeline against the loopback
 * HTTP stand-in with a fixed artificial latency, at several concurrencies. Prints one line per measurement.
 *
 * <p>Arguments (all optional): samples for the shard benchmark (default 100), inputs for the pipeline benchmark
 * (default 48), latency in ms (default 100).
 */
public final class DataBenchmark {
  private DataBenchmark() {}

  /**
   * Runs the benchmarks.
   *
   * @param args see the class documentation
   * @throws IOException if the temporary folder cannot be used
   */
  public static void main(String[] args) throws IOException {
    int shardSamples = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int pipelineInputs = args.length > 1 ? Integer.parseInt(args[1]) : 48;
    long latencyMs = args.length > 2 ? Long.parseLong(args[2]) : 100;
    System.out.printf(Locale.ROOT, "java %s, %d cpus%n", System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors());
    Path root = Files.createTempDirectory("gptedit-data-bench");
    try {
      shards(root.resolve("flat"), shardSamples, false);
      shards(root.resolve("noisy"), shardSamples, true);
      pipeline(root.resolve("pipeline"), pipelineInputs, latencyMs);
    } finally {
      try (Stream<Path> s = Files.walk(root)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** Adds deterministic per-pixel noise of +-6 levels, so PNGs are about as large as photographs'. */
  private static RgbImage noisy(RgbImage img, long seed) {
    byte[] px = img.copyRgb();
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < px.length; i++) {
      int v = (px[i] & 0xFF) + r.nextInt(13) - 6;
      px[i] = (byte) Math.max(0, Math.min(255, v));
    }
    return RgbImage.of(img.width(), img.height(), px);
  }

  private static void shards(Path dir, int n, boolean noise) {
    System.out.println(noise ? "-- photo-like (scene + noise) 1024x1024 pairs" : "-- flat synthetic 1024x1024 pairs");
    SyntheticWorld world = SyntheticWorld.builder(1).optPatternShare(0.5).build();
    SplittableRandom r = new SplittableRandom(1);
    List<EditTriplet> triplets = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Scene scene = world.randomScene(r, 1024, 1024);
      List<EditOp> program = world.randomProgram(scene, 1, r);
      Scene target = program.get(0).apply(scene);
      String id = String.format(Locale.ROOT, "bench-%06d", i);
      SampleMetadata m = SampleMetadata.builder(id, "synthetic", EditInstruction.of("edit"), new Size(1024, 1024)).build();
      RgbImage in = noise ? noisy(scene.render(), 2L * i) : scene.render();
      RgbImage out = noise ? noisy(target.render(), 2L * i + 1) : target.render();
      triplets.add(new EditTriplet(id, in, m.instruction(), out, m));
    }
    // Warm-up: one pass over a few samples.
    try (ShardWriter w = ShardWriter.builder(dir.resolve("warm"), "w").build()) {
      triplets.subList(0, Math.min(10, n)).forEach(w::write);
    }
    long t0 = System.nanoTime();
    try (ShardWriter w = ShardWriter.builder(dir.resolve("full"), "bench").optMaxSamples(50).build()) {
      triplets.forEach(w::write);
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    long bytes = size(dir.resolve("full"));
    report("shard write, PNG encode + tar", n, bytes, secs);

    List<byte[][]> encoded = new ArrayList<>();
    for (EditTriplet t : triplets) {
      encoded.add(new byte[][] {ImageCodec.encodePng(t.input()), ImageCodec.encodePng(t.edited()), MetadataCodec.toJsonBytes(t.metadata())});
    }
    t0 = System.nanoTime();
    try (ShardWriter w = ShardWriter.builder(dir.resolve("raw"), "bench").optMaxSamples(50).build()) {
      for (int i = 0; i < n; i++) {
        byte[][] e = encoded.get(i);
        w.writeEncoded(triplets.get(i).id(), e[0], e[1], e[2]);
      }
    }
    secs = (System.nanoTime() - t0) / 1e9;
    report("shard write, pre-encoded members (tar + fsync only)", n, size(dir.resolve("raw")), secs);

    for (boolean decode : new boolean[] {false, true}) {
      t0 = System.nanoTime();
      int count = 0;
      try (ShardReader rd = ShardReader.open(ShardReader.listShards(dir.resolve("full")), ErrorPolicy.STOP, decode)) {
        while (rd.hasNext()) {
          rd.next();
          count++;
        }
      }
      secs = (System.nanoTime() - t0) / 1e9;
      report(decode ? "shard read, metadata verified + both PNGs decoded" : "shard read, metadata verified, PNGs not decoded", count, bytes, secs);
    }
  }

  private static void report(String what, int n, long bytes, double secs) {
    System.out.printf(Locale.ROOT, "%-55s %5d samples %8.1f MB %7.2f s %8.1f samples/s %8.1f MB/s%n",
        what, n, bytes / 1e6, secs, n / secs, bytes / 1e6 / secs);
  }

  private static long size(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".tar")).mapToLong(p -> p.toFile().length()).sum();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void pipeline(Path dir, int inputs, long latencyMs) {
    System.out.printf(Locale.ROOT, "pipeline over loopback HTTP, %d inputs, %d ms latency per call, generation 192x128 class sizes%n",
        inputs, latencyMs);
    boolean first = true;
    for (int c : new int[] {2, 1, 2, 4, 8, 16, 32}) {
      Path out = dir.resolve("c" + c + "-" + System.nanoTime());
      SyntheticCuration.Options o = SyntheticCuration.Options.defaults(out, inputs)
          .withSizes(48, 96, 64)
          .withService(c, 0.05, Duration.ofMillis(first ? 0 : latencyMs))
          .withLoopbackHttp(true);
      CurationSummary s = SyntheticCuration.run(o);
      String label = first ? "no latency, concurrency 2 (CPU ceiling, warmed up)" : "concurrency " + c;
      if (first) {
        s = SyntheticCuration.run(new SyntheticCuration.Options(dir.resolve("zero"), inputs, 99, 48, 96, 64, c, 0.05,
            Duration.ZERO, 500, false, true, p -> { }));
      }
      first = false;
      double secs = s.elapsed().toNanos() / 1e9;
      long calls = s.units() + s.c3Units() * 2 + s.rewrites();
      System.out.printf(Locale.ROOT,
          "%-46s: %3d units (%d service calls) in %6.2f s = %6.1f units/s, %6.1f calls/s (bound: %6.1f calls/s)%n",
          label, s.units(), calls, secs, s.units() / secs, calls / secs, label.startsWith("no") ? Double.NaN : c * 1000.0 / latencyMs);
    }
  }
}
