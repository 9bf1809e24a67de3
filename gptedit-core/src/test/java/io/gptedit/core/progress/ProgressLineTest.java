package io.gptedit.core.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressLineTest {
  // Regression: curate's first ETA said 78:48 for a 15-second run, because the rate was timed from the start
  // (model loading, a slow first item) instead of from the first finished item.
  @Test
  void etaIgnoresStartUpTimeAndStaysNearTheTrueRemainingTime() {
    long[] now = {0};
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    ProgressLine line =
        new ProgressLine("curate", new PrintStream(buf, true, StandardCharsets.UTF_8), 1.0, () -> now[0]);
    now[0] = 10_000_000_000L; // 10 s of start-up before the first item finishes
    line.update(1, 100, "");
    for (int done = 2; done <= 31; done++) { // then 10 items per second
      now[0] += 100_000_000L;
      line.update(done, 100, "");
    }
    String[] lines = buf.toString(StandardCharsets.UTF_8).strip().split("\n");
    assertThat(lines[0]).contains("1/100").endsWith("ETA ?");
    // 69 items left at 10/s: 7 s, whatever the 10 s start-up.
    assertThat(lines[lines.length - 1]).contains("31/100").endsWith("ETA 0:07");
  }

  @Test
  void etaIsSmoothedAcrossAnOutlierWindow() {
    long[] now = {0};
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    ProgressLine line =
        new ProgressLine("x", new PrintStream(buf, true, StandardCharsets.UTF_8), 0.5, () -> now[0]);
    line.update(1, 1000, "");
    int done = 1;
    for (int i = 0; i < 20; i++) { // 10 items/s
      now[0] += 500_000_000L;
      done += 5;
      line.update(done, 1000, "");
    }
    now[0] += 500_000_000L; // one window 5x faster
    done += 25;
    line.update(done, 1000, "");
    String[] lines = buf.toString(StandardCharsets.UTF_8).strip().split("\n");
    String last = lines[lines.length - 1];
    // Unsmoothed, the ETA would drop to (1000 - 126) / 50 = 17 s; smoothed (0.3 x 50 + 0.7 x 10 = 22/s) it is 40 s.
    assertThat(last).contains("126/1000").endsWith("ETA 0:40");
  }

  @Test
  void finishedWorkHasAZeroEta() {
    long[] now = {0};
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    ProgressLine line = new ProgressLine("x", new PrintStream(buf, true, StandardCharsets.UTF_8), 1.0, () -> now[0]);
    now[0] = 1;
    line.update(3, 3, "");
    assertThat(buf.toString(StandardCharsets.UTF_8).strip()).endsWith("ETA 0:00");
  }
}
