package io.gptedit.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.models.train.StepMetrics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class TrainingProgressTest {
  /** A clock the test moves: every step takes exactly half a second. */
  private static final class FakeClock {
    long nanos = 1_000_000_000L;
  }

  @Test
  void withoutATerminalItPrintsTheLibrarysTrainingLogLines() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    FakeClock clock = new FakeClock();
    try (TrainingProgress p = new TrainingProgress(4, out, false, 2, -1, () -> clock.nanos)) {
      for (int s = 1; s <= 4; s++) {
        clock.nanos += 500_000_000L;
        p.onStep(new StepMetrics(s, 0.25, 1e-3, 0.5, 32.0, false));
      }
      p.onCheckpoint(4, Path.of("run/checkpoints/step-000000004"));
    }
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).hasSize(5);
    assertThat(lines.get(0)).startsWith("step 1/4 (25.0%)  loss 0.25000");
    assertThat(lines.get(3)).isEqualTo("checkpoint at step 4: run/checkpoints/step-000000004");
    assertThat(lines.get(4)).startsWith("training done: step 4/4");
  }

  @RepeatedTest(10)
  void onATerminalItDrawsABarWithLossLrAndSamplesPerSecondThenTheSummary() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    try (TrainingProgress p = new TrainingProgress(20, out, true, 5, 140, System::nanoTime)) {
      for (int s = 1; s <= 20; s++) {
        p.onStep(new StepMetrics(s, 0.5, 2e-4, 0.1, 64.0, false));
      }
    }
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertThat(text).contains("train", "20/20", "steps/s  loss 0.50000  lr 2.00e-04  64.0 samples/s");
    assertThat(text).doesNotContain("step 5/20"); // no plain lines on a terminal
    assertThat(text).endsWith("\n").doesNotContain("samples/straining");
    assertThat(text.lines().reduce((a, b) -> b).orElseThrow())
        .startsWith("training done: step 20/20, 20 steps in ")
        .endsWith("final loss 0.50000, 0 skipped steps");
  }

  @Test
  void nothingRunIsSaidPlainlyAndBadSettingsAreRejected() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    new TrainingProgress(5, out, false, 1, -1, System::nanoTime).close();
    assertThat(bytes.toString(StandardCharsets.UTF_8).trim()).isEqualTo("training: no steps run, 0 skipped steps");
    assertThatThrownBy(() -> TrainingProgress.create(0, out, 10)).hasMessageContaining("total steps");
    assertThatThrownBy(() -> TrainingProgress.create(10, out, 0)).hasMessageContaining("interval");
  }
}
