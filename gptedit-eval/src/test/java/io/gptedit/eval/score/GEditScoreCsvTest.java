package io.gptedit.eval.score;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The official statistics script's input files: one per task type, official (misspelt) columns. */
class GEditScoreCsvTest {
  @TempDir Path tmp;

  @Test
  void writesOneFilePerTaskTypeWithTheOfficialColumnsAndMinimumScores() throws Exception {
    GEditSampleScore a = new GEditSampleScore("k1", "color_alter", "en", true, List.of(8.0, 6.0), List.of(7.0, 9.0));
    GEditSampleScore b = new GEditSampleScore("k2", "ps_human", "en", false, List.of(5.0, 5.0), List.of(4.5, 9.0));
    List<Path> files =
        GEditScoreCsv.write(
            tmp,
            "mymodel",
            List.of(
                new GEditScoreCsv.Row(Path.of("s1.png"), Path.of("e1.png"), "make it \"red\", please", a),
                new GEditScoreCsv.Row(Path.of("s2.png"), Path.of("e2.png"), "smile", b)));
    assertThat(files).hasSize(11);
    assertThat(files.get(1).getFileName().toString()).isEqualTo("mymodel_color_alter_gpt_score.csv");
    assertThat(files.get(4).getFileName().toString()).isEqualTo("mymodel_ps_human_gpt_score.csv");
    List<String> lines = Files.readAllLines(files.get(1));
    assertThat(lines.get(0))
        .isEqualTo("source_image,edited_image,instruction,sementics_score,quality_score,intersection_exist,instruction_language");
    assertThat(lines.get(1)).isEqualTo("s1.png,e1.png,\"make it \"\"red\"\", please\",6.0,7.0,True,en");
    assertThat(Files.readAllLines(files.get(4)).get(1)).isEqualTo("s2.png,e2.png,smile,5.0,4.5,False,en");
  }

  @Test
  void taskTypeWithNoScoredSampleGetsAHeaderOnlyFileTheOfficialScriptCanOpen() throws Exception {
    GEditSampleScore a = new GEditSampleScore("k1", "color_alter", "en", true, List.of(8.0), List.of(7.0));
    GEditScoreCsv.write(tmp, "m", List.of(new GEditScoreCsv.Row(Path.of("k1_SRCIMG.png"), Path.of("k1.png"), "x", a)));
    for (String t : io.gptedit.eval.Benchmark.GEDIT.categories()) {
      assertThat(tmp.resolve("m_" + t + "_gpt_score.csv")).isRegularFile();
    }
    assertThat(Files.readAllLines(tmp.resolve("m_subject-remove_gpt_score.csv")))
        .containsExactly(GEditScoreCsv.HEADER);
    assertThat(GEditScoreCsv.read(tmp, "m")).extracting(GEditSampleScore::key).containsExactly("k1");
  }

  @Test
  void filesReadBackIntoTheSameAggregation() {
    List<GEditScoreCsv.Row> rows = new java.util.ArrayList<>();
    List<GEditSampleScore> scores = new java.util.ArrayList<>();
    int n = 0;
    for (String t : io.gptedit.eval.Benchmark.GEDIT.categories()) {
      for (int i = 0; i < 3; i++) {
        GEditSampleScore s = new GEditSampleScore(t + i, t, "en", i == 0, List.of(2.0 + n % 7, 9.0), List.of(3.0 + n % 5));
        n++;
        scores.add(s);
        rows.add(new GEditScoreCsv.Row(Path.of("src", s.key() + "_SRCIMG.png"), Path.of("out", s.key() + ".png"),
            "say \"hi\", twice\nplease", s));
      }
    }
    GEditScoreCsv.write(tmp, "m", rows);
    List<GEditSampleScore> back = GEditScoreCsv.read(tmp, "m");
    assertThat(back).hasSize(33);
    assertThat(back.get(4).key()).isEqualTo("color_alter1");
    for (boolean inter : new boolean[] {false, true}) {
      BenchmarkResult ours = Aggregation.gedit(scores, List.of(), "en", inter);
      BenchmarkResult theirs = Aggregation.gedit(back, List.of(), "en", inter);
      assertThat(theirs.overall()).isEqualTo(ours.overall());
    }
  }
}
