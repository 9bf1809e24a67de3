package io.gptedit.examples;

import io.gptedit.data.curation.CurationConfig;
import io.gptedit.data.curation.CurationSummary;
import io.gptedit.spark.ClientBudget;
import io.gptedit.spark.ConfigFactory;
import io.gptedit.spark.CurationServices;
import io.gptedit.spark.InputDecoders;
import io.gptedit.spark.OpenAiServices;
import io.gptedit.spark.ServicesFactory;
import io.gptedit.spark.SparkApiCuration;
import io.gptedit.spark.SparkCuration;
import io.gptedit.testkit.remote.OpenAiStandInServer;
import io.gptedit.testkit.synthetic.StandInOptions;
import io.gptedit.testkit.synthetic.SyntheticCuration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.spark.sql.SparkSession;

/**
 * {@code curate --engine spark}: the synthetic world (the same settings and samples as the local engine) or a real
 * source ({@link SparkApiCuration}).
 */
final class SparkCurate {
  private SparkCurate() {}

  /** The synthetic run's settings, rebuilt on every executor from plain values. */
  record SyntheticConfig(String out, int samples, long seed, int concurrency, double defectRate, long latencyMs)
      implements ConfigFactory {
    private static final long serialVersionUID = 1L;

    SyntheticCuration.Options options() {
      return SyntheticCuration.Options.defaults(Path.of(out), samples).withSeed(seed)
          .withService(concurrency, defectRate, Duration.ofMillis(latencyMs));
    }

    @Override
    public CurationConfig create() {
      return SyntheticCuration.config(options());
    }
  }

  /** The synthetic world's in-process stand-in services, one set per executor. */
  record SyntheticServicesFactory(SyntheticConfig config) implements ServicesFactory {
    private static final long serialVersionUID = 1L;

    @Override
    public CurationServices create(ClientBudget budget) {
      SyntheticCuration.Services s = SyntheticCuration.drawnServices(config.options());
      return new CurationServices(s.edit(), s.generation(), s.chat(), null);
    }
  }

  static CurationSummary run(CurateCommand c) {
    if (Files.exists(c.out.resolve("ledger.duckdb"))) {
      throw new IllegalArgumentException(c.out + " holds a local engine's ledger; give the Spark engine its own --output");
    }
    // Spark logs through slf4j-simple here; keep its INFO chatter out of the console.
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.spark", "warn");
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.hadoop", "error");
    System.setProperty("org.slf4j.simpleLogger.log.org.sparkproject", "error");
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.parquet", "warn");
    SparkSession spark = SparkSession.builder().master(c.master).appName("gptedit-curate")
        .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", String.valueOf(Math.max(1, c.partitions))).getOrCreate();
    try {
      if (c.source != null) {
        return new SparkApiCuration(c.source, c.out.toString(), c.dataset, c.baseUrl, c.model, c.chatModel, c.keyEnv,
            c.concurrency, c.generationUnit == null ? 0 : c.generationUnit).run(spark, c.partitions, c.rpm);
      }
      SyntheticConfig config = new SyntheticConfig(c.out.toString(), c.samples, c.seed, c.concurrency, c.defectRate,
          c.latencyMs);
      SyntheticCuration.Options o = config.options();
      var inputs = InputDecoders.indices(spark, o.samples(), c.partitions);
      var decoder = InputDecoders.synthetic(o.seed(), o.minSide(), o.maxSide());
      if (!c.http) {
        return SparkCuration.builder(config, new SyntheticServicesFactory(config)).optRequestsPerMinute(c.rpm).build()
            .run(spark, inputs, decoder);
      }
      if (!c.master.startsWith("local")) {
        throw new IllegalArgumentException("--http serves the stand-in on this machine's loopback: use a local master");
      }
      try (OpenAiStandInServer server = SyntheticCuration.standInServer(SyntheticCuration.drawnServices(o)).build()) {
        OpenAiServices services = OpenAiServices.of(server.baseUrl().toString(), StandInOptions.DEFAULT_MODEL,
            "GPTEDIT_STAND_IN_HAS_NO_KEY", false).withRetries(60_000, 5, 10, 1_000);
        return SparkCuration.builder(config, services).optRequestsPerMinute(c.rpm).build().run(spark, inputs, decoder);
      }
    } finally {
      spark.stop();
    }
  }
}
