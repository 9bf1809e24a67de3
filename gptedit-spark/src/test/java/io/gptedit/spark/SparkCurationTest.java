package io.gptedit.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.gptedit.core.remote.Endpoint;
import io.gptedit.data.curation.CurationSummary;
import io.gptedit.data.curation.Ledger;
import io.gptedit.data.curation.LedgerEntry;
import io.gptedit.data.index.DatasetIndex;
import io.gptedit.data.shards.ErrorPolicy;
import io.gptedit.data.shards.ShardReader;
import io.gptedit.data.shards.ShardSample;
import io.gptedit.data.synthetic.SyntheticWorld;
import io.gptedit.testkit.remote.FaultPlan;
import io.gptedit.testkit.remote.OpenAiStandInServer;
import io.gptedit.testkit.synthetic.StandInOptions;
import io.gptedit.testkit.synthetic.SyntheticCuration;
import io.gptedit.testkit.synthetic.SyntheticServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Curation on Spark's local mode against the loopback stand-in server with injected faults and a task killed in
 * the middle of its partition: every unit ends in exactly one outcome, no key is duplicated, and samples and
 * outcomes equal the local pipeline's on the same inputs.
 */
class SparkCurationTest {
  private static final int N = 120;
  private static final long SEED = 0;
  private static final int MIN_SIDE = 24;
  private static final int MAX_SIDE = 64;
  private static final int UNIT = 32;
  private static final double DEFECTS = 0.2;
  /** Forced task failures thrown so far (local mode: the executor is this JVM). */
  static final AtomicInteger FORCED = new AtomicInteger();

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
    return SyntheticCuration.Options.defaults(out, N).withSeed(SEED).withSizes(MIN_SIDE, MAX_SIDE, UNIT)
        .withService(4, DEFECTS, Duration.ZERO).withShardSamples(20);
  }

  private static ConfigFactory configFactory(Path out) {
    String dir = out.toString();
    return () -> SyntheticCuration.config(options(Path.of(dir)));
  }

  private static Map<String, String> shardContents(Path dir) {
    Map<String, String> out = new TreeMap<>();
    List<String> keys = new ArrayList<>();
    try (ShardReader r = ShardReader.openDirectory(dir, ErrorPolicy.STOP)) {
      r.forEachRemaining((ShardSample s) -> {
        keys.add(s.key());
        out.put(s.key(), s.metadata().instruction().text() + "|" + Arrays.hashCode(s.inputPng()) + "|"
            + Arrays.hashCode(s.editedPng()));
      });
    }
    assertThat(keys).as("a key in more than one shard").doesNotHaveDuplicates();
    return out;
  }

  private static Map<String, String> localOutcomes(Path dir) {
    Map<String, String> out = new TreeMap<>();
    try (Ledger ledger = Ledger.open(dir.resolve("ledger.duckdb"))) {
      for (LedgerEntry e : ledger.entries()) {
        out.put(e.key(), e.status() + ":" + e.reason().orElse(""));
      }
    }
    return out;
  }

  private static Map<String, String> sparkOutcomes(List<Row> rows) {
    Map<String, String> out = new TreeMap<>();
    for (Row r : rows) {
      out.put(r.getAs("key"), r.getAs("status") + ":" + (r.getAs("reason") == null ? "" : r.getAs("reason")));
    }
    return out;
  }

  @Test
  void faultsAndAForcedTaskFailureLeaveExactlyOneOutcomePerUnitMatchingTheLocalPipeline() throws Exception {
    Path local = tmp.resolve("local");
    SyntheticCuration.run(options(local));
    Map<String, String> expected = localOutcomes(local);
    assertThat(expected).hasSizeGreaterThan(N);

    SyntheticCuration.Options o = options(tmp.resolve("unused"));
    SyntheticWorld world = SyntheticCuration.world(o);
    for (int i = 0; i < N; i++) {
      world.sample(i); // the stand-in edits only scenes its world has drawn (the executors draw their own copies)
    }
    StandInOptions so = SyntheticCuration.standIn(o);
    Path out = tmp.resolve("spark");
    try (OpenAiStandInServer server = OpenAiStandInServer.builder()
        .optEditService(SyntheticServices.editService(world, so))
        .optGenerationService(SyntheticServices.generationService(world, so))
        .optChatService(SyntheticServices.chatService(world, so))
        .optLatency(Duration.ofMillis(2))
        .build()) {
      // A 429 storm, server errors, requests that outlive the client's timeout, a malformed chat reply.
      server.faults()
          .inject(Endpoint.IMAGE_EDITS, 40, FaultPlan.Fault.rateLimited("0"))
          .inject(Endpoint.IMAGE_EDITS, 10, FaultPlan.Fault.serverError(500))
          .inject(Endpoint.IMAGE_EDITS, 3, FaultPlan.Fault.delay(Duration.ofMillis(1500)))
          .inject(Endpoint.IMAGE_EDITS, 5, FaultPlan.Fault.serverError(503))
          .inject(Endpoint.CHAT_COMPLETIONS, 3, FaultPlan.Fault.malformedJson());
      OpenAiServices services = OpenAiServices.of(server.baseUrl().toString(), StandInOptions.DEFAULT_MODEL,
          "GPTEDIT_SPARK_TEST_NO_KEY", false).withRetries(700, 6, 5, 40);
      PartitionListener killOnce = (partition, attempt, finished) -> {
        if (partition == 1 && attempt == 0 && finished == 45) { // after its first shard was renamed into place
          FORCED.incrementAndGet();
          throw new IllegalStateException("forced task failure in the middle of partition 1");
        }
      };
      SparkCuration engine = SparkCuration.builder(configFactory(out), services)
          .optRequestsPerMinute(100_000)
          .optListener(killOnce)
          .build();
      CurationSummary first = engine.run(spark, InputDecoders.indices(spark, N, 3),
          InputDecoders.synthetic(SEED, MIN_SIDE, MAX_SIDE));

      assertThat(FORCED.get()).as("the forced failure fired once and its task was retried").isEqualTo(1);
      assertThat(server.faults().pending(Endpoint.IMAGE_EDITS)).as("every injected fault was served").isZero();
      assertThat(first.inputs()).isEqualTo(N);
      assertThat(first.units()).isEqualTo(expected.size());
      assertThat(first.failed()).as(first.text()).isZero();

      OutcomeTable table = new OutcomeTable(out, "synthetic");
      List<Row> rows = table.read(spark).collectAsList();
      List<String> keys = rows.stream().map(r -> (String) r.getAs("key")).toList();
      assertThat(keys).as("one row per unit").doesNotHaveDuplicates().hasSize(expected.size());
      List<Row> runRows = spark.read().parquet(table.runPath(1).toString()).collectAsList();
      assertThat(runRows).as("the failed attempt's rows were not committed").hasSize(expected.size());
      assertThat(sparkOutcomes(rows)).isEqualTo(expected);
      assertThat(shardContents(out)).isEqualTo(shardContents(local));
      for (Row r : rows) {
        if ("written".equals(r.getAs("status"))) {
          assertThat(out.resolve((String) r.getAs("shard"))).exists();
        }
      }
      try (DatasetIndex index = DatasetIndex.build(out)) {
        assertThat(index.count(DatasetIndex.Filter.ALL)).isEqualTo(first.written());
      }

      // A crashed earlier job left an orphan shard; a re-run deletes it, does no service work and changes nothing.
      Path orphan = out.resolve("synthetic-r000009-p00000-000000.tar");
      Files.write(orphan, new byte[1024]);
      int requests = server.requests(Endpoint.IMAGE_EDITS);
      CurationSummary second = SparkCuration.builder(configFactory(out), services).build()
          .run(spark, InputDecoders.indices(spark, N, 3), InputDecoders.synthetic(SEED, MIN_SIDE, MAX_SIDE));
      assertThat(second.nothingToDo()).isTrue();
      assertThat(second.skipped()).isEqualTo(expected.size());
      assertThat(server.requests(Endpoint.IMAGE_EDITS)).isEqualTo(requests);
      assertThat(orphan).doesNotExist();
      assertThat(sparkOutcomes(table.read(spark).collectAsList())).isEqualTo(expected);
      assertThat(shardContents(out)).isEqualTo(shardContents(local));
      assertThat(new HashSet<>(keys)).isEqualTo(expected.keySet());
    }
  }

  @Test
  void aGlobalBudgetIsSplitOverExecutorsWithoutExceedingIt() {
    assertThat(ClientBudget.share(250, 4, 8)).isEqualTo(new ClientBudget(62, 8));
    assertThat(ClientBudget.share(0, 4, 8).requestsPerMinute()).isZero();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ClientBudget.share(3, 4, 8))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4 executors");
  }
}
