package io.gptedit.testkit.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.core.geometry.PadCropPlan;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.remote.ChatResponse;
import io.gptedit.core.remote.GeneratedImage;
import io.gptedit.core.remote.ImageEditRequest;
import io.gptedit.core.remote.ImageEditService;
import io.gptedit.core.remote.ImageGenerationRequest;
import io.gptedit.core.remote.RemoteException;
import io.gptedit.core.testing.Property;
import io.gptedit.data.curation.ChatPrompts;
import io.gptedit.data.synthetic.EditMetrics;
import io.gptedit.data.synthetic.EditOp;
import io.gptedit.data.synthetic.Scene;
import io.gptedit.data.synthetic.SceneText;
import io.gptedit.data.synthetic.SyntheticSample;
import io.gptedit.data.synthetic.SyntheticWorld;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The synthetic world's stand-in services edit, render and answer exactly (and defect at the configured rate). */
class SyntheticServicesTest {
  private final SyntheticWorld world = SyntheticWorld.builder(7).build();

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {11, 12})
  void editServiceAtTheCanvasSizeReproducesTheExactTargetThroughPadAndCrop(long seed) {
    ImageEditService service = SyntheticServices.editService(world, StandInOptions.exact());
    Property.forAll(seed, 60, r -> world.sample(r.nextInt(100_000)), s -> {
      PadCropPlan plan = PadCropPlan.forImage(s.input());
      GeneratedImage g = service.edit(ImageEditRequest.of(plan.pad(s.input()), s.instruction(), plan.canvas()));
      assertThat(plan.crop(g.image())).isEqualTo(s.target());
    });
  }

  @Test
  void editServiceAtGenerationSizeIsCloseToTheTargetAfterCropAndResize() {
    ImageEditService service = SyntheticServices.editService(world, StandInOptions.exact());
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
  void editServiceRejectsUnknownImagesAndUnparseablePrompts() {
    ImageEditService service = SyntheticServices.editService(world, StandInOptions.exact());
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
    ImageEditService service = SyntheticServices.editService(world, StandInOptions.exact().withDefectRate(0.5));
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
    GeneratedImage g = SyntheticServices.generationService(world, StandInOptions.exact())
        .generate(ImageGenerationRequest.of(scene.describe(), new Size(96, 64)));
    assertThat(g.image()).isEqualTo(scene.render());
    List<EditOp> program = world.randomProgram(scene, 1, r);
    GeneratedImage e = SyntheticServices.editService(world, StandInOptions.exact())
        .edit(ImageEditRequest.of(g.image(), SceneText.instruction(program, 0), new Size(96, 64)));
    assertThat(e.image()).isEqualTo(program.get(0).apply(scene).render());
  }

  @Test
  void chatStandInRewritesProposesAndComposesParseableInstructions() {
    var chat = SyntheticServices.chatService(world, StandInOptions.exact());
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
