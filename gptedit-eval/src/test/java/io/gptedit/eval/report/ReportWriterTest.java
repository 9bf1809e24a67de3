package io.gptedit.eval.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gptedit.eval.Benchmark;
import io.gptedit.eval.score.Aggregation;
import io.gptedit.eval.score.BenchmarkResult;
import io.gptedit.eval.score.ComplexEditSampleScore;
import io.gptedit.eval.score.GEditSampleScore;
import io.gptedit.eval.score.SampleFailure;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Markdown, CSV and JSON carry our figures, the paper's rows, the dagger, the judge and the failures. */
class ReportWriterTest {
  @TempDir Path tmp;

  private static Report geditReport(boolean rewritten) {
    List<GEditSampleScore> samples =
        List.of(
            new GEditSampleScore("a", "color_alter", "en", true, List.of(8.0, 7.0), List.of(9.0, 8.0)),
            new GEditSampleScore("b", "text_change", "en", false, List.of(2.0, 9.0), List.of(8.0, 8.0)));
    List<SampleFailure> failures =
        List.of(new SampleFailure("c", "text_change", Set.of("en"), SampleFailure.Stage.JUDGE, "unparsable reply: no JSON", 3));
    BenchmarkResult full = Aggregation.gedit(samples, failures, "en", false);
    return new Report(Benchmark.GEDIT, "my-model", rewritten, "gpt-4.1", "0123456789abcdef", List.of(full),
        PaperTable.of(Benchmark.GEDIT));
  }

  @Test
  void markdownPutsOurRowUnderThePaperRowsWithTheDaggerAndListsFailures() {
    String md = geditReport(true).markdown();
    assertThat(md).startsWith("# GEdit-Bench: my-model †");
    assertThat(md).contains("judge: `gpt-4.1`, prompt hash `0123456789abcdef` (templates loaded with --prompts");
    assertThat(md).contains("en/fullset: 2 scored, 1 failed");
    assertThat(md).contains("| Ours † | 7.87 |");
    assertThat(md).contains("| **my-model †** (this run, en/fullset) |  | **7.48** |"); // sqrt(7 * 8) = 7.483
    assertThat(md).contains("| ps_human | n/a | n/a | n/a | 0 | 0 |");
    assertThat(md).contains("| text_change | 2.00 | 8.00 | 4.00 | 1 | 1 |");
    assertThat(md).contains("| c | text_change | JUDGE | 3 | unparsable reply: no JSON |");
    assertThat(md).contains("† instructions rewritten");
    assertThat(geditReport(false).markdown()).doesNotContain("my-model †").doesNotContain("instructions rewritten");
  }

  @Test
  void csvIsLongFormWithFullPrecisionAndThePaperRows() {
    String csv = ReportWriter.csv(geditReport(false));
    List<String> lines = csv.lines().toList();
    assertThat(lines.get(0)).isEqualTo(ReportWriter.CSV_HEADER);
    assertThat(lines).contains("ours,my-model,false,en/fullset,color_alter,O," + Math.sqrt(56) + ",1,0,gpt-4.1,0123456789abcdef");
    assertThat(lines).anyMatch(l -> l.startsWith("ours,my-model,false,en/fullset,overall,O,"));
    assertThat(lines).contains("paper,Ours,true,gedit-en-full.csv,avg,published,7.66,,,,");
  }

  @Test
  void jsonRoundTripsTheFiguresAndTheFailures() throws Exception {
    JsonNode root = new ObjectMapper().readTree(ReportWriter.json(geditReport(true)));
    assertThat(root.get("benchmark").asText()).isEqualTo("gedit");
    assertThat(root.get("rewritten").asBoolean()).isTrue();
    JsonNode r = root.get("results").get(0);
    assertThat(r.get("failed").asInt()).isEqualTo(1);
    assertThat(r.get("overall").get("O").asDouble()).isEqualTo((Math.sqrt(56) + 4.0) / 2);
    assertThat(r.get("missingCategories")).hasSize(9);
    assertThat(r.get("failures").get(0).get("reason").asText()).contains("no JSON");
    assertThat(root.get("paper").get("rows")).hasSize(17);
  }

  @Test
  void writeAllNamesFilesAfterBenchmarkModelAndRewriting() {
    Report complex =
        new Report(Benchmark.COMPLEX_EDIT, "m", false, "gpt-4o-2024-11-20", "h",
            List.of(Aggregation.complexEdit(List.of(new ComplexEditSampleScore("00000", List.of(9.0), List.of(8.0), List.of(7.0))), List.of(), "C8/real")),
            PaperTable.of(Benchmark.COMPLEX_EDIT));
    List<Path> files = ReportWriter.writeAll(complex, tmp);
    assertThat(files).extracting(p -> p.getFileName().toString())
        .containsExactly("complex-edit-m.md", "complex-edit-m.csv", "complex-edit-m.json");
    assertThat(complex.markdown()).contains("| **m** (this run, C8/real) | **9.00** | **8.00** | **7.00** | **8.00** |")
        .doesNotContain("not directly comparable");
    Report c2 =
        new Report(Benchmark.COMPLEX_EDIT, "m", false, "j", "h",
            List.of(Aggregation.complexEdit(List.of(new ComplexEditSampleScore("00000", List.of(9.0), List.of(8.0), List.of(7.0))), List.of(), "C2/syn")),
            PaperTable.of(Benchmark.COMPLEX_EDIT));
    assertThat(c2.markdown()).contains("The paper reports C8/real; this run is C2/syn, so its row is not directly comparable.");
  }
}
