package io.gptedit.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.gptedit.core.GpteditException;
import io.gptedit.core.image.EditMask;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.shards.ShardReader;
import io.gptedit.data.synthetic.SyntheticTruth;
import io.gptedit.models.train.EditSample;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lab's data step: curation into shards, the index's split and batches, the truth in every sample. */
class LabDataTest {
  @TempDir Path tmp;

  private static LabConfig config(Path out, int train, int misalign) {
    return LabConfig.builder(out)
        .optSize(16).optBatch(5).optSeed(11).optSteps(10).optWarmup(1).optTrainCount(train).optHeldOutCount(8)
        .optMisalign(misalign).build();
  }

  private static List<String> ids(List<? extends Object> xs) {
    return xs.stream().map(x -> x instanceof EditTriplet t ? t.id() : ((EditSample) x).key()).toList();
  }

  private static Set<String> trainKeys(LabData d, int steps) {
    Set<String> keys = new HashSet<>();
    for (long s = 0; s < steps; s++) {
      keys.addAll(ids(d.trainSet().batch(s)));
    }
    return keys;
  }

  @Test
  void curatedLabDataRoundTripsThroughShardsAndIndexWithExactTargetsAndAStableHash() {
    Path dir = tmp.resolve("a");
    LabData d = LabData.prepare(config(dir, 60, 0), dir);
    assertThat(d.trainCount()).isEqualTo(60);
    assertThat(d.heldOut()).hasSize(8);
    assertThat(ShardReader.listShards(dir.resolve("train"))).isNotEmpty();
    assertThat(ShardReader.listShards(dir.resolve("heldout"))).isNotEmpty();
    assertThat(dir.resolve("train/ledger.duckdb")).exists();
    assertThat(dir.resolve("train-index.duckdb")).exists();
    assertThat(ids(d.heldOut())).isSorted();

    // Every sample carries its truth; aligned data: the curated target is the exact one, and the training mask
    // is the input/target difference.
    for (long s = 0; s < 20; s++) {
      for (EditSample e : d.batch(s)) {
        assertThat(e.mask()).isNotNull().isEqualTo(EditMask.between(e.input(), e.target()));
        assertThat(e.mask().count()).isPositive();
      }
    }
    for (EditTriplet t : d.heldOut()) {
      assertThat(t.edited()).isEqualTo(SyntheticTruth.of(t.metadata()).orElseThrow().exactTarget());
    }

    JsonNode r = d.report();
    JsonNode tc = r.path("train_curation");
    assertThat(tc.path("written").asLong()).isEqualTo(60);
    assertThat(tc.path("rejected").asLong()).isZero();
    assertThat(tc.path("failed").asLong()).isZero();
    assertThat(tc.path("candidates_drawn").asLong())
        .isEqualTo(60 + tc.path("dropped_invisible_edit").asLong() + tc.path("dropped_ambiguous_input").asLong());
    // The rewrite stage ran: the ledger's count is what the index sees as rewritten instructions.
    assertThat(tc.path("rewrites").asLong()).isPositive();
    assertThat(r.path("train_instruction_types").path("rewrite").asLong()).isEqualTo(tc.path("rewrites").asLong());
    assertThat(r.path("target_check").path("equal_to_world").asLong()).isEqualTo(68);
    assertThat(r.path("target_check").path("other").asLong()).isZero();
    assertThat(d.indexSha256()).hasSize(64).isEqualTo(r.path("index_sha256").asText());

    // Deterministic: a second run elsewhere gives byte-identical shards, so the same hashes and the same batches.
    Path other = tmp.resolve("b");
    LabData again = LabData.prepare(config(other, 60, 0), other);
    assertThat(again.indexSha256()).isEqualTo(d.indexSha256());
    assertThat(again.shardsSha256()).isEqualTo(d.shardsSha256());
    for (long s = 0; s < 20; s++) {
      assertThat(ids(again.batch(s))).isEqualTo(ids(d.batch(s)));
    }
    // Running again in the same folder replaces the data rather than adding to it.
    LabData replaced = LabData.prepare(config(dir, 60, 0), dir);
    assertThat(replaced.indexSha256()).isEqualTo(d.indexSha256());
    assertThat(replaced.trainCount()).isEqualTo(60);
  }

  @Test
  void heldOutKeysNeverAppearInTrainAndTheHeldOutSetDoesNotDependOnTheTrainingSize() {
    Path small = tmp.resolve("small");
    Path large = tmp.resolve("large");
    LabData a = LabData.prepare(config(small, 30, 0), small);
    LabData b = LabData.prepare(config(large, 90, 0), large);
    for (LabData d : List.of(a, b)) {
      Set<String> train = trainKeys(d, 50);
      assertThat(ids(d.heldOut())).noneMatch(train::contains);
      assertThat(ids(d.heldOut())).allMatch(k -> LabCandidates.isHeldOut(11, k));
      assertThat(train).noneMatch(k -> LabCandidates.isHeldOut(11, k));
      for (long s = 0; s < 50; s++) {
        assertThat(d.batch(s)).hasSize(5);
      }
    }
    assertThat(ids(b.heldOut())).isEqualTo(ids(a.heldOut()));
    for (int i = 0; i < a.heldOut().size(); i++) {
      assertThat(b.heldOut().get(i).edited()).isEqualTo(a.heldOut().get(i).edited());
      assertThat(b.heldOut().get(i).input()).isEqualTo(a.heldOut().get(i).input());
    }
  }

