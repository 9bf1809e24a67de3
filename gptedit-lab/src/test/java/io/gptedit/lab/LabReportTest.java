package io.gptedit.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Font;
import java.awt.FontMetrics;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The contact sheet's header. */
class LabReportTest {
  @BeforeAll
  static void headless() {
    System.setProperty("java.awt.headless", "true");
  }

  @Test
  void aLongOutputTitleIsWrappedToTheOutputColumnInsteadOfRunningIntoTheTargetColumn() {
    // Regression: --compare's sheets titled "finetuned-kontext" drew it over the "target" header.
    FontMetrics fm = LabReport.scratchMetrics(new Font(Font.SANS_SERIF, Font.BOLD, 13));
    List<String> lines = LabReport.wrapTitle("output (finetuned-kontext-misaligned1)", fm, 102);
    assertThat(lines).hasSizeGreaterThan(1);
    assertThat(String.join("", lines).replace(" ", "")).isEqualTo("output(finetuned-kontext-misaligned1)");
    for (String line : lines) {
      assertThat(fm.stringWidth(line)).as(line).isLessThanOrEqualTo(102);
    }
    assertThat(LabReport.wrapTitle("output", fm, 102)).containsExactly("output");
  }
}
