package io.gptedit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class EvalCommandTest {
  @TempDir Path tmp;

  private String run(String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
      assertThat(new CommandLine(new GpteditCli()).execute(args)).isZero();
    } finally {
      System.setOut(old);
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  @Test
  void evalCommandJudgesAMiniBenchmarkOverLoopbackAndPrintsTheReportBesideThePaper() throws Exception {
    String out = run("eval", "--benchmark", "imgedit", "--work", tmp.toString());
    assertThat(out).contains("ImgEdit").contains("GPT-Image-1").contains("demo-recolour").contains("overall");
    assertThat(Files.exists(tmp.resolve("imgedit/outputs/reports"))).isTrue();
    // A second run reuses the outputs and the judge cache and prints the same report.
    String again = run("eval", "--benchmark", "imgedit", "--work", tmp.toString());
    assertThat(again.lines().filter(l -> l.contains("**overall**")).toList())
        .isEqualTo(out.lines().filter(l -> l.contains("**overall**")).toList());
  }
}
