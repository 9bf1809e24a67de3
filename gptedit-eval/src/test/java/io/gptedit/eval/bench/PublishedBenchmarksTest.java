package io.gptedit.eval.bench;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.eval.Benchmark;
import io.gptedit.eval.EvalException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublishedBenchmarksTest {
  @TempDir Path tmp;

  @Test
  void missingDataOrAGlobThatMatchesNothingIsAnEvalExceptionNamingIt() {
    Path missing = tmp.resolve("GEdit-Bench");
    assertThatThrownBy(() -> PublishedBenchmarks.load(
            Benchmark.GEDIT, missing, PublishedBenchmarks.Options.defaults(), tmp.resolve("converted")))
        .isInstanceOf(EvalException.class)
        .hasMessageContaining(missing.toString());
    Path glob = tmp.resolve("train-*.parquet");
    assertThatThrownBy(() -> PublishedBenchmarks.load(
            Benchmark.OMNICONTEXT, glob, PublishedBenchmarks.Options.defaults(), tmp.resolve("converted")))
        .isInstanceOf(EvalException.class)
        .hasMessageContaining(glob.toString());
  }

  @Test
  void aComplexEditLevelOutsideOneToEightIsRefused() {
    assertThatThrownBy(() -> new PublishedBenchmarks.Options("en", false, "real", 9, null))
        .isInstanceOf(EvalException.class)
        .hasMessageContaining("9");
  }

  @Test
  void theLocalBenchmarkHasNoPublishedFiles() {
    assertThatThrownBy(() -> PublishedBenchmarks.load(
            Benchmark.LOCAL, tmp, PublishedBenchmarks.Options.defaults(), tmp.resolve("converted")))
        .isInstanceOf(EvalException.class)
        .hasMessageContaining("local");
  }
}
