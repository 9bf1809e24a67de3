package io.gptedit.testkit.curation;

import io.gptedit.data.curation.CurationSummary;
import io.gptedit.testkit.synthetic.SyntheticCuration;
import java.nio.file.Path;
import java.time.Duration;

/** The child process of {@link KillAndResumeTest}: one synthetic curation run over loopback HTTP, then exit 0. */
public final class CurationChild {
  private CurationChild() {}

  /**
   * Runs the curation.
   *
   * @param args output folder, samples, latency in ms, concurrency, samples per shard
   */
  public static void main(String[] args) {
    SyntheticCuration.Options o = KillAndResumeTest.options(Path.of(args[0]), Integer.parseInt(args[1]))
        .withService(Integer.parseInt(args[3]), KillAndResumeTest.DEFECT_RATE, Duration.ofMillis(Long.parseLong(args[2])))
        .withShardSamples(Integer.parseInt(args[4]))
        .withLoopbackHttp(true);
    CurationSummary s = SyntheticCuration.run(o);
    System.out.println(s.text());
    System.exit(0);
  }
}
