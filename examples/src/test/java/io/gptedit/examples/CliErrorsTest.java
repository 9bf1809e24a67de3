package io.gptedit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.ImageFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's bad inputs print one line on standard error, never a stack trace or the usage text. */
class CliErrorsTest {
  @TempDir Path tmp;

  static void assertOneLine(Cli.Failure f, int code) {
    assertThat(f.code()).as("exit code; stderr:%n%s", f.err()).isEqualTo(code);
    assertThat(f.err().strip()).doesNotContain("\n").doesNotContain("\tat ").doesNotContain("Usage:");
  }

  @Test
  void aGpuTheEngineDoesNotHaveIsOneLineNamingItAndTheEnginesGpuCount() {
    int gpus = ai.djl.engine.Engine.getInstance().getGpuCount();
    Cli.Failure train = Cli.fail("train", "--data", tmp.resolve("no-shards").toString(), "-o",
        tmp.resolve("run").toString(), "--device", "gpu:" + gpus);
    assertOneLine(train, 1);
    assertThat(train.err()).startsWith("gptedit train: gpu:" + gpus + " is not available").contains("sees " + gpus);
    Cli.Failure edit = Cli.fail("edit", "--checkpoint", tmp.resolve("no-run").toString(), "--image",
        tmp.resolve("in.png").toString(), "--instruction", "x", "--device", "cuda:" + gpus);
    assertOneLine(edit, 1);
    assertThat(edit.err()).startsWith("gptedit edit: gpu:" + gpus + " is not available");
  }

  @Test
  void gptEditLabRefusesAGpuTheEngineDoesNotHaveBeforeMakingItsReportFolder() {
    int gpus = ai.djl.engine.Engine.getInstance().getGpuCount();
    Path out = tmp.resolve("lab-report");
    Cli.Failure lab = Cli.fail("lab", "-o", out.toString(), "--steps", "4", "--device", "gpu:" + gpus);
    assertOneLine(lab, 1);
    assertThat(lab.err()).startsWith("gptedit lab: gpu:" + gpus + " is not available").contains("sees " + gpus);
    assertThat(out).doesNotExist();
    Cli.Failure bad = Cli.fail("lab", "-o", out.toString(), "--device", "tpu");
    assertOneLine(bad, 1);
    assertThat(bad.err()).startsWith("gptedit lab: 'tpu' is not a device");
    assertThat(Cli.run("lab", "--help")).contains("--device");
  }

  @Test
  void aMalformedDeviceIsOneLineNamingIt() {
    Cli.Failure f = Cli.fail("edit", "--checkpoint", tmp.resolve("no-run").toString(), "--image",
        tmp.resolve("in.png").toString(), "--instruction", "x", "--device", "tpu");
    assertOneLine(f, 1);
    assertThat(f.err()).startsWith("gptedit edit: 'tpu' is not a device");
  }

  @Test
  void unknownBenchmarkIsOneLineNamingTheChoices() {
    Cli.Failure f = Cli.fail("eval", "--benchmark", "foo", "--output", tmp.toString());
    assertOneLine(f, 1);
    assertThat(f.err())
        .startsWith("gptedit eval: unknown benchmark 'foo'; expected one of gedit, imgedit, complex-edit, omnicontext")
        .contains("--verbose for the stack trace");
  }

  @Test
  void wrongEnumValueIsOneLineListingTheChoicesAndEnumsAreCaseInsensitive() {
    Cli.Failure f = Cli.fail("lab", "--text-fusion", "bogus");
    assertOneLine(f, 2);
    assertThat(f.err())
        .startsWith("gptedit lab: Invalid value for option '--text-fusion'")
        .contains("T5, MLLM, MLLM_T5, METAQUERY")
        .contains("'bogus'")
        .contains("(see 'gptedit lab --help')");
    // Lower case is accepted: the failure, if any, is not about the enum value.
    Cli.Failure lower = Cli.fail("lab", "--text-fusion", "metaquery", "--steps", "-1");
    assertThat(lower.err()).doesNotContain("Invalid value for option '--text-fusion'");
  }

