package io.gptedit.examples;

import io.gptedit.core.remote.OpenAiClient;
import io.gptedit.data.curation.ApiCuration;
import io.gptedit.data.curation.CurationSummary;
import io.gptedit.testkit.synthetic.SyntheticCuration;
import io.gptedit.core.progress.ProgressLine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Curates synthetic samples through the paper's full pipeline (pad, regenerate, crop, quality checks, instruction
 * rewrite, C3 composition, shards) with the synthetic world's exact edit service standing in for GPT-Image-1.
 * Resumable: a second run with the same options does no work.
 */
@Command(
    name = "curate",
    mixinStandardHelpOptions = true,
    description = "Curate synthetic triplets through the full pipeline into WebDataset shards with a DuckDB "
        + "ledger; re-running resumes (and does nothing when everything is done).")
final class CurateCommand implements Callable<Integer> {
  @Option(names = {"-o", "--output"}, description = "Shard folder; the ledger is ledger.duckdb inside (default ${DEFAULT-VALUE}).")
  Path out = Path.of("gptedit-runs", "curate");

  @Option(names = "--samples", description = "Synthetic inputs to curate (default ${DEFAULT-VALUE}).")
  int samples = 2000;

  @Option(names = "--seed", description = "The synthetic world's seed (default ${DEFAULT-VALUE}).")
  long seed = 1;

  @Option(names = "--concurrency", description = "Samples in flight at once (default ${DEFAULT-VALUE}).")
  int concurrency = 4;

  @Option(names = "--defect-rate", description = "Share of padded edits the stand-in answers with a GPT-Image-1-like defect (default ${DEFAULT-VALUE}).")
  double defectRate = 0.05;

  @Option(names = "--latency-ms", description = "Artificial latency per service call in ms (default ${DEFAULT-VALUE}).")
  long latencyMs = 0;

  @Option(names = "--http", description = "Serve the stand-in services over loopback HTTP and call them with the real OpenAI-compatible client.")
  boolean http;

  @Option(names = "--dry-run", description = "Plan and count without calling any service.")
  boolean dryRun;

  @Option(names = "--source", description = "Real data instead of the synthetic world: release:DIR (extracted release), "
      + "archives:DIR (the release's tar.gz.partNNN, streamed), parquet:FILE|GLOB|DIR or folder:DIR.")
  String source;

  @Option(names = "--dataset", description = "With --source: the dataset (omniedit, hqedit, ultraedit, ...): the curation "
      + "policy, the parquet column names and the shard prefix (default ${DEFAULT-VALUE}).")
  String dataset = "omniedit";

  @Option(names = "--api", description = "With --source: the image API; only openai (any OpenAI-compatible server) today.")
  String api = "openai";

  @Option(names = "--base-url", description = "With --source: the API base URL (default ${DEFAULT-VALUE}).")
  String baseUrl = OpenAiClient.DEFAULT_BASE_URL;

  @Option(names = "--model", description = "With --source: the image-edit model (default ${DEFAULT-VALUE}).")
  String model = OpenAiClient.DEFAULT_IMAGE_MODEL;

  @Option(names = "--chat-model", description = "With --source: the rewrite and C3 chat model (default ${DEFAULT-VALUE}).")
  String chatModel = "gpt-4o";

  @Option(names = "--key-env", description = "With --source: the environment variable holding the API key (default ${DEFAULT-VALUE}); "
      + "optional for a loopback base URL.")
  String keyEnv = OpenAiClient.DEFAULT_API_KEY_ENV;

  @Option(names = "--max-spend", description = "With --source: a hard spend cap in USD (prices from the dated table in gptedit-data).")
  Double maxSpend;

  @Option(names = "--generation-unit", description = "With --source: pixels per aspect unit of the generation size "
      + "(default: GPT-Image-1's 1024x1024, 1536x1024, 1024x1536).")
  Integer generationUnit;

  @Option(names = "--engine", description = "local (one JVM, DuckDB ledger) or spark (Apache Spark: shards per partition, "
      + "parquet outcome table; the synthetic default or --source release:, parquet: or folder:) (default ${DEFAULT-VALUE}).")
  String engine = "local";

  @Option(names = "--master", description = "With --engine spark: the Spark master, such as local[*] or spark://host:7077 "
      + "(default ${DEFAULT-VALUE}).")
  String master = "local[*]";

  @Option(names = "--partitions", description = "With --engine spark: input partitions, one task each (default ${DEFAULT-VALUE}).")
  int partitions = 4;

  @Option(names = "--rpm", description = "With --engine spark: the whole job's requests-per-minute budget, split over the "
      + "executors; 0 for none (default ${DEFAULT-VALUE}).")
  int rpm = 0;

  @Override
  public Integer call() {
    if (!engine.equals("local") && !engine.equals("spark")) {
      throw new IllegalArgumentException("--engine must be local or spark, got '" + engine + "'");
    }
    if (engine.equals("spark") && (dryRun || maxSpend != null)) {
      throw new IllegalArgumentException("--engine spark neither plans (--dry-run) nor caps spend (--max-spend): plan "
          + "and cap with the local engine, size a Spark job with gptedit estimate (docs/data.md)");
    }
    if (source != null && !api.equals("openai")) {
      throw new IllegalArgumentException("--api must be openai (any OpenAI-compatible server), got '" + api + "'");
    }
    CurationSummary summary;
    if (engine.equals("spark")) {
      summary = SparkCurate.run(this);
      System.out.println(summary.text());
      System.out.println("outcomes: " + out.resolve(io.gptedit.spark.OutcomeTable.TABLE) + " (parquet, one row per sample)");
    } else if (source != null) {
      summary = curateRealSource();
    } else {
      ProgressLine line = new ProgressLine("curate", System.err, 1.0);
      summary = SyntheticCuration.run(SyntheticCuration.Options.defaults(out, samples).withSeed(seed)
          .withService(concurrency, defectRate, Duration.ofMillis(latencyMs)).withDryRun(dryRun).withLoopbackHttp(http)
          .withListener(p -> line.show(p.done(), p.total(), p.line())));
      System.out.println(summary.text());
    }
    if (summary.nothingToDo() && !dryRun && !summary.stoppedAtSpendCap()) {
      System.out.println("nothing to do: every sample is already written or rejected in " + out);
    }
    return 0;
  }

  private CurationSummary curateRealSource() {
    ProgressLine line = new ProgressLine("curate", System.err, 1.0);
    ApiCuration.Builder b = ApiCuration.builder(source, out).optDataset(dataset).optBaseUrl(baseUrl)
        .optImageModel(model).optChatModel(chatModel).optApiKeyEnvironmentVariable(keyEnv).optConcurrency(concurrency)
        .optDryRun(dryRun).optListener(p -> line.show(p.done(), p.total(), p.line()));
    if (generationUnit != null) {
      b.optGenerationUnit(generationUnit);
    }
    if (maxSpend != null) {
      b.optMaxSpendUsd(maxSpend);
    }
    ApiCuration.Result r = b.build().run();
    System.out.println(r.summary().text());
    ApiCuration.Plan e = r.plan();
    if (e != null) {
      System.out.printf(Locale.ROOT,
          "plan: %d image-edit calls and %d chat calls at first attempt, at most $%.2f at %s / %s prices as of %s"
              + " (retries may add more; --max-spend caps the total)%n",
          e.imageCalls(), e.chatCalls(), e.maxUsd(), e.imageModel(), e.chatModel(), e.pricesAsOf());
    }
    if (!r.problems().isEmpty()) {
      System.out.println("source problems: " + r.problems().size() + ", first: " + r.problems().get(0));
    }
    return r.summary();
  }
}
