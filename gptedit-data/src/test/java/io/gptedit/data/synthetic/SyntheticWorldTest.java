package io.gptedit.data.synthetic;

import io.gptedit.core.image.EditMask;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.core.geometry.AspectPreset;
import io.gptedit.core.geometry.PadCropPlan;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.instruction.ComplexityLevel;
import io.gptedit.core.metadata.MetadataCodec;
import io.gptedit.core.testing.Property;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SyntheticWorldTest {
  private final SyntheticWorld world = SyntheticWorld.builder(7).build();

  @Test
  void sameSeedAndIndexGiveIdenticalSamples() {
    SyntheticWorld other = SyntheticWorld.builder(7).build();
    for (long i = 0; i < 20; i++) {
      SyntheticSample a = world.sample(i);
      SyntheticSample b = other.sample(i);
      assertThat(b.input()).isEqualTo(a.input());
      assertThat(b.target()).isEqualTo(a.target());
      assertThat(b.instruction()).isEqualTo(a.instruction());
      assertThat(b.mask()).isEqualTo(a.mask());
    }
    assertThat(SyntheticWorld.builder(8).build().sample(0).input()).isNotEqualTo(world.sample(0).input());
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void everySampleHasANonEmptyExactMaskAndAParseableInstruction(long seed) {
    SyntheticWorld w = SyntheticWorld.builder(seed).optSides(24, 96).build();
    Property.forAll(seed, 300, r -> w.sample(r.nextInt(1_000_000)), s -> {
      assertThat(s.mask().count()).as("mask of %s", s.instruction()).isPositive();
      assertThat(s.mask()).isEqualTo(EditMask.between(s.input(), s.target()));
      assertThat(SceneText.parseInstruction(s.instruction())).isEqualTo(s.program());
      Scene again = s.scene();
      for (EditOp op : SceneText.parseInstruction(s.instruction())) {
        again = op.apply(again);
      }
      assertThat(again).isEqualTo(s.targetScene());
      for (int i = 0; i < s.steps().size(); i++) {
        assertThat(SceneText.parseInstruction(s.steps().get(i))).containsExactly(s.program().get(i));
      }
    });
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {4, 5})
  void sceneDescriptionsParseBackToTheSameScene(long seed) {
    Property.forAll(seed, 300, r -> world.randomScene(r, 30 + r.nextInt(200), 30 + r.nextInt(200)), scene ->
        assertThat(SceneText.parseScene(scene.describe(), scene.width(), scene.height())).isEqualTo(scene));
  }

  @Test
  void theWorldCoversEveryEditKindPresetComplexityAndOddSizes() {
    Set<String> tasks = new HashSet<>();
    Set<AspectPreset> presets = EnumSet.noneOf(AspectPreset.class);
    Set<Integer> lengths = new HashSet<>();
    int padded = 0;
    int exact = 0;
    Set<Background.Pattern> patterns = EnumSet.noneOf(Background.Pattern.class);
    for (long i = 0; i < 400; i++) {
      SyntheticSample s = world.sample(i);
      s.program().forEach(op -> tasks.add(op.task()));
      lengths.add(s.program().size());
      presets.add(AspectPreset.nearest(s.input().width(), s.input().height()));
      PadCropPlan plan = PadCropPlan.forImage(s.input());
      if (plan.padding().isNone()) {
        exact++;
      } else {
        padded++;
      }
      patterns.add(s.scene().background().pattern());
    }
    assertThat(tasks).containsExactlyInAnyOrder("recolour", "add", "remove", "move", "resize", "background");
    assertThat(presets).containsExactlyInAnyOrder(AspectPreset.values());
    assertThat(lengths).containsExactlyInAnyOrder(1, 2, 3);
    assertThat(patterns).containsExactlyInAnyOrder(Background.Pattern.values());
    assertThat(padded).isGreaterThan(200);
    assertThat(exact).isGreaterThan(50);
  }

  @Test
  void chainedSamplesCarryComposedInstructionsAndValidMetadata() {
    SyntheticWorld w = SyntheticWorld.builder(3).optComplexityWeights(0, 0, 1).build();
    SyntheticSample s = w.sample(11);
    assertThat(s.editInstruction().complexity()).contains(ComplexityLevel.C3);
    assertThat(s.editInstruction().atomicSteps()).hasSize(3);
    assertThat(s.task()).isEqualTo("c3");
    assertThat(MetadataCodec.fromJson(MetadataCodec.toJson(s.metadata()))).isEqualTo(s.metadata());
    assertThat(s.toTriplet().id()).isEqualTo("syn-00000011");
  }

  @Test
  void smallSizesAreSupportedForTheTrainer() {
    SyntheticWorld tiny = SyntheticWorld.builder(1).optSides(32, 64).build();
    for (long i = 0; i < 50; i++) {
      SyntheticSample s = tiny.sample(i);
      assertThat(Math.max(s.input().width(), s.input().height())).isBetween(32, 64);
      assertThat(s.mask().count()).isPositive();
    }
  }

  @Test
  void metricsScoreTheExactTargetPerfectlyAndTheInputAsNoEdit() {
    SyntheticSample s = world.sample(5);
    assertThat(EditMetrics.instructionFollowing(s.target(), s.target(), s.mask(), 0)).isEqualTo(1.0);
    assertThat(EditMetrics.identityPreservation(s.target(), s.input(), s.mask(), 0)).isEqualTo(1.0);
    assertThat(EditMetrics.identityPreservation(s.input(), s.input(), s.mask(), 0)).isEqualTo(1.0);
    assertThat(EditMetrics.instructionFollowing(s.input(), s.target(), s.mask(), 0)).isLessThan(0.05);
    RgbImage black = RgbImage.filled(s.input().width(), s.input().height(), 0x000000);
    assertThat(EditMetrics.identityPreservation(black, s.input(), s.mask(), 0)).isLessThan(0.2);
    assertThatThrownBy(() -> EditMetrics.instructionFollowing(RgbImage.filled(3, 3, 0), s.target(), s.mask(), 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
