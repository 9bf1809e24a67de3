package io.gptedit.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.gptedit.models.train.FineTuneListener;
import io.gptedit.models.train.StepMetrics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrintingListenerTest {
  /** A display that records its steps and whether it was closed. */
  static final class Display implements FineTuneListener, AutoCloseable {
    final long total;
    final List<Long> steps = new ArrayList<>();
    boolean closed;

    Display(long total) {
      this.total = total;
    }

    @Override
    public void onStep(StepMetrics m) {
      steps.add(m.step());
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private static StepMetrics step(long n) {
    return new StepMetrics(n, 0.5, 1e-3, 1.0, 100, false);
  }

  @Test
  void eachTrainingRunGetsItsOwnDisplayClosedAtTheNextPhase() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    List<Display> displays = new ArrayList<>();
    try (EditLab.Printing p = EditLab.Listener.printing(
        new PrintStream(bytes, true, StandardCharsets.UTF_8), total -> {
          Display d = new Display(total);
          displays.add(d);
          return d;
        })) {
      p.onPhase("training kontext");
      p.onStep(step(1), 2);
      p.onStep(step(2), 2);
      p.onPhase("training channel-wise");
      p.onStep(step(1), 3);
      assertThat(displays).hasSize(2);
      assertThat(displays.get(0).closed).isTrue();
      assertThat(displays.get(1).closed).isFalse();
    }
    assertThat(displays.get(1).closed).as("closed with the listener").isTrue();
    assertThat(displays.get(0).total).isEqualTo(2);
    assertThat(displays.get(0).steps).containsExactly(1L, 2L);
    assertThat(displays.get(1).total).isEqualTo(3);
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(out).containsPattern("\\[ +\\d+\\.\\ds\\] training kontext").contains("] training channel-wise");
  }

  @Test
  void trainingSummaryGivesSecondsPerStepAndTheLossRange() {
    List<StepMetrics> steps = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      steps.add(new StepMetrics(i, 1.0 / i, 1e-3, 0.5, 10, false));
    }
    EditLab.Training t =
        new EditLab.Training(io.gptedit.models.editor.Paradigm.KONTEXT, 10, 2.0, 2.5275, 0.21414, 0, steps);
    assertThat(t.summary())
        .isEqualTo("training: 2.0 s (0.500 s/step), loss 2.5275 -> 0.2141 (mean of the last 50 steps)");
  }
}
