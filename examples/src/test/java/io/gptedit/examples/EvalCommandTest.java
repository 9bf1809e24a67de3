package io.gptedit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class EvalCommandTest {
  @TempDir Path tmp;


  @Test
  void evalCommandJudgesAMiniBenchmarkOverLoopbackAndPrintsTheReportBesideThePaper() throws Exception {
    String out = Cli.run("eval", "--benchmark", "imgedit", "--output", tmp.toString());
    assertThat(out).contains("ImgEdit").contains("GPT-Image-1").contains("demo-recolour").contains("overall");
    assertThat(Files.exists(tmp.resolve("imgedit/outputs/reports"))).isTrue();
    // A second run reuses the outputs and the judge cache and prints the same report.
    String again = Cli.run("eval", "--benchmark", "imgedit", "--output", tmp.toString());
    assertThat(again.lines().filter(l -> l.contains("**overall**")).toList())
        .isEqualTo(out.lines().filter(l -> l.contains("**overall**")).toList());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ftp://u:KEY@host/v1", "https://api.example.com/v1 x?k=KEY"})
  void aRefusedBaseUrlIsReportedWithoutPrintingTheKeyInIt(String template) {
    // Before: the scheme check quoted the URL, and a URL with a space leaked through URISyntaxException's message.
    String key = "sk-proj-CLIKEY-abcdef0123456789";
    StringWriter err = new StringWriter();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      CommandLine cli = new CommandLine(new GpteditCli());
      cli.setErr(new PrintWriter(err, true));
      code = cli.execute("eval", "--benchmark", "imgedit", "--output", tmp.toString(), "--base-url", template.replace("KEY", key));
    } finally {
      System.setOut(old);
    }
    assertThat(code).isNotZero();
    assertThat(err.toString()).contains("baseUrl").doesNotContain(key).doesNotContain("CLIKEY");
    assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("CLIKEY");
  }
}
