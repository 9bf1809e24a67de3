package io.gptedit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CurateCommandTest {
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
  void curateWritesShardsOverLoopbackHttpAndASecondRunDoesNoWork() throws Exception {
    String first = run("curate", "--out", tmp.toString(), "--samples", "40", "--http");
    assertThat(first).contains("curation: 40 inputs").doesNotContain("nothing to do");
    try (Stream<Path> files = Files.list(tmp)) {
      assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.endsWith(".tar")).contains("ledger.duckdb");
    }
    String second = run("curate", "--out", tmp.toString(), "--samples", "40", "--http");
    assertThat(second).contains("written 0, rejected 0").contains("nothing to do");
  }
}
