package io.gptedit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CurateCommandTest {
  @TempDir Path tmp;


  @Test
  void curateWritesShardsOverLoopbackHttpAndASecondRunDoesNoWork() throws Exception {
    String first = Cli.run("curate", "--output", tmp.toString(), "--samples", "40", "--http");
    assertThat(first).contains("curation: 40 inputs").doesNotContain("nothing to do");
    try (Stream<Path> files = Files.list(tmp)) {
      assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.endsWith(".tar")).contains("ledger.duckdb");
    }
    String second = Cli.run("curate", "--output", tmp.toString(), "--samples", "40", "--http");
    assertThat(second).contains("written 0, rejected 0").contains("nothing to do");
  }
}
