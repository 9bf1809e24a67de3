package io.gptedit.testkit.curation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.core.geometry.AspectPreset;
import io.gptedit.core.metadata.SampleMetadata;
import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.curation.CurationSummary;
import io.gptedit.data.index.DatasetIndex;
import io.gptedit.data.index.TrainingBatches;
import io.gptedit.data.shards.ShardIndex;
import io.gptedit.data.shards.ShardWriter;
import io.gptedit.data.synthetic.SyntheticWorld;
import io.gptedit.testkit.synthetic.SyntheticCuration;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetIndexTest {
  @TempDir static Path tmp;
  static CurationSummary curated;
  static Path shards;

  @BeforeAll
  static void curate() {
    shards = tmp.resolve("curated");
    curated = SyntheticCuration.run(SyntheticCuration.Options.defaults(shards, 40).withSizes(24, 64, 32)
        .withShardSamples(9).withService(2, 0.0, Duration.ZERO));
    // A second source: raw synthetic triplets written as dataset "other".
    SyntheticWorld world = SyntheticWorld.builder(9).optSides(24, 48).build();
    try (ShardWriter w = ShardWriter.builder(shards, "other").optMaxSamples(10).build()) {
      for (int i = 0; i < 20; i++) {
        EditTriplet t = world.sample(i).toTriplet();
        String id = "other-" + i;
        w.write(new EditTriplet(id, t.input(), t.instruction(), t.edited(),
            SampleMetadata.builder(id, "other", t.instruction(), t.metadata().originalSize()).build()));
      }
    }
  }

  @Test
  void countsBySourcePresetVerdictAndTypeAddUp() {
    try (DatasetIndex index = DatasetIndex.build(shards)) {
      long total = curated.written() + 20;
      assertThat(index.count(DatasetIndex.Filter.ALL)).isEqualTo(total);
      assertThat(index.countsBy(DatasetIndex.Column.DATASET, DatasetIndex.Filter.ALL))
          .containsExactly(Map.entry("other", 20L), Map.entry("synthetic", curated.written()));
      Map<String, Long> verdicts = index.countsBy(DatasetIndex.Column.VERDICT, DatasetIndex.Filter.ALL);
      assertThat(verdicts).containsEntry("accepted", curated.written()).containsEntry("unchecked", 20L);
      Map<String, Long> presets = index.countsBy(DatasetIndex.Column.PRESET, DatasetIndex.Filter.ALL);
      assertThat(presets.keySet()).containsExactlyInAnyOrder("1:1", "3:2", "2:3");
      assertThat(presets.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(total);
      assertThat(index.countsBy(DatasetIndex.Column.INSTRUCTION_TYPE, DatasetIndex.Filter.ALL.dataset("synthetic")))
          .containsKeys("complex");
    }
  }

  @Test
  void filtersAndOffsetsPointAtTheSamples() {
    try (DatasetIndex index = DatasetIndex.build(shards, tmp.resolve("catalog.duckdb"))) {
      List<DatasetIndex.Entry> square = index.entries(DatasetIndex.Filter.ALL.preset(AspectPreset.SQUARE).verdict("accepted"));
      assertThat(square).isNotEmpty();
      ShardIndex sidecars = ShardIndex.load(shards);
      for (DatasetIndex.Entry e : square) {
        assertThat(e.preset()).isEqualTo(AspectPreset.SQUARE);
        assertThat(sidecars.locate(e.key()).orElseThrow().offset()).isEqualTo(e.offset());
        assertThat(sidecars.fetch(shards, e.key()).metadata().padCrop().orElseThrow().preset()).isEqualTo(AspectPreset.SQUARE);
      }
    }
  }

  @Test
  void aKeyListRestrictsCountsEntriesAndBatchesToTheListedSamples() throws Exception {
    try (DatasetIndex index = DatasetIndex.build(shards)) {
      List<DatasetIndex.Entry> accepted = index.entries(DatasetIndex.Filter.ALL.verdict("accepted"));
      List<String> listed = new ArrayList<>();
      for (int i = 0; i < accepted.size(); i += 3) {
        listed.add(accepted.get(i).key());
      }
      // repeats, blank lines and a key the index does not hold are ignored
      Path file = tmp.resolve("keys.txt");
      java.nio.file.Files.write(file, concat(listed, List.of("", listed.get(0), "no-such-key")));
      DatasetIndex.Filter f = DatasetIndex.Filter.ALL.verdict("accepted").keys(file);

      assertThat(index.count(f)).isEqualTo(listed.size());
      assertThat(index.entries(f)).extracting(DatasetIndex.Entry::key).containsExactlyInAnyOrderElementsOf(listed);
      assertThat(index.count(DatasetIndex.Filter.ALL.keys(file))).isEqualTo(listed.size());
      TrainingBatches b = TrainingBatches.builder().optBatchSize(2).optSeed(1).optFilter(f).build(index);
      Set<String> drawn = new HashSet<>();
      for (long step = 0; step < 40; step++) {
        b.batch(step).forEach(e -> drawn.add(e.key()));
      }
      assertThat(listed).containsAll(drawn);

      Path empty = java.nio.file.Files.createFile(tmp.resolve("empty-keys.txt"));
      assertThat(index.count(DatasetIndex.Filter.ALL.keys(empty))).isZero();
      assertThatThrownBy(() -> index.count(DatasetIndex.Filter.ALL.keys(tmp.resolve("missing.txt"))))
          .hasMessageContaining("missing.txt");
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  @Test
  void mixtureSamplingFollowsTheWeightsAndIsSeeded() {
    try (DatasetIndex index = DatasetIndex.build(shards)) {
      Map<String, Double> w = Map.of("synthetic", 3.0, "other", 1.0, "absent", 5.0);
      List<DatasetIndex.Entry> a = index.sampleMixture(w, 4000, 7, DatasetIndex.Filter.ALL);
      assertThat(index.sampleMixture(w, 4000, 7, DatasetIndex.Filter.ALL)).isEqualTo(a);
      assertThat(index.sampleMixture(w, 4000, 8, DatasetIndex.Filter.ALL)).isNotEqualTo(a);
      long other = a.stream().filter(e -> e.key().startsWith("other-")).count();
      assertThat(other).isBetween(850L, 1150L);
      assertThatThrownBy(() -> index.sampleMixture(Map.of("absent", 1.0), 1, 1, DatasetIndex.Filter.ALL))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void presetBatchesHoldOnePresetEachAndCoverEverySampleOnce() {
    try (DatasetIndex index = DatasetIndex.build(shards)) {
      Set<String> seen = new HashSet<>();
      Map<AspectPreset, Integer> batches = new HashMap<>();
      List<List<DatasetIndex.Entry>> all = new ArrayList<>();
      for (Iterator<List<DatasetIndex.Entry>> it = index.presetBatches(4, 3, DatasetIndex.Filter.ALL); it.hasNext(); ) {
        List<DatasetIndex.Entry> b = it.next();
        all.add(b);
        assertThat(b).hasSizeBetween(1, 4);
        assertThat(b.stream().map(DatasetIndex.Entry::preset).distinct()).hasSize(1);
        b.forEach(e -> assertThat(seen.add(e.key())).isTrue());
        batches.merge(b.get(0).preset(), 1, Integer::sum);
      }
      assertThat((long) seen.size()).isEqualTo(index.count(DatasetIndex.Filter.ALL));
      assertThat(batches).hasSize(3);
      List<List<DatasetIndex.Entry>> again = new ArrayList<>();
      index.presetBatches(4, 3, DatasetIndex.Filter.ALL).forEachRemaining(again::add);
      assertThat(again).isEqualTo(all);
    }
  }

  @Test
  void entriesByGroupEveryEntryOnceAndTrainingBatchesFollowTheDatasetWeightsInOnePresetPerBatch() {
    try (DatasetIndex index = DatasetIndex.build(shards)) {
      Map<String, List<DatasetIndex.Entry>> byDataset =
          index.entriesBy(DatasetIndex.Column.DATASET, DatasetIndex.Filter.ALL);
      assertThat(byDataset.keySet()).containsExactly("other", "synthetic");
      assertThat(byDataset.get("other")).hasSize(20).allMatch(e -> e.key().startsWith("other-"));
      assertThat(byDataset.get("synthetic")).hasSize((int) curated.written());
      assertThat(byDataset.get("synthetic")).isSortedAccordingTo(java.util.Comparator.comparing(DatasetIndex.Entry::key));

      TrainingBatches.Builder b = TrainingBatches.builder().optBatchSize(6).optSeed(5)
          .optMixture(DatasetIndex.Column.DATASET, Map.of("synthetic", 3.0, "other", 1.0, "absent", 4.0));
      TrainingBatches tb = b.build(index);
      assertThat(tb.proportions()).containsOnlyKeys("other", "synthetic");
      int steps = 2000;
      double other = 0;
      for (long s = 0; s < steps; s++) {
        List<DatasetIndex.Entry> batch = tb.batch(s);
        assertThat(batch.stream().map(DatasetIndex.Entry::preset).distinct()).hasSize(1);
        other += batch.stream().filter(e -> e.key().startsWith("other-")).count() / 6.0;
      }
      // 5 worst-case standard errors of a mean of 2000 batch shares: 5 * 0.5 / sqrt(2000) = 0.056.
      assertThat(other / steps).isBetween(0.25 - 0.056, 0.25 + 0.056);
      // Resuming: a source built again from the index gives step 1234's batch without the steps before it.
      assertThat(b.build(index).batch(1234)).isEqualTo(tb.batch(1234));
    }
  }
}