  @Test
  void eachStepTrainsOnExactlyTheIndexBatchOfThatStepInItsOrder() {
    Path dir = tmp.resolve("v");
    LabData d = LabData.prepare(config(dir, 40, 0), dir);
    for (long s = 0; s < 30; s++) {
      List<String> got = ids(d.batch(s));
      assertThat(got).isEqualTo(ids(d.batch(s)));
      assertThat(d.trainSet().batches().batch(s).stream().map(e -> e.key()).toList()).isEqualTo(got);
    }
  }

  @Test
  void misalignmentShiftsTheTargetOnlyDeterministicallyAndScoringKeepsTheExactTarget() {
    Path alignedDir = tmp.resolve("aligned");
    Path shiftedDir = tmp.resolve("shifted");
    LabData aligned = LabData.prepare(config(alignedDir, 40, 0), alignedDir);
    LabData shifted = LabData.prepare(config(shiftedDir, 40, 2), shiftedDir);
    Map<String, EditTriplet> ref = new HashMap<>();
    for (String k : trainKeys(aligned, 40)) {
      ref.put(k, aligned.trainSet().sample(k));
    }
    assertThat(trainKeys(shifted, 40)).isEqualTo(ref.keySet());
    int moved = 0;
    for (String k : ref.keySet()) {
      EditTriplet e = shifted.trainSet().sample(k);
      EditTriplet a = ref.get(k);
      assertThat(e.input()).isEqualTo(a.input());
      String prompt = e.metadata().instruction().original();
      int[] o = LabCandidates.offset(11, 2, e.input(), prompt);
      assertThat(Math.abs(o[0])).isLessThanOrEqualTo(2);
      assertThat(Math.abs(o[1])).isLessThanOrEqualTo(2);
      // The training target is the exact target shifted by the drawn offset; the loss mask stays the exact edit's.
      assertThat(e.edited()).isEqualTo(LabCandidates.shift(a.edited(), o[0], o[1]));
      assertThat(LabData.sample(e).mask()).isEqualTo(LabData.sample(a).mask());
      if (!e.edited().equals(a.edited())) {
        moved++;
      }
    }
    assertThat(moved).isGreaterThan(ref.size() / 2);
    // Held-out samples are scored against the exact, unshifted target.
    assertThat(ids(shifted.heldOut())).isEqualTo(ids(aligned.heldOut()));
    for (int i = 0; i < aligned.heldOut().size(); i++) {
      EditTriplet h = shifted.heldOut().get(i);
      assertThat(LabData.truth(h).exactTarget()).isEqualTo(aligned.heldOut().get(i).edited());
    }
    assertThat(shifted.report().path("target_check").path("other").asLong()).isZero();
    assertThat(shifted.shardsSha256()).isNotEqualTo(aligned.shardsSha256());
    LabData again = LabData.prepare(config(tmp.resolve("shifted2"), 40, 2), tmp.resolve("shifted2"));
    assertThat(again.shardsSha256()).isEqualTo(shifted.shardsSha256());
  }

  @Test
  void shiftMovesContentAndReplicatesTheEdgesAndOffsetsStayInRange() {
    // 3x2 image: pixel values 0..5 in the red channel.
    byte[] rgb = new byte[3 * 2 * 3];
    for (int i = 0; i < 6; i++) {
      rgb[i * 3] = (byte) i;
    }
    RgbImage img = RgbImage.of(3, 2, rgb);
    RgbImage right = LabCandidates.shift(img, 1, 0);
    // out(x, y) = in(clamp(x - 1), y): row 0 = 0 0 1, row 1 = 3 3 4.
    int[] expect = {0, 0, 1, 3, 3, 4};
    byte[] got = right.copyRgb();
    for (int i = 0; i < 6; i++) {
      assertThat(got[i * 3]).isEqualTo((byte) expect[i]);
    }
    assertThat(LabCandidates.shift(img, 0, 0)).isEqualTo(img);
    Set<String> seen = new HashSet<>();
    for (int k = 0; k < 400; k++) {
      int[] o = LabCandidates.offset(3, 2, img, "prompt " + k);
      assertThat(o).isEqualTo(LabCandidates.offset(3, 2, img, "prompt " + k));
      assertThat(Math.abs(o[0])).isLessThanOrEqualTo(2);
      assertThat(Math.abs(o[1])).isLessThanOrEqualTo(2);
      seen.add(o[0] + "," + o[1]);
    }
    assertThat(seen).hasSize(25);
    assertThat(LabCandidates.offset(3, 0, img, "x")).containsExactly(0, 0);
    assertThatThrownBy(() -> LabConfig.builder(tmp).optSize(16).optMisalign(16).build())
        .isInstanceOf(GpteditException.class)
        .hasMessageContaining("misalign");
  }
}
