package io.gptedit.examples;

import io.gptedit.data.curation.CostModel;
import io.gptedit.data.curation.ScaleEstimate;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Estimates a curation run at the paper's scale: calls, API time, spend and shard bytes. */
@Command(
    name = "estimate",
    mixinStandardHelpOptions = true,
    description = "Estimate curating the paper's release (1,553,575 samples from OmniEdit, HQ-Edit and UltraEdit): "
        + "service calls, API time under the rate and concurrency limits, spend from the dated price table, shard bytes.")
final class EstimateCommand implements Callable<Integer> {
  @Option(names = "--image-rpm", description = "Image requests per minute of the account (default ${DEFAULT-VALUE}).")
  int imageRpm = 1000;

  @Option(names = "--chat-rpm", description = "Chat requests per minute of the account (default ${DEFAULT-VALUE}).")
  int chatRpm = 5000;

  @Option(names = "--concurrency", description = "Image requests in flight over all workers (default ${DEFAULT-VALUE}).")
  int concurrency = 64;

  @Option(names = "--latency-s", description = "Seconds per image call (default ${DEFAULT-VALUE}).")
  double latency = 60;

  @Option(names = "--attempts", description = "Mean attempts per call, retries included (default ${DEFAULT-VALUE}).")
  double attempts = 1.05;

  @Option(names = "--bytes-per-sample", description = "Mean shard bytes per sample (default ${DEFAULT-VALUE}: the "
      + "release's about 5 TB over 1,553,575 samples).")
  double bytesPerSample = 5e12 / 1_553_575;

  @Option(names = "--measure", description = "A shard folder to measure the mean bytes per sample from instead.")
  Path measure;

  @Option(names = "--model", description = "Image model in the price table (default ${DEFAULT-VALUE}).")
  String model = "gpt-image-1";

  @Option(names = "--chat-model", description = "Chat model in the price table (default ${DEFAULT-VALUE}).")
  String chatModel = "gpt-4o";

  @Override
  public Integer call() {
    double perSample = measure == null ? bytesPerSample : ScaleEstimate.measuredBytesPerSample(measure);
    ScaleEstimate e = new ScaleEstimate(ScaleEstimate.paperRelease(), imageRpm, chatRpm, concurrency, latency, attempts,
        perSample, CostModel.published(model, chatModel));
    System.out.println(e.text());
    return 0;
  }
}
