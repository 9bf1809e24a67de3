package io.gptedit.examples.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.RgbImage;
import io.gptedit.data.index.DatasetIndex;
import io.gptedit.data.shards.ShardIndex;
import io.gptedit.data.shards.ShardReader;
import io.gptedit.data.shards.ShardSample;
import io.gptedit.core.image.EditMask;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabDataTest {
  @TempDir Path tmp;

  private static final TinyTextEncoder ENCODER = new TinyTextEncoder(16, 32, 99);

  private static LabConfig config(Path out, int train, int misalign) {
    return LabConfig.builder(out).size(16).batch(5).seed(11).trainCount(train).heldOutCount(8).misalign(misalign).build();
  }

  private static Map<String, LabExample> byKey(List<LabExample> xs) {
    return xs.stream().collect(Collectors.toMap(LabExample::id, Function.identity()));
  }

  @Test
  void curatedLabDataRoundTripsThroughShardsAndIndexWithExactTargetsAndAStableHash() throws Exception {
    Path dir = tmp.resolve("a");
    LabData d = LabData.prepare(config(dir, 60, 0), dir, ENCODER);
    assertThat(d.train()).hasSize(60);
    assertThat(d.heldOut()).hasSize(8);
    assertThat(ShardReader.listShards(dir.resolve("train"))).isNotEmpty();
    assertThat(ShardReader.listShards(dir.resolve("heldout"))).isNotEmpty();
    assertThat(dir.resolve("train/ledger.duckdb")).exists();
    assertThat(dir.resolve("train-index.duckdb")).exists();

    // What the examples hold is what the shards hold, in the index's (key) order.
    ShardIndex sidecars = ShardIndex.load(dir.resolve("train"));
    List<String> keys = new ArrayList<>();
    for (LabExample e : d.train()) {
      keys.add(e.id());
      ShardSample s = sidecars.fetch(dir.resolve("train"), e.id());
      assertThat(ImageCodec.decode(s.inputPng(), e.id())).isEqualTo(e.input());
      assertThat(ImageCodec.decode(s.editedPng(), e.id())).isEqualTo(e.target());
      assertThat(s.metadata().instruction().text()).isEqualTo(e.instruction());
      assertThat(s.metadata().quality().orElseThrow().accepted()).isTrue();
      // Aligned data: the regenerated target is the exact one, so the mask is the input/target difference.
      assertThat(e.mask()).isEqualTo(EditMask.between(e.input(), e.target()));
      assertThat(e.mask().count()).isPositive();
    }
    assertThat(keys).isSorted();

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
    assertThat(d.train().stream().filter(e -> !e.instruction().isBlank()).count()).isEqualTo(60);
    assertThat(r.path("target_check").path("equal_to_world").asLong()).isEqualTo(68);
    assertThat(r.path("target_check").path("other").asLong()).isZero();
    assertThat(d.indexSha256()).hasSize(64).isEqualTo(r.path("index_sha256").asText());

    // Deterministic: a second run elsewhere gives byte-identical shards, so the same hashes and the same batches.
    Path other = tmp.resolve("b");
    LabData again = LabData.prepare(config(other, 60, 0), other, ENCODER);
    assertThat(again.indexSha256()).isEqualTo(d.indexSha256());
    assertThat(again.shardsSha256()).isEqualTo(d.shardsSha256());
    for (long s = 0; s < 20; s++) {
      assertThat(ids(again.batch(s))).isEqualTo(ids(d.batch(s)));
    }
    // Running again in the same folder replaces the data rather than adding to it.
    LabData replaced = LabData.prepare(config(dir, 60, 0), dir, ENCODER);
    assertThat(replaced.indexSha256()).isEqualTo(d.indexSha256());
    assertThat(replaced.train()).hasSize(60);
  }

  @Test
  void heldOutKeysNeverAppearInTrainAndTheHeldOutSetDoesNotDependOnTheTrainingSize() {
    Path small = tmp.resolve("small");
    Path large = tmp.resolve("large");
    LabData a = LabData.prepare(config(small, 30, 0), small, ENCODER);
    LabData b = LabData.prepare(config(large, 90, 0), large, ENCODER);
    for (LabData d : List.of(a, b)) {
      Set<String> train = new HashSet<>(ids(d.train()));
      assertThat(ids(d.heldOut())).noneMatch(train::contains);
      assertThat(ids(d.heldOut())).allMatch(k -> LabData.isHeldOut(11, k));
      assertThat(train).noneMatch(k -> LabData.isHeldOut(11, k));
      // Every batch comes from the training index.
      for (long s = 0; s < 50; s++) {
        assertThat(ids(d.batch(s))).hasSize(5).allMatch(train::contains);
      }
    }
    assertThat(ids(b.heldOut())).isEqualTo(ids(a.heldOut()));
    for (int i = 0; i < a.heldOut().size(); i++) {
      assertThat(b.heldOut().get(i).target()).isEqualTo(a.heldOut().get(i).target());
    }
    // The smaller training set is the start of the larger one (same candidates, in the same order).
    assertThat(ids(b.train()).subList(0, 30)).isEqualTo(ids(a.train()));
  }

  @Test
  void eachStepTrainsOnExactlyTheIndexBatchOfThatStepInItsOrder() {
    Path dir = tmp.resolve("v");
    LabData d = LabData.prepare(config(dir, 40, 0), dir, ENCODER);
    for (long s = 0; s < 30; s++) {
      List<LabExample> got = d.batch(s);
      assertThat(ids(got)).isEqualTo(ids(d.batch(s)));
      assertThat(d.batches().batch(s).stream().map(DatasetIndex.Entry::key).toList()).isEqualTo(ids(got));
    }
  }

  @Test
  void misalignmentShiftsTheTargetOnlyDeterministicallyAndScoringKeepsTheExactTarget() {
    Path alignedDir = tmp.resolve("aligned");
    Path shiftedDir = tmp.resolve("shifted");
    LabData aligned = LabData.prepare(config(alignedDir, 40, 0), alignedDir, ENCODER);
    LabData shifted = LabData.prepare(config(shiftedDir, 40, 2), shiftedDir, ENCODER);
    Map<String, LabExample> ref = byKey(aligned.train());
    ShardIndex sidecars = ShardIndex.load(shiftedDir.resolve("train"));
    assertThat(ids(shifted.train())).isEqualTo(ids(aligned.train()));
    int moved = 0;
    for (LabExample e : shifted.train()) {
      LabExample a = ref.get(e.id());
      assertThat(e.input()).isEqualTo(a.input());
      // The training target is the exact target shifted by the drawn offset, within 2 pixels; the loss mask stays
      // the exact edit's.
      String prompt = sidecars.fetch(shiftedDir.resolve("train"), e.id()).metadata().instruction().original();
      int[] o = LabData.offset(11, 2, e.input(), prompt);
      assertThat(Math.abs(o[0])).isLessThanOrEqualTo(2);
      assertThat(Math.abs(o[1])).isLessThanOrEqualTo(2);
      assertThat(e.target()).isEqualTo(LabData.shift(a.target(), o[0], o[1]));
      assertThat(e.mask()).isEqualTo(a.mask());
      if (!e.target().equals(a.target())) {
        moved++;
      }
    }
    assertThat(moved).isGreaterThan(20);
    // Held-out examples are scored against the exact, unshifted target and mask.
    for (int i = 0; i < shifted.heldOut().size(); i++) {
      assertThat(shifted.heldOut().get(i).target()).isEqualTo(aligned.heldOut().get(i).target());
      assertThat(shifted.heldOut().get(i).mask()).isEqualTo(aligned.heldOut().get(i).mask());
    }
    JsonNode check = shifted.report().path("target_check");
    assertThat(check.path("other").asLong()).isZero();
    assertThat(check.path("world_shifted_by_drawn_offset").asLong()).isGreaterThan(20);
    // Deterministic: the same misaligned data again; and not the aligned data.
    Path again = tmp.resolve("shifted-again");
    assertThat(LabData.prepare(config(again, 40, 2), again, ENCODER).shardsSha256()).isEqualTo(shifted.shardsSha256());
    assertThat(shifted.shardsSha256()).isNotEqualTo(aligned.shardsSha256());
    // The sidecar-index hash pins keys and layout only: a 16x16 PNG fits one tar block whatever its bytes.
    assertThat(shifted.indexSha256()).isEqualTo(aligned.indexSha256());
  }

  @Test
  void shiftMovesContentAndReplicatesTheEdgesAndOffsetsStayInRange() {
    // 3x2 image, pixel value = 10 * (x + 1) + y in every channel.
    byte[] px = new byte[3 * 2 * 3];
    for (int y = 0; y < 2; y++) {
      for (int x = 0; x < 3; x++) {
        for (int c = 0; c < 3; c++) {
          px[(y * 3 + x) * 3 + c] = (byte) (10 * (x + 1) + y);
        }
      }
    }
    RgbImage img = RgbImage.of(3, 2, px);
    assertThat(LabData.shift(img, 0, 0)).isEqualTo(img);
    RgbImage right = LabData.shift(img, 1, 0);
    assertThat(right.sample(0, 0, 0)).isEqualTo(10); // replicated edge
    assertThat(right.sample(1, 0, 0)).isEqualTo(10);
    assertThat(right.sample(2, 1, 0)).isEqualTo(21);
    RgbImage upLeft = LabData.shift(img, -1, -1);
    assertThat(upLeft.sample(0, 0, 0)).isEqualTo(21);
    assertThat(upLeft.sample(2, 0, 0)).isEqualTo(31); // replicated right edge
    assertThat(upLeft.sample(2, 1, 0)).isEqualTo(31); // replicated bottom-right corner

    Map<Integer, Integer> seen = new HashMap<>();
    for (int i = 0; i < 2000; i++) {
      int[] o = LabData.offset(3, 2, img, "prompt " + i);
      assertThat(o[0]).isBetween(-2, 2);
      assertThat(o[1]).isBetween(-2, 2);
      seen.merge(o[0] * 10 + o[1], 1, Integer::sum);
      assertThat(LabData.offset(3, 2, img, "prompt " + i)).isEqualTo(o);
    }
    assertThat(seen).hasSize(25); // all 25 offsets occur
    assertThat(LabData.offset(3, 0, img, "x")).containsExactly(0, 0);
    assertThatThrownBy(() -> config(tmp, 10, 16)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("misalign");
  }

  private static List<String> ids(List<LabExample> xs) {
    return xs.stream().map(LabExample::id).toList();
  }
}