  @Test
  void negativePadcropWidthIsOneLine() {
    Cli.Failure f = Cli.fail("padcrop", "--width", "-5");
    assertOneLine(f, 2);
    assertThat(f.err()).isEqualToIgnoringNewLines(
        "gptedit padcrop: --width and --height must be positive, got -5x768 (see 'gptedit padcrop --help')");
  }

  @Test
  void unwritablePadcropOutIsOneLineNamingTheFile() throws Exception {
    Path file = Files.writeString(tmp.resolve("not-a-folder"), "x");
    Cli.Failure f = Cli.fail("padcrop", "--width", "64", "--height", "64", "--output", file.toString());
    assertOneLine(f, 1);
    assertThat(f.err()).startsWith("gptedit padcrop: ").contains("not-a-folder");
  }

  @Test
  void verbosePrintsTheStackTraceInstead() {
    Cli.Failure f = Cli.fail("--verbose", "eval", "--benchmark", "foo", "--output", tmp.toString());
    assertThat(f.code()).isEqualTo(1);
    assertThat(f.err()).contains("IllegalArgumentException: unknown benchmark 'foo'").contains("\tat ");
    Cli.Failure sub = Cli.fail("eval", "--verbose", "--benchmark", "foo", "--output", tmp.toString());
    assertThat(sub.err()).contains("\tat ");
  }

  @Test
  void djlLoggingIsQuietUnlessVerboseOrTheUserSetALevel() {
    String key = "org.slf4j.simpleLogger.log.ai.djl";
    String before = System.getProperty(key);
    try {
      System.clearProperty(key);
      GpteditCli.quietLogging(true);
      assertThat(System.getProperty(key)).isNull();
      GpteditCli.quietLogging(false);
      assertThat(System.getProperty(key)).isEqualTo("error");
      System.setProperty(key, "debug");
      GpteditCli.quietLogging(false);
      assertThat(System.getProperty(key)).isEqualTo("debug");
    } finally {
      if (before == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, before);
      }
    }
  }

  @Test
  void everyCommandsHelpRendersWithoutAPicocliFormatWarning() {
    // Regression: "about 18 % faster" in lab's --threads description is a format specifier to picocli, which warned
    // three times on stderr and printed the raw text on every `gptedit lab --help`.
    java.io.PrintStream old = System.err;
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    try {
      System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
      for (String command : GpteditCli.commandLine(false).getSubcommands().keySet()) {
        assertThat(Cli.run(command, "--help")).as(command).contains("Usage: gptedit " + command);
      }
    } finally {
      System.setErr(old);
    }
    assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("WARN");
  }

  @Test
  void unknownOptionIsOneLineWithoutTheUsage() {
    Cli.Failure f = Cli.fail("padcrop", "--colour", "red");
    assertOneLine(f, 2);
    assertThat(f.err()).startsWith("gptedit padcrop: Unknown options: '--colour', 'red'");
  }

  @Test
  void padcropTakesTheUsersOwnImage() {
    Path in = tmp.resolve("mine.png");
    ImageCodec.write(io.gptedit.testkit.synthetic.PadCropWalkthrough.testPattern(300, 200), in, ImageFormat.PNG);
    String out = Cli.run("padcrop", "--in", in.toString(), "--output", tmp.resolve("o").toString());
    assertThat(out).contains("input 300x200 -> preset 3:2");
    assertThat(ImageCodec.read(tmp.resolve("o").resolve("cropped.png")).width()).isEqualTo(300);
    Cli.Failure missing = Cli.fail("padcrop", "--in", tmp.resolve("nope.png").toString());
    assertOneLine(missing, 1);
    assertThat(missing.err()).contains("nope.png");
  }
}
