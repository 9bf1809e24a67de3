package io.gptedit.data.curation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.gptedit.core.GpteditException;
import io.gptedit.data.shards.ShardRoundTripTest;
import io.gptedit.data.shards.ShardWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScaleEstimateTest {
  private static ScaleEstimate paper(double attempts) {
    return new ScaleEstimate(ScaleEstimate.paperRelease(), 1000, 5000, 64, 60, attempts, 3.2e6,
        CostModel.published("gpt-image-1", "gpt-4o"));
  }

  @Test
  void thePaperReleaseCountsGiveTheReleasedSampleAndCallCounts() {
    ScaleEstimate e = paper(1);
    assertThat(e.samples()).isEqualTo(1_553_575L);
    // one edit per sample, one generation per HQ-Edit generate input
    assertThat(e.imageCalls()).isEqualTo(1_553_575 + 93_597);
    // 100,000 rewrites and two chat calls per C3 sample
    assertThat(e.chatCalls()).isEqualTo(100_000 + 2 * 313_393);
    assertThat(e.rateLimitedHours()).isCloseTo(1_647_172 / 1000.0 / 60, within(1e-9));
    assertThat(e.concurrencyLimitedHours()).isCloseTo(1_647_172 * 60.0 / 64 / 3600, within(1e-9));
    assertThat(e.apiHours()).isEqualTo(Math.max(e.rateLimitedHours(), Math.max(e.concurrencyLimitedHours(), e.chatHours())));
    assertThat(e.shardBytes()).isEqualTo(1_553_575 * 3.2e6);
  }

  @Test
  void retriesScaleCallsAndCostButNotSamples() {
    ScaleEstimate once = paper(1);
    ScaleEstimate retried = paper(1.1);
    assertThat(retried.samples()).isEqualTo(once.samples());
    assertThat(retried.imageCalls()).isCloseTo(once.imageCalls() * 1.1, within(1e-6));
    assertThat(retried.costUsd()).isCloseTo(once.costUsd() * 1.1, within(1e-6));
    assertThat(once.costUsd()).isGreaterThan(0);
  }

  @Test
  void measuredBytesPerSampleIsTheShardBytesOverTheIndexedSamples(@TempDir Path tmp) throws Exception {
    try (ShardWriter w = ShardWriter.builder(tmp, "train").optMaxSamples(2).build()) {
      ShardRoundTripTest.triplets(5).forEach(w::write);
    }
    long bytes = 0;
    for (String shard : new String[] {"train-000000.tar", "train-000001.tar", "train-000002.tar"}) {
      bytes += Files.size(tmp.resolve(shard));
    }
    assertThat(ScaleEstimate.measuredBytesPerSample(tmp)).isEqualTo(bytes / 5.0);
  }

  @Test
  void measuringAFolderWithoutSamplesNamesIt(@TempDir Path tmp) {
    assertThatThrownBy(() -> ScaleEstimate.measuredBytesPerSample(tmp))
        .isInstanceOf(GpteditException.class).hasMessageContaining(tmp.toString());
  }
}
