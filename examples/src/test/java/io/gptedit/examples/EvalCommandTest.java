package io.gptedit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalCommandTest {
  @TempDir Path tmp;


  @Test
  void evalCommandJudgesAMiniBenchmarkOverLoopbackAndPrintsTheReportBesideThePaper() throws Exception {
    String out = Cli.run("eval", "--benchmark", "imgedit", "--work", tmp.toString());
    assertThat(out).contains("ImgEdit").contains("GPT-Image-1").contains("demo-recolour").contains("overall");
    assertThat(Files.exists(tmp.resolve("imgedit/outputs/reports"))).isTrue();
    // A second run reuses the outputs and the judge cache and prints the same report.
    String again = Cli.run("eval", "--benchmark", "imgedit", "--work", tmp.toString());
    assertThat(again.lines().filter(l -> l.contains("**overall**")).toList())
        .isEqualTo(out.lines().filter(l -> l.contains("**overall**")).toList());
  }
}
