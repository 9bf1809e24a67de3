package io.gptedit.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.gptedit.data.synthetic.Background;
import io.gptedit.data.synthetic.EditOp;
import io.gptedit.data.synthetic.GridCell;
import io.gptedit.data.synthetic.Scene;
import io.gptedit.data.synthetic.SceneColor;
import io.gptedit.data.synthetic.SceneShape;
import io.gptedit.data.synthetic.ShapeKind;
import io.gptedit.data.synthetic.SizeClass;
import io.gptedit.data.synthetic.SyntheticTruth;
import io.gptedit.models.text.WordHashTextEncoder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code --compare}'s pretraining runs learn from: the base's captions and the tiny MLLM's attribute labels. */
class LabPretrainingTest {
  private static final Scene SCENE =
      new Scene(16, 16, Background.plain(SceneColor.PINK), List.of(
          new SceneShape(ShapeKind.CIRCLE, SceneColor.GREEN, GridCell.TOP_LEFT, SizeClass.SMALL.scale()),
          new SceneShape(ShapeKind.CROSS, SceneColor.NAVY, GridCell.BOTTOM_RIGHT, SizeClass.LARGE.scale()),
          new SceneShape(ShapeKind.SQUARE, SceneColor.MINT, GridCell.CENTRE, SizeClass.MEDIUM.scale())));

  @Test
  void aCaptionPutsTheBackgroundFirstAndFitsThreeShapesInTheTextEncodersSixteenTokens() {
    String caption = LabBase.caption(SCENE);
    assertThat(caption).isEqualTo(
        "pink background small green circle top left large navy cross bottom right medium mint square centre");
    assertThat(WordHashTextEncoder.words(caption)).hasSizeLessThanOrEqualTo(LabEditors.TEXT_TOKENS);
    assertThat(LabBase.caption(new Scene(16, 16, Background.plain(SceneColor.TEAL), List.of())))
        .isEqualTo("teal background");
  }

  @Test
  void theMllmsLabelsNameTheEditTheObjectItsCellNowAndWhereItGoes() {
    int none = GridCell.values().length;
    int[] move = LabMllmTraining.labels(
        new SyntheticTruth(SCENE, List.of(new EditOp.Move(ShapeKind.CROSS, SceneColor.NAVY, GridCell.TOP_CENTRE))));
    assertThat(move).containsExactly(
        LabMllmTraining.TASKS.indexOf("move"), SceneColor.NAVY.ordinal(), SceneColor.values().length,
        ShapeKind.CROSS.ordinal(), GridCell.BOTTOM_RIGHT.ordinal(), GridCell.TOP_CENTRE.ordinal());
    int[] recolour = LabMllmTraining.labels(
        new SyntheticTruth(SCENE, List.of(new EditOp.Recolour(ShapeKind.CIRCLE, SceneColor.GREEN, SceneColor.RED))));
    assertThat(recolour).containsExactly(
        LabMllmTraining.TASKS.indexOf("recolour"), SceneColor.GREEN.ordinal(), SceneColor.RED.ordinal(),
        ShapeKind.CIRCLE.ordinal(), GridCell.TOP_LEFT.ordinal(), none);
    int[] background = LabMllmTraining.labels(
        new SyntheticTruth(SCENE, List.of(new EditOp.ChangeBackground(Background.plain(SceneColor.OLIVE)))));
    assertThat(background).containsExactly(
        LabMllmTraining.TASKS.indexOf("background"), SceneColor.PINK.ordinal(), SceneColor.OLIVE.ordinal(),
        ShapeKind.values().length, none, none);
  }
}
