package io.gptedit.testkit.curation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gptedit.data.curation.CurationSummary;
import io.gptedit.data.curation.Ledger;
import io.gptedit.data.curation.LedgerEntry;
import io.gptedit.data.shards.ErrorPolicy;
import io.gptedit.data.shards.ShardReader;
import io.gptedit.data.shards.ShardSample;
import io.gptedit.testkit.synthetic.SyntheticCuration;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM running the pipeline against the loopback HTTP stand-in (OpenAiStandInServer and
 * OpenAiClient in the child) with destroyForcibly, i.e. SIGKILL, several times at different points, runs it to
 * completion, and checks that shards and ledger equal an uninterrupted run's: every unit written or
 * rejected exactly once, no duplicate keys, no missing samples, no temporary files.
 */
class KillAndResumeTest {
  static final double DEFECT_RATE = 0.2;
  private static final int SAMPLES = 70;

  @TempDir Path tmp;

  static SyntheticCuration.Options options(Path dir, int samples) {
    return SyntheticCuration.Options.defaults(dir, samples).withSeed(5).withSizes(24, 64, 32);
  }

  private static Process start(Path dir, long latencyMs) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(
        java, "-Xmx512m", "-cp", System.getProperty("java.class.path"), CurationChild.class.getName(),
        dir.toString(), Integer.toString(SAMPLES), Long.toString(latencyMs), "4", "5");
    pb.redirectErrorStream(true);
    pb.redirectOutput(dir.resolveSibling(dir.getFileName() + ".log").toFile());
    return pb.start();
  }

  private static long committedShards(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".tar")).count();
    }
  }

  @Test
  void killedRunsResumeToExactlyTheUninterruptedResult() throws Exception {
    Path reference = tmp.resolve("reference");
    CurationSummary clean = SyntheticCuration.run(options(reference, SAMPLES).withService(4, DEFECT_RATE, Duration.ZERO)
        .withShardSamples(5));
    Outcomes expected = outcomes(reference);
    assertThat(expected.written.size() + expected.rejected.size()).isEqualTo((int) clean.units());
    assertThat(expected.rejected).isNotEmpty();

    Path dir = tmp.resolve("killed");
    Files.createDirectories(dir);
    int kills = 0;
    for (int round = 0; round < 3; round++) {
      long before = committedShards(dir);
      Process p = start(dir, 25);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (p.isAlive() && committedShards(dir) <= before && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      Thread.sleep(37L * round);
      if (p.isAlive()) {
        p.destroyForcibly();
        kills++;
      }
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(kills).as("the child must be killed mid-run at least once").isPositive();

    Process last = start(dir, 0);
    assertThat(last.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(last.exitValue()).as(Files.readString(tmp.resolve("killed.log"))).isZero();

    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".tmp"))).isEmpty();
    }
    Outcomes actual = outcomes(dir);
    assertThat(actual.written).isEqualTo(expected.written);
    assertThat(actual.rejected).isEqualTo(expected.rejected);
    assertThat(actual.failed).isEmpty();

    CurationSummary after = SyntheticCuration.run(options(dir, SAMPLES).withShardSamples(5));
    assertThat(after.nothingToDo()).isTrue();
  }

  private record Outcomes(Set<String> written, Set<String> rejected, Set<String> failed) {}

  private static Outcomes outcomes(Path dir) {
    List<String> shardKeys = new ArrayList<>();
    try (ShardReader r = ShardReader.openDirectory(dir, ErrorPolicy.STOP)) {
      r.forEachRemaining((ShardSample s) -> shardKeys.add(s.key()));
    }
    Set<String> inShards = new HashSet<>(shardKeys);
    assertThat(inShards).as("duplicate keys in shards").hasSize(shardKeys.size());
    Set<String> written = new HashSet<>();
    Set<String> rejected = new HashSet<>();
    Set<String> failed = new HashSet<>();
    try (Ledger ledger = Ledger.open(dir.resolve("ledger.duckdb"))) {
      for (LedgerEntry e : ledger.entries()) {
        switch (e.status()) {
          case LedgerEntry.WRITTEN -> written.add(e.key());
          case LedgerEntry.REJECTED -> rejected.add(e.key());
          default -> failed.add(e.key());
        }
      }
      for (String shard : ledger.shards()) {
        assertThat(new File(dir.toFile(), shard)).exists();
      }
    }
    assertThat(written).as("ledger's written keys are exactly the shards' keys").isEqualTo(inShards);
    return new Outcomes(written, rejected, failed);
  }
}
