package io.gptedit.data.synthetic;

import io.gptedit.core.image.EditMask;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.core.geometry.AspectPreset;
import io.gptedit.core.geometry.PadCropPlan;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.metadata.MetadataCodec;
import io.gptedit.core.remote.ChatResponse;
import io.gptedit.core.remote.GeneratedImage;
import io.gptedit.core.remote.ImageEditRequest;
import io.gptedit.core.remote.ImageEditService;
import io.gptedit.core.remote.ImageGenerationRequest;
import io.gptedit.core.remote.RemoteException;
import io.gptedit.core.testing.Property;
import io.gptedit.core.triplet.ComplexityLevel;
import io.gptedit.data.curation.ChatPrompts;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
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
    SyntheticWorld w = SyntheticWorld.builder(seed).sides(24, 96).build();
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
    SyntheticWorld w = SyntheticWorld.builder(3).complexityWeights(0, 0, 1).build();
    SyntheticSample s = w.sample(11);
    assertThat(s.editInstruction().complexity()).contains(ComplexityLevel.C3);
    assertThat(s.editInstruction().atomicSteps()).hasSize(3);
    assertThat(s.task()).isEqualTo("c3");
    assertThat(MetadataCodec.fromJson(MetadataCodec.toJson(s.metadata()))).isEqualTo(s.metadata());
    assertThat(s.toTriplet().id()).isEqualTo("syn-00000011");
  }

  @Test
  void smallSizesAreSupportedForTheTrainer() {
    SyntheticWorld tiny = SyntheticWorld.builder(1).sides(32, 64).build();
    for (long i = 0; i < 50; i++) {
      SyntheticSample s = tiny.sample(i);
      assertThat(Math.max(s.input().width(), s.input().height())).isBetween(32, 64);
      assertThat(s.mask().count()).isPositive();
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {11, 12})
  void editServiceAtTheCanvasSizeReproducesTheExactTargetThroughPadAndCrop(long seed) {
    ImageEditService service = world.editService(StandInOptions.exact());
    Property.forAll(seed, 60, r -> world.sample(r.nextInt(100_000)), s -> {
      PadCropPlan plan = PadCropPlan.forImage(s.input());
      GeneratedImage g = service.edit(ImageEditRequest.of(plan.pad(s.input()), s.instruction(), plan.canvas()));
      assertThat(plan.crop(g.image())).isEqualTo(s.target());
    });
  }

  @Test
  void editServiceAtGenerationSizeIsCloseToTheTargetAfterCropAndResize() {
    ImageEditService service = world.editService(StandInOptions.exact());
    for (long i = 0; i < 30; i++) {
      SyntheticSample s = world.sample(i);
      PadCropPlan plan = PadCropPlan.forImage(s.input());
      Size gen = new Size(plan.preset().ratioWidth() * 128, plan.preset().ratioHeight() * 128);
      GeneratedImage g = service.edit(ImageEditRequest.of(plan.pad(s.input()), s.instruction(), gen));
      RgbImage out = plan.cropToOriginal(g.image());
      assertThat(EditMetrics.instructionFollowing(out, s.target(), s.mask(), 64)).as(s.instruction()).isGreaterThan(0.6);
      assertThat(EditMetrics.identityPreservation(out, s.input(), s.mask(), 64)).isGreaterThan(0.85);
      assertThat(g.usage().images()).isEqualTo(1);
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

  @Test
  void editServiceRejectsUnknownImagesAndUnparseablePrompts() {
    ImageEditService service = world.editService(StandInOptions.exact());
    SyntheticSample s = world.sample(1);
    assertThatThrownBy(() -> service.edit(ImageEditRequest.of(RgbImage.filled(10, 10, 0x123456), "remove the red circle", new Size(10, 10))))
        .isInstanceOf(RemoteException.class)
        .satisfies(e -> assertThat(((RemoteException) e).kind()).isEqualTo(RemoteException.Kind.BAD_REQUEST));
    assertThatThrownBy(() -> service.edit(ImageEditRequest.of(s.input(), "make it look like a van gogh", new Size(10, 10))))
        .isInstanceOf(RemoteException.class)
        .hasMessageContaining("cannot parse edit step");
  }

  @Test
  void defectiveAnswersAppearAtAboutTheConfiguredRate() {
    ImageEditService service = world.editService(StandInOptions.exact().withDefectRate(0.5));
    int defects = 0;
    int padded = 0;
    for (long i = 0; i < 120; i++) {
      SyntheticSample s = world.sample(i);
      PadCropPlan plan = PadCropPlan.forImage(s.input());
      if (plan.padding().isNone()) {
        continue;
      }
      padded++;
      GeneratedImage g = service.edit(ImageEditRequest.of(plan.pad(s.input()), s.instruction(), plan.canvas()));
      if (!g.image().equals(plan.pad(s.target()))) {
        defects++;
      }
    }
    assertThat((double) defects / padded).isBetween(0.3, 0.7);
  }

  @Test
  void generationServiceRendersADescriptionThatCanThenBeEdited() {
    SplittableRandom r = new SplittableRandom(3);
    Scene scene = world.randomScene(r, 96, 64);
    GeneratedImage g = world.generationService(StandInOptions.exact())
        .generate(ImageGenerationRequest.of(scene.describe(), new Size(96, 64)));
    assertThat(g.image()).isEqualTo(scene.render());
    List<EditOp> program = world.randomProgram(scene, 1, r);
    GeneratedImage e = world.editService(StandInOptions.exact())
        .edit(ImageEditRequest.of(g.image(), SceneText.instruction(program, 0), new Size(96, 64)));
    assertThat(e.image()).isEqualTo(program.get(0).apply(scene).render());
  }

  @Test
  void chatStandInRewritesProposesAndComposesParseableInstructions() {
    var chat = world.chatService(StandInOptions.exact());
    SyntheticSample s = world.sample(2);
    String rewritten = ChatPrompts.instruction(chat.complete(ChatPrompts.rewrite("m", s.instruction(), s.input(), s.target())));
    assertThat(rewritten).isNotEqualToIgnoringCase(s.instruction());
    assertThat(SceneText.parseInstruction(rewritten)).isEqualTo(s.program());

    ChatResponse proposal = chat.complete(ChatPrompts.propose("m", s.input(), 3));
    List<String> steps = ChatPrompts.lines(proposal, 3);
    assertThat(chat.complete(ChatPrompts.propose("m", s.input(), 3)).text()).isEqualTo(proposal.text());
    String fused = ChatPrompts.instruction(chat.complete(ChatPrompts.compose("m", steps)));
    List<EditOp> ops = SceneText.parseInstruction(fused);
    assertThat(ops).hasSize(3);
    Scene t = s.scene();
    for (EditOp op : ops) {
      t = op.apply(t);
    }
    assertThat(t).isNotEqualTo(s.scene());
  }
}
