package io.gptedit.examples;

import io.gptedit.data.curation.CurationSummary;
import io.gptedit.testkit.synthetic.SyntheticCuration;
import java.nio.file.Path;
import java.time.Duration;
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
  @Option(names = "--out", description = "Shard folder; the ledger is ledger.duckdb inside (default ${DEFAULT-VALUE}).")
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

  @Override
  public Integer call() {
    ProgressLine line = new ProgressLine("curate", System.err, 1.0);
    SyntheticCuration.Options options =
        SyntheticCuration.Options.defaults(out, samples)
            .withSeed(seed)
            .withService(concurrency, defectRate, Duration.ofMillis(latencyMs))
            .withDryRun(dryRun)
            .withLoopbackHttp(http)
            .withListener(p -> line.show(p.done(), p.total(), p.line()));
    CurationSummary summary = SyntheticCuration.run(options);
    System.out.println(summary.text());
    if (summary.nothingToDo()) {
      System.out.println("nothing to do: every sample is already written or rejected in " + out);
    }
    return 0;
  }
}
