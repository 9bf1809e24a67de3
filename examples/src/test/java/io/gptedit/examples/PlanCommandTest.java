package io.gptedit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PlanCommandTest {
  @Test
  void stage2On80GbSaysItNeedsShardedOr8BitMomentsAndPrintsTheIssuesArithmetic() {
    String out = Cli.run("plan", "--stage", "STAGE2", "--memory-gb", "80");
    assertThat(out)
        .contains("4.04 B trainable of 12.00 B parameters")
        .contains("weights 24.0 GB + masters 16.2 GB + gradients 24.2 GB + optimizer 32.3 GB + its buffer 0.3 GB"
            + " = 97.0 GB")
        .contains("does not fit 80 GB before activations")
        .contains("1024x1024")
        .contains("8704");
  }

  @Test
  void stage2At1024NeedsMoreThan80GbEvenWith8BitMomentsAndFitsOne141GbGpuWithCheckpointing() {
    String out = Cli.run("plan", "--stage", "STAGE2", "--memory-gb", "80", "--optimizer", "ADAMW_8BIT");
    assertThat(out).doesNotContain("does not fit").contains("= 72.7 GB before activations");
    assertThat(row(out, "1024x1024")).contains("0 / 0 (ckpt)");
    String h200 = Cli.run("plan", "--stage", "STAGE2", "--memory-gb", "141");
    assertThat(h200).doesNotContain("does not fit");
    assertThat(row(h200, "1024x1024")).contains("0 / 2 (ckpt)"); // 97.0 GB + 2 x 20.9 GB of checkpointed activations
  }

  @Test
  void residentQwenEncoderAddsItsFp16WeightsToThePlan() {
    String out = Cli.run("plan", "--stage", "STAGE2", "--memory-gb", "141", "--encoders", "QWEN");
    assertThat(out)
        .contains("frozen encoders on the device (QWEN): 8.29 B parameters, 16.6 GB in fp16")
        .contains("weights 40.6 GB + masters 16.2 GB");
    Cli.Failure bad = Cli.fail("plan", "--encoders", "BOGUS");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("--encoders").contains("CACHED").contains("BOGUS");
  }

  @Test
  void sd3MediumPlansTheFullInstructPix2PixFineTuneAndRejectsAnUnknownModel() {
    String out = Cli.run("plan", "--model", "sd3-medium", "--memory-gb", "80");
    assertThat(out)
        .contains("SD3-Medium InstructPix2Pix full fine-tune: 2.03 B parameters, all trained")
        .contains("333 text tokens")
        .contains("= 40.8 GB before activations")
        .doesNotContain("does not fit")
        .doesNotContain("Kontext");
    assertThat(row(out, "1024x1024")).contains("4429").contains("1 / 7 (ckpt)");
    assertThat(Cli.run("plan")).contains("FLUX.1-Kontext-dev"); // the default is unchanged
    Cli.Failure bad = Cli.fail("plan", "--model", "sd3-large");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("--model").contains("sd3-large");
  }

  private static String row(String out, String resolution) {
    return out.lines().filter(l -> l.startsWith(resolution)).findFirst().orElseThrow();
  }
}
