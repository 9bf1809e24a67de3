package io.gptedit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PlanCommandTest {
  @Test
  void stage2On80GbSaysItNeedsShardedOr8BitMomentsAndPrintsTheIssuesArithmetic() {
    String out = Cli.run("plan", "--stage", "STAGE2", "--memory-gb", "80");
    assertThat(out)
        .contains("4.04 B trainable of 12.00 B parameters")
        .contains("weights 24.0 GB + masters 16.2 GB + gradients 16.2 GB + optimizer 32.3 GB = 88.6 GB")
        .contains("does not fit 80 GB before activations")
        .contains("1024x1024")
        .contains("8704");
  }

  @Test
  void stage2With8BitMomentsFits80GbAndCheckpointingGivesABatchAt1024() {
    String out = Cli.run("plan", "--stage", "STAGE2", "--memory-gb", "80", "--optimizer", "ADAMW_8BIT");
    assertThat(out).doesNotContain("does not fit").contains("= 64.4 GB before activations");
    String row = out.lines().filter(l -> l.startsWith("1024x1024")).findFirst().orElseThrow();
    assertThat(row).contains("0 / 1 (ckpt)");
  }
}
