package io.gptedit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command's wiring and output format only; its figures are measured by running it, not here. */
class TrainBenchmarkCommandTest {
  @Test
  void benchTrainRunsTheSmallConfigAndPrintsAParsableResultLine() {
    String out =
        Cli.run("bench-train", "--configs", "small", "--warmup", "1", "--steps", "2", "--peak-reps", "1");
    assertThat(out).contains("measured peak").contains("small: 1+1 blocks, hidden 64, tokens 16+16+16, batch 16");
    Matcher m =
        Pattern.compile(
                "result impl=java blas=mkl config=small threads=1 batch=16 steps=2 samples_per_s=([0-9.]+) .*"
                    + "gflop_per_step=0\\.52671 gflops=([0-9.]+) peak_gflops=([0-9.]+) peak_frac=([0-9.]+)")
            .matcher(out);
    assertThat(m.find()).as(out).isTrue();
    assertThat(Double.parseDouble(m.group(1))).isPositive();
    assertThat(Double.parseDouble(m.group(3))).isPositive();
  }

  @Test
  void anUnknownConfigIsAUsageError() {
    StringWriter err = new StringWriter();
    int code =
        new CommandLine(new GpteditCli())
            .setErr(new PrintWriter(err, true))
            .execute("bench-train", "--configs", "huge");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("unknown config 'huge' (lab, small)");
  }
}
