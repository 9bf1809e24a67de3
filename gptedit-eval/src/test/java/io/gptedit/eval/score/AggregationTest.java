package io.gptedit.eval.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.gptedit.eval.Benchmark;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The per-sample and per-category formulas on hand-made cases. */
class AggregationTest {

  private static GEditSampleScore gedit(String key, String type, String lang, boolean inter, List<Double> sc, List<Double> pq) {
    return new GEditSampleScore(key, type, lang, inter, sc, pq);
  }

  @Test
  void geditSampleTakesTheMinimumOfEachListAndTheGeometricMeanOfThem() {
    GEditSampleScore s = gedit("k", "color_alter", "en", false, List.of(8.0, 3.0), List.of(6.0, 9.0));
    assertThat(s.sc()).isEqualTo(3.0);
    assertThat(s.pq()).isEqualTo(6.0);
    assertThat(s.overall()).isCloseTo(Math.sqrt(18), within(1e-12));
  }

  @Test
  void geditOverallIsTheMeanOfPerSampleSqrtNotTheSqrtOfMeans() {
    List<GEditSampleScore> samples =
        List.of(
            gedit("a", "color_alter", "en", false, List.of(10.0, 10.0), List.of(1.0, 1.0)),
            gedit("b", "color_alter", "en", false, List.of(1.0), List.of(10.0)));
    BenchmarkResult r = Aggregation.gedit(samples, List.of(), "en", false);
    CategoryResult c = r.category("color_alter");
    assertThat(c.metric("SC")).isEqualTo(5.5);
    assertThat(c.metric("PQ")).isEqualTo(5.5);
    assertThat(c.metric("O")).isCloseTo(Math.sqrt(10), within(1e-12)); // not sqrt(5.5 * 5.5) = 5.5
  }

  @Test
  void geditAverageIsTheUnweightedMeanOfTaskTypeMeansNotThePerSampleMean() {
    List<GEditSampleScore> samples = new ArrayList<>();
    // one sample scoring 2 in each task type, plus nine extra samples scoring 8 in background_change
    for (String t : Benchmark.GEDIT.categories()) {
      samples.add(gedit(t + "-0", t, "en", false, List.of(2.0), List.of(2.0)));
    }
    for (int i = 0; i < 9; i++) {
      samples.add(gedit("bg-" + i, "background_change", "en", false, List.of(8.0), List.of(8.0)));
    }
    BenchmarkResult r = Aggregation.gedit(samples, List.of(), "en", false);
    // background_change mean = (2 + 9 * 8) / 10 = 7.4; the other ten are 2
    assertThat(r.category("background_change").metric("O")).isCloseTo(7.4, within(1e-12));
    assertThat(r.overall("O")).isCloseTo((7.4 + 10 * 2) / 11, within(1e-12));
    assertThat(r.missingCategories()).isEmpty();
    assertThat(r.scored()).isEqualTo(20);
  }

  @Test
  void geditLanguageAndIntersectionFiltersSelectTheirRowsAndFailures() {
    List<GEditSampleScore> samples =
        List.of(
            gedit("a", "ps_human", "en", true, List.of(4.0), List.of(4.0)),
            gedit("b", "ps_human", "en", false, List.of(8.0), List.of(8.0)),
            gedit("a", "ps_human", "cn", true, List.of(1.0), List.of(1.0)));
    List<SampleFailure> failures =
        List.of(
            new SampleFailure("c", "ps_human", Set.of("en"), SampleFailure.Stage.JUDGE, "unparsable", 3),
            new SampleFailure("d", "ps_human", Set.of("en", "intersection"), SampleFailure.Stage.JUDGE, "x", 3),
            new SampleFailure("c", "ps_human", Set.of("cn"), SampleFailure.Stage.JUDGE, "x", 3));
    BenchmarkResult full = Aggregation.gedit(samples, failures, "en", false);
    assertThat(full.subset()).isEqualTo("en/fullset");
    assertThat(full.category("ps_human").metric("O")).isEqualTo(6.0);
    assertThat(full.category("ps_human").failed()).isEqualTo(2);
    assertThat(full.failed()).isEqualTo(2);
    assertThat(full.missingCategories()).hasSize(10);
    assertThat(full.overall("O")).isEqualTo(6.0); // over the one scored task type

    BenchmarkResult inter = Aggregation.gedit(samples, failures, "en", true);
    assertThat(inter.subset()).isEqualTo("en/intersection");
    assertThat(inter.category("ps_human").metric("O")).isEqualTo(4.0);
    assertThat(inter.failed()).isEqualTo(1);

    BenchmarkResult cn = Aggregation.gedit(samples, failures, "cn", false);
    assertThat(cn.category("ps_human").metric("O")).isEqualTo(1.0);

    // the official scorer's --language zh matches nothing because the data says cn: we report that as missing
    BenchmarkResult zh = Aggregation.gedit(samples, failures, "zh", false);
    assertThat(zh.overall()).isEmpty();
    assertThat(zh.missingCategories()).hasSize(11);
  }

