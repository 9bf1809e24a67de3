package io.gptedit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.ImageFormat;
import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.curation.Ledger;
import io.gptedit.data.curation.LedgerEntry;
import io.gptedit.data.index.DatasetIndex;
import io.gptedit.data.shards.ErrorPolicy;
import io.gptedit.data.shards.ShardReader;
import io.gptedit.data.shards.ShardSample;
import io.gptedit.data.synthetic.SyntheticWorld;
import io.gptedit.spark.InputDecoder;
import io.gptedit.testkit.remote.OpenAiStandInServer;
import io.gptedit.testkit.synthetic.StandInOptions;
import io.gptedit.testkit.synthetic.SyntheticServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
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

  private static final SyntheticWorld WORLD = SyntheticWorld.builder(17).optSides(48, 96).build();
  private static final int REAL = 6;

  /** Writes the WORLD's first REAL samples as a folder, a release metadata folder and an OmniEdit parquet file. */
  private Map<String, String> realSources() throws Exception {
    Path folder = Files.createDirectories(tmp.resolve("folder"));
    Path task = Files.createDirectories(tmp.resolve("gpt-edit/omniedit/addition/metadata")).getParent();
    Path parquet = Files.createDirectories(tmp.resolve("parquet")).resolve("train-00000-of-00001.parquet");
    List<String> records = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (omni_edit_id VARCHAR, task VARCHAR, src_img STRUCT(bytes BLOB, path VARCHAR),"
          + " edited_img STRUCT(bytes BLOB, path VARCHAR), edited_prompt_list VARCHAR[])");
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (?, 'addition', struct_pack(bytes := ?,"
          + " path := 'a.png'), struct_pack(bytes := ?, path := 'b.png'), [?])")) {
        for (int i = 0; i < REAL; i++) {
          EditTriplet t = WORLD.sample(i).toTriplet();
          ImageCodec.write(t.input(), folder.resolve("k" + i + ".input.png"), ImageFormat.PNG);
          ImageCodec.write(t.edited(), folder.resolve("k" + i + ".edited.png"), ImageFormat.PNG);
          Files.writeString(folder.resolve("k" + i + ".txt"), t.instruction().text());
          ImageCodec.write(t.input(), task.resolve("in" + i + ".png"), ImageFormat.PNG);
          ImageCodec.write(t.edited(), task.resolve("out" + i + ".png"), ImageFormat.PNG);
          records.add("{\"id\": \"omniedit_addition_" + i + "\", \"input\": \"in" + i + ".png\", \"output\": \"out"
              + i + ".png\", \"instruction\": " + com.fasterxml.jackson.databind.node.TextNode.valueOf(t.instruction().text())
              + "}");
          ps.setString(1, "s" + i);
          ps.setBytes(2, ImageCodec.encodePng(t.input()));
          ps.setBytes(3, ImageCodec.encodePng(t.edited()));
          ps.setString(4, t.instruction().text());
          ps.executeUpdate();
        }
      }
      st.execute("COPY t TO '" + parquet.toAbsolutePath() + "' (FORMAT parquet)");
    }
    Files.writeString(task.resolve("metadata/omniedit_addition.json"), "[" + String.join(",\n", records) + "]");
    Files.write(folder.resolve("kbad.input.png"), new byte[] {1, 2, 3});
    Files.copy(folder.resolve("k0.edited.png"), folder.resolve("kbad.edited.png"));
    Files.writeString(folder.resolve("kbad.txt"), "Make it blue.");
    return Map.of("folder:" + folder, "kbad", "release:" + tmp.resolve("gpt-edit"), "",
        "parquet:" + parquet.getParent().resolve("train-*.parquet"), "");
  }

  @Test
  void sparkEngineOnAFolderAReleaseAndParquetMatchesTheLocalEngineAndGivesABadRecordOneOutcome() throws Exception {
    Map<String, String> sources = realSources();
    StandInOptions service = new StandInOptions(0, Duration.ZERO, "gpt-4o");
    try (OpenAiStandInServer server = OpenAiStandInServer.builder()
        .optEditService(SyntheticServices.editService(WORLD, service))
        .optGenerationService(SyntheticServices.generationService(WORLD, service))
        .optChatService(SyntheticServices.chatService(WORLD, service))
        .build()) {
      int n = 0;
      for (Map.Entry<String, String> source : new TreeMap<>(sources).entrySet()) {
        Path local = tmp.resolve("local" + n);
        Path spark = tmp.resolve("spark" + n++);
        String[] api = {"--source", source.getKey(), "--dataset", "omniedit", "--base-url", server.baseUrl().toString(),
            "--key-env", "GPTEDIT_TEST_KEY_THAT_IS_NOT_SET", "--concurrency", "2", "--generation-unit", "64"};
        Cli.run(concat(api, "curate", "--output", local.toString()));
        String out = Cli.run(concat(api, "curate", "--engine", "spark", "--master", "local[2]", "--partitions", "2",
            "--output", spark.toString()));
        assertThat(out).as(source.getKey()).contains("curation: " + (REAL + (source.getValue().isEmpty() ? 0 : 1))
            + " inputs");
        Map<String, String> sparkOutcomes = outcomes(DatasetIndex.outcomes(spark.resolve("outcomes")));
        if (!source.getValue().isEmpty()) {
          assertThat(sparkOutcomes.remove(source.getValue())).isEqualTo("failed:" + InputDecoder.BAD_INPUT);
        }
        try (Ledger ledger = Ledger.open(local.resolve("ledger.duckdb"))) {
          assertThat(sparkOutcomes).as(source.getKey()).isEqualTo(outcomes(ledger.entries())).hasSizeGreaterThan(REAL);
        }
        assertThat(samples(spark)).as(source.getKey()).isEqualTo(samples(local)).isNotEmpty();
      }
    }
  }

  private static String[] concat(String[] tail, String... head) {
    String[] all = Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, all, head.length, tail.length);
    return all;
  }
}
