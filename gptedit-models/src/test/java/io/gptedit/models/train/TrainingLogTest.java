package io.gptedit.models.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingLogTest {
  /** A clock the test moves: every step takes exactly half a second. */
  private static final class FakeClock {
    long nanos = 1_000_000_000L;
  }

  @Test
  void withoutATerminalItPrintsAPlainLineEveryNStepsWithRateAndEtaAndASummaryAtTheEnd() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    FakeClock clock = new FakeClock();
    try (TrainingLog p = new TrainingLog(10, out, 4, () -> clock.nanos)) {
      for (int s = 1; s <= 10; s++) {
        clock.nanos += 500_000_000L;
        boolean skip = s == 6;
        p.onStep(new StepMetrics(s, 1.0 / s, 1e-3, 0.5, 32.0, skip));
        if (s == 8) {
          p.onCheckpoint(8, Path.of("run/checkpoints/step-000000008"));
        }
      }
    }
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines)
        .containsExactly(
            "step 1/10 (10.0%)  loss 1.00000  lr 1.00e-03  32.0 samples/s  ? steps/s  elapsed 0:00:01  ETA ?",
            "step 4/10 (40.0%)  loss 0.25000  lr 1.00e-03  32.0 samples/s  2.00 steps/s  elapsed 0:00:02  ETA 0:00:03",
            "step 8/10 (80.0%)  loss 0.12500  lr 1.00e-03  32.0 samples/s  skipped 1  2.00 steps/s  elapsed 0:00:04"
                + "  ETA 0:00:01",
            "checkpoint at step 8: run/checkpoints/step-000000008",
            "step 10/10 (100.0%)  loss 0.10000  lr 1.00e-03  32.0 samples/s  skipped 1  2.00 steps/s  elapsed 0:00:05"
                + "  ETA 0:00:00",
            "training done: step 10/10, 10 steps in 0:00:05 (2.00 steps/s), final loss 0.10000, 1 skipped step");
  }

  @Test
  void aLogMadeWhenTheFirstStepReportsDoesNotClaimThousandsOfStepsPerSecond() {
    // Regression: the lab's display is made by the first step's report, so that step was timed from "now" and the
    // first line of every run said "3626.82 steps/s  elapsed 0:00:00  ETA 0:00:00".
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    FakeClock clock = new FakeClock();
    TrainingLog[] log = new TrainingLog[1];
    for (int s = 1; s <= 3; s++) {
      clock.nanos += 400_000_000L;
      if (log[0] == null) {
        log[0] = new TrainingLog(100, out, 2, () -> clock.nanos);
      }
      clock.nanos += 1_000L;
      log[0].onStep(new StepMetrics(s, 1.0, 1e-3, 0.5, 160.0, false));
    }
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines.get(0)).endsWith("? steps/s  elapsed 0:00:00  ETA ?");
    assertThat(lines.get(1)).startsWith("step 2/100").endsWith("2.50 steps/s  elapsed 0:00:00  ETA 0:00:39");
  }

  @Test
  void aResumedRunsRateAndEtaCountOnlyTheStepsSeenAndFp16ShowsTheLossScale() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    FakeClock clock = new FakeClock();
    try (TrainingLog p = new TrainingLog(1000, out, 100, () -> clock.nanos)) {
      for (int s = 901; s <= 950; s++) {
        clock.nanos += 250_000_000L;
        p.onStep(new StepMetrics(s, 0.02, 1e-4, 0.1, 8.0 * (s % 2 + 1), s == 901, 32768.0));
      }
    }
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0))
        .isEqualTo(
            "step 901/1000 (90.1%)  loss skipped  lr 1.00e-04  16.0 samples/s  scale 32768  skipped 1  ? steps/s"
                + "  elapsed 0:00:00  ETA ?");
    assertThat(lines.get(1))
        .isEqualTo(
            "training stopped: step 950/1000, 50 steps in 0:00:13 (4.00 steps/s), final loss 0.02000, 1 skipped step,"
                + " loss scale 32768");
  }

  @Test
  void nothingRunIsSaidPlainlyAndBadSettingsAreRejected() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    new TrainingLog(5, out, 1).close();
    assertThat(bytes.toString(StandardCharsets.UTF_8).trim()).isEqualTo("training: no steps run, 0 skipped steps");
    assertThatThrownBy(() -> new TrainingLog(0, out, 10)).hasMessageContaining("total steps");
    assertThatThrownBy(() -> new TrainingLog(10, out, 0)).hasMessageContaining("interval");
  }

  @Test
  void aSilentLogPrintsNothingButKeepsTheStatusAndSummary() {
    long[] now = {0};
    TrainingLog log = TrainingLog.silent(4, () -> now[0]);
    assertThat(log.status()).isEmpty();
    for (int s = 1; s <= 4; s++) {
      now[0] += 1_000_000_000L;
      log.onStep(new StepMetrics(s, 0.5, 1e-3, 0.1, 8.0, false));
    }
    assertThat(log.firstStep()).isEqualTo(1);
    assertThat(log.status()).isEqualTo("loss 0.50000  lr 1.00e-03  8.0 samples/s");
    assertThat(log.summary()).isEqualTo("training done: step 4/4, 4 steps in 0:00:04 (1.00 steps/s), final loss 0.50000, 0 skipped steps");
    log.close();
  }

  @Test
  void clockFormatsHoursMinutesAndSeconds() {
    assertThat(TrainingLog.clock(0)).isEqualTo("0:00:00");
    assertThat(TrainingLog.clock(3725.4)).isEqualTo("1:02:05");
    assertThat(TrainingLog.clock(Double.POSITIVE_INFINITY)).isEqualTo("?");
  }
}