  @Test
  void failuresAreExcludedFromMeansAndCountedNeverScored() {
    List<GEditSampleScore> samples = List.of(gedit("a", "text_change", "en", false, List.of(9.0), List.of(9.0)));
    List<SampleFailure> failures =
        List.of(new SampleFailure("b", "text_change", Set.of("en"), SampleFailure.Stage.JUDGE, "no JSON", 3));
    BenchmarkResult r = Aggregation.gedit(samples, failures, "en", false);
    assertThat(r.category("text_change").metric("O")).isEqualTo(9.0);
    assertThat(r.category("text_change").scored()).isEqualTo(1);
    assertThat(r.category("text_change").failed()).isEqualTo(1);
  }

  @Test
  void unknownGEditTaskTypeIsRejectedByName() {
    List<GEditSampleScore> samples = List.of(gedit("a", "colour_alter", "en", false, List.of(1.0), List.of(1.0)));
    assertThatThrownBy(() -> Aggregation.gedit(samples, List.of(), "en", false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("colour_alter");
  }

  @Test
  void imgEditSampleRoundsTheMeanOfSubScoresToTwoPlaces() {
    assertThat(new ImgEditSampleScore("1", "add", List.of(4.0, 4.0, 5.0)).score()).isEqualTo(4.33);
    assertThat(new ImgEditSampleScore("2", "add", List.of(3.0, 4.0, 4.0)).score()).isEqualTo(3.67);
    assertThat(new ImgEditSampleScore("3", "add", List.of(5.0, 5.0, 5.0)).score()).isEqualTo(5.0);
  }

  @Test
  void imgEditFamilyRoundsItsMeanAndOverallIsTheMeanOfFamilies() {
    List<ImgEditSampleScore> samples = new ArrayList<>();
    for (String f : Benchmark.IMGEDIT.categories()) {
      samples.add(new ImgEditSampleScore(f + "1", f, List.of(4.0, 4.0, 5.0))); // 4.33
      samples.add(new ImgEditSampleScore(f + "2", f, List.of(4.0, 5.0, 5.0))); // 4.67
      samples.add(new ImgEditSampleScore(f + "3", f, List.of(4.0, 4.0, 4.0))); // 4.00
    }
    samples.add(new ImgEditSampleScore("x", "style", List.of(1.0, 1.0, 2.0))); // 1.33
    BenchmarkResult r = Aggregation.imgEdit(samples, List.of());
    assertThat(r.category("add").metric("Score")).isEqualTo(4.33); // 13.00 / 3 = 4.3333
    assertThat(r.category("style").metric("Score")).isEqualTo(3.58); // 14.33 / 4 = 3.5825
    assertThat(r.overall("Score")).isCloseTo((8 * 4.33 + 3.58) / 9, within(1e-12));
  }

  @Test
  void roundLikePythonMatchesPythonRoundOnTheTieCases() {
    // expected values printed by CPython 3.11: round(v, 2), round(v, 0)
    assertThat(Stats.roundLikePython(2.675, 2)).isEqualTo(2.67); // binary 2.67499999...
    assertThat(Stats.roundLikePython(0.125, 2)).isEqualTo(0.12); // exact tie: to even
    assertThat(Stats.roundLikePython(0.375, 2)).isEqualTo(0.38);
    assertThat(Stats.roundLikePython(0.625, 2)).isEqualTo(0.62);
    assertThat(Stats.roundLikePython(3.125, 2)).isEqualTo(3.12);
    assertThat(Stats.roundLikePython(3.875, 2)).isEqualTo(3.88);
    assertThat(Stats.roundLikePython(4.335, 2)).isEqualTo(4.33);
    assertThat(Stats.roundLikePython(4.345, 2)).isEqualTo(4.34);
    assertThat(Stats.roundLikePython(4.665, 2)).isEqualTo(4.67);
    assertThat(Stats.roundLikePython(1.005, 2)).isEqualTo(1.0);
    assertThat(Stats.roundLikePython(6.255000000000001, 2)).isEqualTo(6.26);
    assertThat(Stats.roundLikePython(13.0 / 3, 2)).isEqualTo(4.33);
    assertThat(Stats.roundLikePython(2.5, 0)).isEqualTo(2.0);
    assertThat(Stats.roundLikePython(3.5, 0)).isEqualTo(4.0);
  }

  @Test
  void imgEditRoundsSampleAndFamilyMeansHalfEvenLikeTheOfficialScript() {
    // a sample whose sub-score mean is the exact tie 9/8 = 1.125: Python's round gives 1.12, half-up 1.13
    ImgEditSampleScore tie =
        new ImgEditSampleScore("t", "add", List.of(1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0));
    assertThat(tie.score()).isEqualTo(1.12);
    // a family whose mean of sample scores is the exact tie 3.125: 3.12, not 3.13
    List<ImgEditSampleScore> samples = new ArrayList<>();
    samples.add(new ImgEditSampleScore("a", "remove", List.of(3.0, 3.0, 3.0)));
    samples.add(new ImgEditSampleScore("b", "remove", List.of(3.0, 3.5)));
    samples.add(new ImgEditSampleScore("c", "remove", List.of(3.0, 3.0, 3.0)));
    samples.add(new ImgEditSampleScore("d", "remove", List.of(3.0, 3.5)));
    BenchmarkResult r = Aggregation.imgEdit(samples, List.of());
    assertThat(r.category("remove").metric("Score")).isEqualTo(3.12);
  }

  @Test
  void roundingIsHalfUpOnTheDecimalValue() {
    assertThat(Stats.roundHalfUp(2.675, 2)).isEqualTo(2.68); // Python's round gives 2.67
    assertThat(Stats.roundHalfUp(4.335, 2)).isEqualTo(4.34);
    assertThat(Stats.roundHalfUp(4.3349, 2)).isEqualTo(4.33);
    assertThat(Stats.roundHalfUp(6.255000000000001, 2)).isEqualTo(6.26);
  }

  @Test
  void complexEditAveragesRunsPerSampleThenSamples() {
    ComplexEditSampleScore a =
        new ComplexEditSampleScore("00000", List.of(10.0, 8.0), List.of(6.0, 6.0), List.of(9.0, 7.0));
    ComplexEditSampleScore b =
        new ComplexEditSampleScore("00001", List.of(4.0, 4.0), List.of(10.0, 8.0), List.of(5.0, 5.0));
    assertThat(a.ifScore()).isEqualTo(9.0);
    assertThat(a.overall()).isCloseTo((9.0 + 6.0 + 8.0) / 3, within(1e-12));
    BenchmarkResult r =
        Aggregation.complexEdit(
            List.of(a, b),
            List.of(new SampleFailure("00002", "C8/real", Set.of(), SampleFailure.Stage.JUDGE, "x", 3)),
            "C8/real");
    assertThat(r.overall("IF")).isEqualTo(6.5);
    assertThat(r.overall("IP")).isEqualTo(7.5);
    assertThat(r.overall("PQ")).isEqualTo(6.5);
    assertThat(r.overall("Overall")).isCloseTo((6.5 + 7.5 + 6.5) / 3, within(1e-12));
    assertThat(r.failed()).isEqualTo(1);
    assertThat(r.scored()).isEqualTo(2);
  }

  @Test
  void omniContextSampleIsTheGeometricMeanAndSingleIsTheMeanOfTwoTaskTypes() {
    assertThat(new OmniContextSampleScore("k", "single_object", 9, 4).overall()).isEqualTo(6.0);
    List<OmniContextSampleScore> samples =
        List.of(
            new OmniContextSampleScore("a", "single_character", 9, 4), // 6
            new OmniContextSampleScore("b", "single_character", 1, 1), // 1
            new OmniContextSampleScore("c", "single_character", 4, 4), // 4
            new OmniContextSampleScore("d", "single_object", 8, 2)); // 4
    BenchmarkResult r = Aggregation.omniContext(samples, List.of());
    assertThat(r.category("single_character").metric("Overall")).isCloseTo(11.0 / 3, within(1e-12));
    assertThat(r.category("single_object").metric("Overall")).isEqualTo(4.0);
    assertThat(r.overall("Overall")).isCloseTo((11.0 / 3 + 4.0) / 2, within(1e-12));
    assertThat(r.overall("PF")).isCloseTo((14.0 / 3 + 8) / 2, within(1e-12));
  }
}
