package io.gptedit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EstimateCommandTest {
  @Test
  void estimatePrintsThePaperReleaseCallsTimeCostAndBytes() {
    String out = Cli.run("estimate", "--image-rpm", "1000", "--attempts", "1");
    assertThat(out).contains("samples 1,553,575; image calls 1,647,172 and chat calls 726,786")
        .contains("API time").contains("cost at most $").contains("shards 5.00 TB");
  }
}
