package io.gptedit.testkit.loopback;

import io.gptedit.data.curation.CurationSummary;
import io.gptedit.eval.Benchmark;
import io.gptedit.eval.run.Evaluation;
import io.gptedit.testkit.eval.MiniBenchmarkDemo;
import io.gptedit.testkit.synthetic.SyntheticCuration;
import java.nio.file.Path;

/**
 * The child process of {@link StandInNeverGetsTheEnvironmentsKeyTest}: runs one offline demo that talks to the
 * loopback stand-in ({@code curate} over HTTP, or the offline {@code eval}), then exits 0.
 */
public final class StandInKeyChild {
  private StandInKeyChild() {}

  /**
   * Runs the demo.
   *
   * @param args {@code curate} or {@code eval}, then a work folder
   */
  public static void main(String[] args) {
    Path dir = Path.of(args[1]);
    if (args[0].equals("curate")) {
      CurationSummary s = SyntheticCuration.run(
          SyntheticCuration.Options.defaults(dir, 6).withSizes(24, 48, 32).withLoopbackHttp(true));
      System.out.println(s.text());
      System.exit(s.failed() == 0 ? 0 : 2);
    }
    Evaluation e = MiniBenchmarkDemo.runOffline(Benchmark.IMGEDIT, dir, event -> { });
    System.out.println(e.report().markdown());
    System.exit(0);
  }
}
