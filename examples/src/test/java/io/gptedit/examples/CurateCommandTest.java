package io.gptedit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.gptedit.data.curation.Ledger;
import io.gptedit.data.curation.LedgerEntry;
import io.gptedit.data.index.DatasetIndex;
import io.gptedit.data.shards.ErrorPolicy;
import io.gptedit.data.shards.ShardReader;
import io.gptedit.data.shards.ShardSample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CurateCommandTest {
  @TempDir Path tmp;


  @Test
  void curateWritesShardsOverLoopbackHttpAndASecondRunDoesNoWork() throws Exception {
    String first = Cli.run("curate", "--output", tmp.toString(), "--samples", "40", "--http");
    assertThat(first).contains("curation: 40 inputs").doesNotContain("nothing to do");
    try (Stream<Path> files = Files.list(tmp)) {
      assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.endsWith(".tar")).contains("ledger.duckdb");
    }
    String second = Cli.run("curate", "--output", tmp.toString(), "--samples", "40", "--http");
    assertThat(second).contains("written 0, rejected 0").contains("nothing to do");
  }

  private static Map<String, String> samples(Path dir) {
    Map<String, String> out = new TreeMap<>();
    try (ShardReader r = ShardReader.openDirectory(dir, ErrorPolicy.STOP)) {
      r.forEachRemaining((ShardSample s) -> {
        String was = out.put(s.key(), s.metadata().instruction().text() + "|" + Arrays.hashCode(s.inputPng()) + "|"
            + Arrays.hashCode(s.editedPng()));
        assertThat(was).as("key %s in two shards", s.key()).isNull();
      });
    }
    return out;
  }

  private static Map<String, String> outcomes(List<LedgerEntry> entries) {
    Map<String, String> out = new TreeMap<>();
    for (LedgerEntry e : entries) {
      assertThat(out.put(e.key(), e.status() + ":" + e.reason().orElse(""))).as("duplicate key %s", e.key()).isNull();
    }
    return out;
  }

  @Test
  void sparkEngineOnTheSyntheticDefaultMatchesTheLocalEngineSampleForSample() throws Exception {
    Path local = tmp.resolve("local");
    Path spark = tmp.resolve("spark");
    Cli.run("curate", "--output", local.toString(), "--samples", "40");
    String out = Cli.run("curate", "--engine", "spark", "--master", "local[2]", "--partitions", "3", "--output",
        spark.toString(), "--samples", "40");
    assertThat(out).contains("curation: 40 inputs").contains("outcomes: ");

    List<LedgerEntry> sparkRows = DatasetIndex.outcomes(spark.resolve("outcomes"));
    try (Ledger ledger = Ledger.open(local.resolve("ledger.duckdb"))) {
      assertThat(outcomes(sparkRows)).isEqualTo(outcomes(ledger.entries()));
    }
    assertThat(samples(spark)).isEqualTo(samples(local)).isNotEmpty();

    String again = Cli.run("curate", "--engine", "spark", "--master", "local[2]", "--partitions", "3", "--output",
        spark.toString(), "--samples", "40");
    assertThat(again).contains("nothing to do");
  }
}
