package io.gptedit.data.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.core.geometry.AspectPreset;
import io.gptedit.core.testing.Property;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TrainingBatchesTest {
  /** A random catalogue: groups with entries spread (often unevenly) over the presets, and weights. */
  record Case(Map<String, List<DatasetIndex.Entry>> groups, Map<String, Double> weights, int batchSize, long seed) {
    Map<String, String> groupOfKey() {
      Map<String, String> out = new HashMap<>();
      groups.forEach((g, es) -> es.forEach(e -> out.put(e.key(), g)));
      return out;
    }

    TrainingBatches batches() {
      TrainingBatches.Builder b = TrainingBatches.builder().optBatchSize(batchSize).optSeed(seed);
      if (weights != null) {
        b.optMixture(DatasetIndex.Column.DATASET, weights);
      }
      return b.build(groups);
    }

    @Override
    public String toString() {
      Map<String, Integer> sizes = new LinkedHashMap<>();
      groups.forEach((g, es) -> sizes.put(g, es.size()));
      return "Case[sizes " + sizes + ", weights " + weights + ", batch " + batchSize + ", seed " + seed + "]";
    }
  }

  static Case randomCase(SplittableRandom r) {
    int nGroups = 1 + r.nextInt(5);
    Map<String, List<DatasetIndex.Entry>> groups = new LinkedHashMap<>();
    Map<String, Double> weights = r.nextInt(4) == 0 ? null : new HashMap<>();
    boolean anyDrawable = false;
    for (int g = 0; g < nGroups; g++) {
      String name = "g" + g;
      // A group lives in one preset, in two, or in all three, with skewed counts.
      List<AspectPreset> presets = new ArrayList<>(List.of(AspectPreset.values()));
      int keep = 1 + r.nextInt(3);
      while (presets.size() > keep) {
        presets.remove(r.nextInt(presets.size()));
      }
      int n = r.nextInt(6) == 0 ? 0 : 1 + r.nextInt(r.nextBoolean() ? 5 : 60);
      List<DatasetIndex.Entry> es = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        AspectPreset p = presets.get(r.nextInt(3) == 0 ? 0 : r.nextInt(presets.size()));
        es.add(new DatasetIndex.Entry(String.format("%s-%04d", name, i), name + ".tar", 1024L * i, p));
      }
      groups.put(name, es);
      if (weights != null) {
        int k = r.nextInt(5);
        if (k > 0) {
          weights.put(name, k == 1 ? 0.0 : 0.1 + r.nextDouble() * 5);
        }
      }
      anyDrawable |= n > 0 && (weights == null || weights.getOrDefault(name, 0.0) > 0);
    }
    if (weights != null) {
      weights.put("absent", 2.0); // a weighted source with no samples is ignored
    }
    if (!anyDrawable) {
      // Make the case valid: give the first group samples and a weight.
      groups.put("g0", List.of(new DatasetIndex.Entry("g0-only", "g0.tar", 0, AspectPreset.SQUARE)));
      if (weights != null) {
        weights.put("g0", 1.0);
      }
    }
    return new Case(groups, weights, 1 + r.nextInt(24), r.nextLong());
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void everyBatchHasTheBatchSizeOneAspectBucketAndOnlyDrawableEntries(long seed) {
    Property.forAll(seed, 300, TrainingBatchesTest::randomCase, c -> {
      TrainingBatches tb = c.batches();
      Map<String, String> groupOf = c.groupOfKey();
      for (long step = 0; step < 40; step++) {
        List<DatasetIndex.Entry> b = tb.batch(step);
        assertThat(b).hasSize(c.batchSize());
        assertThat(b.stream().map(DatasetIndex.Entry::preset).distinct()).hasSize(1);
        assertThat(tb.bucket(step)).isEqualTo(b.get(0).preset());
        for (DatasetIndex.Entry e : b) {
          String g = groupOf.get(e.key());
          assertThat(g).isNotNull();
          assertThat(tb.proportions()).containsKey(g);
          if (c.weights() != null) {
            assertThat(c.weights().get(g)).isPositive();
          }
        }
      }
    });
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {4, 5, 6})
  void theSameSeedAndStepGiveTheSameBatchFromAFreshSourceInAnyOrder(long seed) {
    Property.forAll(seed, 200, TrainingBatchesTest::randomCase, c -> {
      TrainingBatches first = c.batches();
      List<List<DatasetIndex.Entry>> straight = new ArrayList<>();
      for (long s = 0; s < 30; s++) {
        straight.add(first.batch(s));
      }
      // A resumed run: a new source, asked for late steps first, without the earlier ones.
      TrainingBatches resumed = c.batches();
      for (long s = 29; s >= 15; s--) {
        assertThat(resumed.batch(s)).isEqualTo(straight.get((int) s));
      }
      assertThat(resumed.batch(1_000_000_007L)).isEqualTo(first.batch(1_000_000_007L));
      if (first.candidates() > 1) {
        Case other = new Case(c.groups(), c.weights(), c.batchSize(), c.seed() + 1);
        List<List<DatasetIndex.Entry>> otherSeed = new ArrayList<>();
        for (long s = 0; s < 30; s++) {
          otherSeed.add(other.batches().batch(s));
        }
        assertThat(otherSeed).isNotEqualTo(straight);
      }
    });
  }

  /**
   * Group shares over {@code M} batches converge to the normalised weights. Tolerance: a batch's share of a group
   * is in [0, 1], so its variance is at most 1/4 and the mean over M batches has a standard error of at most
   * {@code 0.5 / sqrt(M)} whatever the bucket structure; we allow 5 of those (0.046 at M = 3000). Bucket shares
   * converge to {@link TrainingBatches#bucketShares()} within the same bound.
   */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {7, 8, 9})
  void groupSharesConvergeToTheNormalisedWeightsAndBucketSharesToTheirFormula(long seed) {
    int batches = 3000;
    double tolerance = 5 * 0.5 / Math.sqrt(batches);
    Property.forAll(seed, 12, TrainingBatchesTest::randomCase, c -> {
      TrainingBatches tb = c.batches();
      Map<String, String> groupOf = c.groupOfKey();
      Map<String, Double> groupShare = new HashMap<>();
      Map<AspectPreset, Double> bucketCount = new HashMap<>();
      for (long s = 0; s < batches; s++) {
        List<DatasetIndex.Entry> b = tb.batch(s);
        bucketCount.merge(b.get(0).preset(), 1.0, Double::sum);
        for (DatasetIndex.Entry e : b) {
          groupShare.merge(groupOf.get(e.key()), 1.0 / b.size(), Double::sum);
        }
      }
      // The expected shares, computed here from the weights (not read back from the source).
      // Without a mixture a group's weight is its size, so every sample is equally likely.
      Map<String, Double> expected = new HashMap<>();
      double total = 0;
      for (Map.Entry<String, List<DatasetIndex.Entry>> g : c.groups().entrySet()) {
        double w = c.weights() == null ? g.getValue().size() : c.weights().getOrDefault(g.getKey(), 0.0);
        if (w > 0 && !g.getValue().isEmpty()) {
          expected.put(g.getKey(), w);
          total += w;
        }
      }
      double t = total;
      expected.replaceAll((k, v) -> v / t);
      assertThat(tb.proportions().keySet()).isEqualTo(expected.keySet());
      for (Map.Entry<String, Double> e : expected.entrySet()) {
        assertThat(tb.proportions().get(e.getKey())).isCloseTo(e.getValue(), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(groupShare.getOrDefault(e.getKey(), 0.0) / batches)
            .as("share of group %s", e.getKey())
            .isCloseTo(e.getValue(), org.assertj.core.data.Offset.offset(tolerance));
      }
      for (Map.Entry<AspectPreset, Double> e : tb.bucketShares().entrySet()) {
        assertThat(bucketCount.getOrDefault(e.getKey(), 0.0) / batches)
            .as("share of bucket %s", e.getKey())
            .isCloseTo(e.getValue(), org.assertj.core.data.Offset.offset(tolerance));
      }
    });
  }

  @Test
  void withoutAMixtureEverySampleIsEquallyLikelyAndBucketsFollowTheirSizes() {
    // 300 square, 100 landscape, 0 portrait: P(square) = 3/4; within a bucket uniform.
    List<DatasetIndex.Entry> es = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      es.add(new DatasetIndex.Entry(String.format("k%03d", i), "s.tar", i, i < 300 ? AspectPreset.SQUARE : AspectPreset.LANDSCAPE));
    }
    TrainingBatches tb = TrainingBatches.builder().optBatchSize(8).optSeed(11).build(Map.of("any", es));
    assertThat(tb.bucketShares()).containsOnlyKeys(AspectPreset.SQUARE, AspectPreset.LANDSCAPE);
    assertThat(tb.bucketShares().get(AspectPreset.SQUARE)).isCloseTo(0.75, org.assertj.core.data.Offset.offset(1e-12));
    Map<String, Integer> hits = new HashMap<>();
    int steps = 20_000;
    for (long s = 0; s < steps; s++) {
      tb.batch(s).forEach(e -> hits.merge(e.key(), 1, Integer::sum));
    }
    // 160,000 draws over 400 samples: 400 expected each. Square and landscape samples alike (within 25 %).
    assertThat(hits).hasSize(400);
    assertThat(hits.values()).allSatisfy(n -> assertThat(n).isBetween(300, 500));
  }

  @Test
  void badSettingsAreRejectedNamingWhatIsWrong() {
    Map<String, List<DatasetIndex.Entry>> g = Map.of("a", List.of(new DatasetIndex.Entry("a1", "a.tar", 0, AspectPreset.SQUARE)));
    assertThatThrownBy(() -> TrainingBatches.builder().optBatchSize(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batchSize");
    assertThatThrownBy(() -> TrainingBatches.builder().optMixture(DatasetIndex.Column.TASK, Map.of("a", -1.0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weight of a");
    assertThatThrownBy(() -> TrainingBatches.builder().optMixture(DatasetIndex.Column.TASK, Map.of("a", 0.0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
    assertThatThrownBy(() -> TrainingBatches.builder().optMixture(DatasetIndex.Column.TASK, Map.of("b", 1.0)).build(g))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no group with a positive weight");
    assertThatThrownBy(() -> TrainingBatches.builder().build(g).batch(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("step");
  }
}
