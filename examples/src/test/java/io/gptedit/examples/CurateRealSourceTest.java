package io.gptedit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.ImageFormat;
import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.curation.CostModel;
import io.gptedit.data.synthetic.SyntheticWorld;
import io.gptedit.testkit.remote.OpenAiStandInServer;
import io.gptedit.testkit.synthetic.StandInOptions;
import io.gptedit.testkit.synthetic.SyntheticServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gptedit curate --source folder:DIR} through the real OpenAI client against the testkit's stand-in server
 * (which reports GPT-Image-1-like token usage), with the dated price table and a hard spend cap. No key is sent.
 */
class CurateRealSourceTest {
  private static final String NO_KEY = "GPTEDIT_TEST_KEY_THAT_IS_NOT_SET";
  private static final SyntheticWorld WORLD = SyntheticWorld.builder(11).optSides(48, 96).build();

  @TempDir Path tmp;

  private Path folder(int n) throws Exception {
    Path dir = tmp.resolve("source");
    Files.createDirectories(dir);
    for (int i = 0; i < n; i++) {
      EditTriplet t = WORLD.sample(i).toTriplet();
      String key = String.format("k%03d", i);
      ImageCodec.write(t.input(), dir.resolve(key + ".input.png"), ImageFormat.PNG);
      ImageCodec.write(t.edited(), dir.resolve(key + ".edited.png"), ImageFormat.PNG);
      Files.writeString(dir.resolve(key + ".txt"), t.instruction().text());
    }
    return dir;
  }

  private static double spend(String out) {
    Matcher m = Pattern.compile("spend \\$([0-9.]+)").matcher(out);
    assertThat(m.find()).as(out).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void dryRunPrintsThePlanCallsAndTheCeilingAtTheDatedPrices() throws Exception {
    Path src = folder(6);
    String out = Cli.run("curate", "--source", "folder:" + src, "--dataset", "omniedit", "--output",
        tmp.resolve("dry").toString(), "--dry-run", "--generation-unit", "64", "--key-env", NO_KEY);
    assertThat(out).contains("dry run: 6 inputs").contains("image-edit calls")
        .contains("prices as of " + CostModel.pricesAsOf());
    assertThat(tmp.resolve("dry").resolve("ledger.duckdb")).doesNotExist();
  }

  @Test
  void aHardSpendCapStopsTheRunWithinItAndALaterRunFinishesFromTheLedger() throws Exception {
    Path src = folder(8);
    StandInOptions service = new StandInOptions(0, Duration.ZERO, "gpt-4o");
    try (OpenAiStandInServer server = OpenAiStandInServer.builder()
            .optEditService(SyntheticServices.editService(WORLD, service))
            .optGenerationService(SyntheticServices.generationService(WORLD, service))
            .optChatService(SyntheticServices.chatService(WORLD, service))
            .build()) {
      Path out = tmp.resolve("curated");
      double cap = 0.10;
      String first = Cli.run("curate", "--source", "folder:" + src, "--dataset", "omniedit", "--output", out.toString(),
          "--base-url", server.baseUrl().toString(), "--key-env", NO_KEY, "--max-spend", Double.toString(cap),
          "--concurrency", "2", "--generation-unit", "64");
      assertThat(first).contains("stopped at the spend cap");
      assertThat(spend(first)).isPositive().isLessThanOrEqualTo(cap);
      String second = Cli.run("curate", "--source", "folder:" + src, "--dataset", "omniedit", "--output", out.toString(),
          "--base-url", server.baseUrl().toString(), "--key-env", NO_KEY, "--max-spend", "50",
          "--concurrency", "2", "--generation-unit", "64");
      assertThat(second).doesNotContain("stopped at the spend cap");
      Matcher skipped = Pattern.compile("(\\d+) skipped as done").matcher(second);
      assertThat(skipped.find()).isTrue();
      assertThat(Integer.parseInt(skipped.group(1))).isPositive();
    }
  }
}
