package io.gptedit.examples.lab;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Times the lab's data step ({@link LabData#prepare}: generation, curation, indexing, read-back) for a few
 * training-set sizes. A plain main class (speed claims come from programs, not unit tests).
 *
 * <p>Arguments: training-set sizes (default 3000 10000); {@code -Dmisalign=N} for the misaligned variant,
 * {@code -Dsize=S} for the image side (default 16), {@code -Drepeats=R} (default 2; the best run is reported).
 */
public final class LabDataBenchmark {
  private LabDataBenchmark() {}

  /**
   * Runs the benchmark.
   *
   * @param args training-set sizes
   * @throws Exception on I/O failure
   */
  public static void main(String[] args) throws Exception {
    int[] sizes = args.length == 0 ? new int[] {3000, 10000} : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
    int misalign = Integer.getInteger("misalign", 0);
    int side = Integer.getInteger("size", 16);
    int repeats = Integer.getInteger("repeats", 2);
    TinyTextEncoder encoder = new TinyTextEncoder(16, 32, 7 ^ 0x7E47L);
    System.out.printf(Locale.ROOT, "%8s %9s %9s %9s %9s %9s %12s%n", "train", "curate s", "index s", "read s",
        "total s", "s / 10k", "drops");
    for (int n : sizes) {
      double best = Double.MAX_VALUE;
      JsonNode bestReport = null;
      for (int rep = 0; rep < repeats; rep++) {
        Path dir = Files.createTempDirectory("lab-data-bench");
        LabConfig c = LabConfig.builder(dir).size(side).trainCount(n).heldOutCount(64).misalign(misalign).build();
        long t0 = System.nanoTime();
        LabData d = LabData.prepare(c, dir.resolve("data"), encoder);
        double total = (System.nanoTime() - t0) / 1e9;
        if (total < best) {
          best = total;
          bestReport = d.report();
        }
        deleteTree(dir);
      }
      JsonNode tc = bestReport.path("train_curation");
      System.out.printf(Locale.ROOT, "%8d %9.2f %9.2f %9.2f %9.2f %9.2f %5d+%-6d%n", n,
          bestReport.path("curate_seconds").asDouble(), bestReport.path("index_seconds").asDouble(),
          bestReport.path("read_seconds").asDouble(), best, best / (n + 64) * 10_000,
          tc.path("dropped_invisible_edit").asLong(), tc.path("dropped_ambiguous_input").asLong());
    }
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    try (var s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
