package io.gptedit.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.ImageFormat;
import io.gptedit.core.metadata.MetadataCodec;
import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.curation.CurationPipeline;
import io.gptedit.data.curation.CurationSummary;
import io.gptedit.data.curation.Ledger;
import io.gptedit.data.curation.LedgerEntry;
import io.gptedit.data.shards.ErrorPolicy;
import io.gptedit.data.shards.ShardReader;
import io.gptedit.data.shards.ShardSample;
import io.gptedit.data.sources.FolderSource;
import io.gptedit.data.sources.ReleaseSource;
import io.gptedit.data.sources.SourceException;
import io.gptedit.data.sources.TripletSource;
import io.gptedit.data.synthetic.SyntheticSample;
import io.gptedit.data.synthetic.SyntheticWorld;
import io.gptedit.testkit.remote.OpenAiStandInServer;
import io.gptedit.testkit.synthetic.StandInOptions;
import io.gptedit.testkit.synthetic.SyntheticCuration;
import io.gptedit.testkit.synthetic.SyntheticServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release metadata JSON and folder sources read as Spark datasets: the same samples and outcomes as the local
 * sources through the local pipeline, sample for sample, and a corrupted record ends in exactly one
 * {@value InputDecoder#BAD_INPUT} outcome naming its file while every other sample is written.
 */
class SparkSourcesTest {
  private static final int N = 24;
  private static final byte[] NOT_AN_IMAGE = {1, 2, 3, 4};

  private static SparkSession spark;

  @TempDir Path tmp;

  @BeforeAll
  static void start() {
    spark = SparkSessions.local();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static SyntheticCuration.Options options(Path out) {
    return SyntheticCuration.Options.defaults(out, N).withSeed(5).withSizes(24, 64, 32)
        .withService(4, 0.0, Duration.ZERO).withShardSamples(10);
  }

  private static ConfigFactory configFactory(Path out) {
    String dir = out.toString();
    return () -> SyntheticCuration.config(options(Path.of(dir)));
  }

  private static SyntheticWorld world() {
    return SyntheticCuration.world(options(Path.of("unused")));
  }

  /** Key to instruction, metadata and image hashes of every shard sample; no key twice. */
  private static Map<String, String> shardContents(Path dir) {
    Map<String, String> out = new TreeMap<>();
    try (ShardReader r = ShardReader.openDirectory(dir, ErrorPolicy.STOP)) {
      r.forEachRemaining((ShardSample s) -> assertThat(out.put(s.key(), MetadataCodec.toJson(s.metadata()) + "|"
          + Arrays.hashCode(s.inputPng()) + "|" + Arrays.hashCode(s.editedPng()))).as("key %s twice", s.key()).isNull());
    }
    return out;
  }

  /** Runs the local pipeline on a source; returns its ledger's outcomes (key to status:reason). */
  private static Map<String, String> local(SyntheticWorld world, TripletSource src, Path out) {
    StandInOptions so = SyntheticCuration.standIn(options(out));
    new CurationPipeline(SyntheticCuration.config(options(out)), SyntheticServices.editService(world, so),
        SyntheticServices.generationService(world, so), SyntheticServices.chatService(world, so)).run(src, 0);
    Map<String, String> outcomes = new TreeMap<>();
    try (Ledger ledger = Ledger.open(out.resolve("ledger.duckdb"))) {
      for (LedgerEntry e : ledger.entries()) {
        outcomes.put(e.key(), e.status() + ":" + e.reason().orElse(""));
      }
    }
    return outcomes;
  }

  /** Runs Spark on an input against the loopback stand-in; returns the outcome table's rows by key. */
  private static Map<String, Row> spark(SyntheticWorld world, InputDecoders.Input in, Path out, int inputs) {
    StandInOptions so = SyntheticCuration.standIn(options(out));
    try (OpenAiStandInServer server = OpenAiStandInServer.builder()
        .optEditService(SyntheticServices.editService(world, so))
        .optGenerationService(SyntheticServices.generationService(world, so))
        .optChatService(SyntheticServices.chatService(world, so))
        .build()) {
      OpenAiServices services = OpenAiServices.of(server.baseUrl().toString(), StandInOptions.DEFAULT_MODEL,
          "GPTEDIT_SPARK_TEST_NO_KEY", false).withRetries(5_000, 4, 5, 40);
      CurationSummary s = SparkCuration.builder(configFactory(out), services).build()
          .run(spark, in.rows(), in.decoder());
      assertThat(s.inputs()).isEqualTo(inputs);
      assertThat(s.failuresByError()).as(s.text()).isEqualTo(Map.of(InputDecoder.BAD_INPUT, 1L));
    }
    Map<String, Row> rows = new TreeMap<>();
    for (Row r : new OutcomeTable(out, "synthetic").read(spark).collectAsList()) {
      String key = r.getAs("key");
      assertThat(rows.put(key, r)).as("key %s twice", key).isNull();
    }
    return rows;
  }

  private static Map<String, String> outcomes(Map<String, Row> rows) {
    Map<String, String> out = new TreeMap<>();
    rows.forEach((k, r) -> out.put(k, r.getAs("status") + ":" + (r.getAs("reason") == null ? "" : r.getAs("reason"))));
    return out;
  }

  /** Asserts the bad key's one outcome, and that Spark and the local pipeline agree on everything else. */
  private static void assertSameAsLocal(Map<String, Row> rows, Map<String, String> expected, String badKey,
      Path sparkOut, Path localOut, String... detailNames) {
    Row bad = rows.get(badKey);
    assertThat(bad).as("the corrupted record's outcome").isNotNull();
    assertThat((String) bad.getAs("status")).isEqualTo(LedgerEntry.FAILED);
    assertThat((String) bad.getAs("reason")).isEqualTo(InputDecoder.BAD_INPUT);
    assertThat((Boolean) bad.getAs("final")).isTrue();
    assertThat((String) bad.getAs("detail")).contains(detailNames);
    Map<String, String> actual = outcomes(rows);
    actual.remove(badKey);
    assertThat(expected).hasSizeGreaterThan(N).doesNotContainKey(badKey);
    assertThat(actual).isEqualTo(expected);
    assertThat(actual.values()).as("every other unit is written").allMatch(v -> v.equals(LedgerEntry.WRITTEN + ":"));
    assertThat(shardContents(sparkOut)).isEqualTo(shardContents(localOut)).hasSize(expected.size());
  }

  /** Writes the release layout: two tasks' metadata files and images, with one record whose input is not an image. */
  private static Path release(SyntheticWorld world, Path root) throws Exception {
    for (String task : List.of("addition", "swap")) {
      Path dir = root.resolve("omniedit").resolve(task);
      Files.createDirectories(dir.resolve("input"));
      Files.createDirectories(dir.resolve("output"));
      Files.createDirectories(dir.resolve("metadata"));
      List<String> records = new ArrayList<>();
      int from = task.equals("addition") ? 0 : N / 2;
      for (int i = from; i < from + N / 2; i++) {
        SyntheticSample s = world.sample(i);
        ImageCodec.write(s.input(), dir.resolve("input/" + i + ".png"), ImageFormat.PNG);
        ImageCodec.write(s.target(), dir.resolve("output/" + i + ".png"), ImageFormat.PNG);
        records.add(String.format(java.util.Locale.ROOT, "{\"id\": \"omniedit_%s_%d\", \"dataset_source\": \"%s\","
            + " \"task\": \"%s\", \"input\": \"input/%d.png\", \"output\": \"output/%d.png\", \"instruction\": %s,"
            + " \"instruction_type\": \"original\", \"score\": %d}", task, i, SyntheticSample.DATASET, task, i, i,
            com.fasterxml.jackson.databind.node.TextNode.valueOf(s.toTriplet().instruction().text()), i % 10));
        if (task.equals("swap") && i == from + 2) {
          Files.write(dir.resolve("input/bad.png"), NOT_AN_IMAGE);
          records.add("{\"id\": \"omniedit_swap_bad\", \"dataset_source\": \"" + SyntheticSample.DATASET + "\","
              + " \"input\": \"input/bad.png\", \"output\": \"output/" + i + ".png\", \"instruction\": \"Make it blue.\"}");
        }
      }
      Files.writeString(dir.resolve("metadata/omniedit_" + task + ".json"), "[\n" + String.join(",\n", records) + "\n]");
    }
    return root;
  }

  @Test
  void releaseMetadataJsonReadBySparkGivesTheLocalReleaseSourcesSamplesAndABadRecordItsOwnOutcome() throws Exception {
    SyntheticWorld world = world();
    Path root = release(world, tmp.resolve("gpt-edit"));
    Map<String, String> expected;
    try (ReleaseSource src = ReleaseSource.metadataFolders(root)) {
      expected = local(world, src, tmp.resolve("local"));
      assertThat(src.problems()).singleElement().satisfies(p -> assertThat(p.sampleId()).isEqualTo("omniedit_swap_bad"));
    }
    Path out = tmp.resolve("spark");
    Map<String, Row> rows = spark(world, InputDecoders.open(spark, "release:" + root, "omniedit", 3), out, N + 1);
    assertSameAsLocal(rows, expected, "omniedit_swap_bad", out, tmp.resolve("local"), "omniedit_swap.json[3]",
        "bad.png");
  }

  @Test
  void aMetadataFileThatIsNotAJsonArrayIsOneBadRowNamingTheFile() throws Exception {
    Path meta = tmp.resolve("broken/omniedit/addition/metadata");
    Files.createDirectories(meta);
    Files.writeString(meta.resolve("omniedit_addition.json"), "{\"id\": \"not an array\"}");
    List<Row> rows = InputDecoders.releaseRows(spark, tmp.resolve("broken"), 2).collectAsList();
    assertThat(rows).singleElement().satisfies(r -> assertThat(r.getString(4)).contains("not a JSON array"));
    InputDecoder decoder = InputDecoders.release(tmp.resolve("broken"));
    assertThat(decoder.keyOf(rows.get(0))).isNull();
    assertThatThrownBy(() -> decoder.decode(rows.get(0))).isInstanceOfSatisfying(SourceException.class,
        e -> assertThat(e.problem().orElseThrow().source()).endsWith("omniedit_addition.json"));
  }

  /** Writes a folder: even keys described by a .txt, odd ones by our metadata JSON; one key's input is not an image. */
  private static Path folder(SyntheticWorld world, Path dir) throws Exception {
    Files.createDirectories(dir);
    for (int i = 0; i < N; i++) {
      SyntheticSample s = world.sample(i);
      String key = i % 2 == 0 ? String.format("k%03d", i) : s.id();
      ImageCodec.write(s.input(), dir.resolve(key + ".input.png"), ImageFormat.PNG);
      ImageCodec.write(s.target(), dir.resolve(key + (i % 3 == 0 ? ".output.png" : ".edited.png")), ImageFormat.PNG);
      if (i % 2 == 0) {
        Files.writeString(dir.resolve(key + ".txt"), s.toTriplet().instruction().text() + "\n");
      } else {
        Files.write(dir.resolve(key + ".json"), MetadataCodec.toJsonBytes(s.metadata()));
      }
    }
    Files.write(dir.resolve("kbad.input.png"), NOT_AN_IMAGE);
    ImageCodec.write(world.sample(0).target(), dir.resolve("kbad.edited.png"), ImageFormat.PNG);
    Files.writeString(dir.resolve("kbad.txt"), "Make it blue.");
    return dir;
  }

  @Test
  void folderReadBySparkGivesTheLocalFolderSourcesSamplesAndABadKeyItsOwnOutcome() throws Exception {
    SyntheticWorld world = world();
    Path dir = folder(world, tmp.resolve("folder"));
    Map<String, String> expected;
    try (FolderSource src = FolderSource.open(dir, SyntheticSample.DATASET)) {
      expected = local(world, src, tmp.resolve("local"));
      assertThat(src.problems()).singleElement().satisfies(p -> assertThat(p.sampleId()).isEqualTo("kbad"));
    }
    Path out = tmp.resolve("spark");
    Map<String, Row> rows = spark(world, InputDecoders.open(spark, "folder:" + dir, SyntheticSample.DATASET, 3), out,
        N + 1);
    assertSameAsLocal(rows, expected, "kbad", out, tmp.resolve("local"), dir.getFileName().toString(), "kbad");
  }

  @Test
  void archivesAndUnknownKindsAreRefusedWithTheKindsSparkReads() {
    assertThatThrownBy(() -> InputDecoders.open(spark, "archives:" + tmp, "omniedit", 2))
        .isInstanceOf(SourceException.class).hasMessageContaining("release:DIR");
    assertThatThrownBy(() -> InputDecoders.open(spark, "zip:" + tmp, "omniedit", 2))
        .isInstanceOf(SourceException.class).hasMessageContaining("release, parquet or folder");
  }
}
