package io.gptedit.lab;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.image.EditMask;
import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.synthetic.Scene;
import io.gptedit.data.synthetic.SceneText;
import io.gptedit.data.synthetic.SyntheticTruth;
import io.gptedit.models.editor.Paradigm;
import io.gptedit.models.train.EditBatchSource;
import io.gptedit.models.train.EditCollator;
import io.gptedit.models.train.EditFineTuning;
import io.gptedit.models.train.EditObjective;
import io.gptedit.models.train.EditSample;
import io.gptedit.models.train.EditorSpec;
import io.gptedit.models.train.FineTuner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The tiny pretrained base of {@code lab --compare}: the Kontext-family backbone (12-channel tokens, the lab's
 * blocks, heads and RoPE) with the T5 fusion, trained once on text-to-scene generation, as FLUX.1 is a text-to-image
 * model before any editing: the caption of a training scene (background, then each shape's size, colour, kind and
 * cell) in, the scene out. It trains through the same library path as every editor ({@link EditFineTuning} over a
 * {@link io.gptedit.models.editor.KontextDenoiser}) with the condition image a blank mid-grey canvas, so its
 * condition tokens carry nothing and the model learns to draw from the text alone; the edit mask covers every pixel
 * and the loss is the plain flow-matching MSE. The scenes are the training split's inputs and targets (never the
 * held-out set's). The run folder ({@code base/}) is an ordinary run: a second {@code --compare} in the same report
 * folder finds it finished with the same recipe and reuses it instead of training again.
 */
final class LabBase implements AutoCloseable {
  /** The caption format, recorded in the base's recipe (a base trained on other captions is not reused). */
  static final String CAPTIONS = "background colour, then per shape: size, colour, kind, cell; no articles";
  private final EditorSpec.Parts parts;
  private final Map<String, NDArray> parameters;
  private final boolean reused;
  private final EditLab.Training training;

  private LabBase(EditorSpec.Parts parts, boolean reused, EditLab.Training training) {
    this.parts = parts;
    this.parameters = Collections.unmodifiableMap(EditFineTuning.parameters(parts.denoiser(), parts.text()));
    this.reused = reused;
    this.training = training;
  }

  /** The base's trained parameters (backbone and T5 connector), by name. */
  Map<String, NDArray> parameters() {
    return parameters;
  }

  /** Whether a finished run was reused instead of training again. */
  boolean reused() {
    return reused;
  }

  /** The base's training run (its steps read back from the run folder when reused). */
  EditLab.Training training() {
    return training;
  }

  /** The base's recipe: the config's backbone with the T5 fusion, the pretraining steps and the plain MSE loss. */
  static LabConfig config(LabConfig c) {
    return c.toBuilder()
        .optParadigm(Paradigm.KONTEXT)
        .optTextFusion(LabConfig.Fusion.T5)
        .optSteps(c.pretrainSteps())
        .optWarmup(Math.min(c.warmup(), c.pretrainSteps() - 1))
        .optLoss(EditObjective.Loss.MSE)
        .optStructureShare(0)
        .optMisalign(0)
        .optEma(0)
        .build();
  }

  /**
   * Pretrains the base, or reuses the finished run in {@code runDir}.
   *
   * @param c the lab config
   * @param data the data whose training split the scenes come from
   * @param runDir the base's run folder
   * @param device where it trains
   * @param listener progress
   * @return the base (close it)
   */
  static LabBase prepare(LabConfig c, LabData data, Path runDir, Device device, EditLab.Listener listener) {
    LabConfig bc = config(c);
    EditorSpec spec = LabEditors.spec(bc, Paradigm.KONTEXT, null);
    EditorSpec.Parts parts = spec.build(LabEditors.resolver(null), device);
    try {
      EditLab.initialise(bc, parts);
      boolean finished = LabMllmTraining.finished(runDir, bc.steps());
      listener.onPhase(
          finished
              ? "reusing the pretrained base in " + runDir
              : String.format(
                  Locale.ROOT, "pretraining the base (text -> scene, condition a blank canvas): %d steps of batch %d",
                  bc.steps(), bc.batch()));
      EditCollator collator = new EditCollator(parts.codec(), parts.denoiser(), parts.text(), 4 * bc.batch());
      Size size = new Size(bc.size(), bc.size());
      RgbImage blank = blank(bc.size());
      EditMask all = everything(bc.size());
      EditBatchSource source =
          (step, micro) -> new EditBatchSource.MicroBatch(textToScene(data.triplets(step), step, blank, all), size);
      String recipe =
          EditLab.configJson(bc, Paradigm.KONTEXT).put("task", "text-to-scene base").put("captions", CAPTIONS).toString();
      Map<String, String> provenance =
          Map.of("data", "captions of the synthetic world's training scenes, seed " + c.seed(), "data_index_sha256",
              data.indexSha256());
      EditFineTuning.Result r;
      boolean reused = finished;
      try {
        r = EditFineTuning.run(
            EditLab.recipe(bc), parts.denoiser(), parts.text(), collator, source, spec, runDir, finished, provenance,
            recipe, m -> listener.onStep(m, bc.steps()));
      } catch (FineTuner.RecipeChangedException e) {
        listener.onPhase("the base in " + runDir + " was trained with another recipe; training it again");
        reused = false;
        r = EditFineTuning.run(
            EditLab.recipe(bc), parts.denoiser(), parts.text(), collator, source, spec, runDir, false, provenance,
            recipe, m -> listener.onStep(m, bc.steps()));
      }
      EditLab.Training t = EditLab.training(Paradigm.KONTEXT, r, reused);
      return new LabBase(parts, reused, t);
    } catch (RuntimeException e) {
      parts.close();
      throw e;
    }
  }

  /**
   * The text-to-scene examples of a step: for each triplet the index draws, its input scene on even positions of
   * even steps (and odd of odd), its target scene otherwise, each with its caption.
   */
  static List<EditSample> textToScene(List<EditTriplet> triplets, long step, RgbImage blank, EditMask all) {
    List<EditSample> out = new ArrayList<>(triplets.size());
    for (int i = 0; i < triplets.size(); i++) {
      EditTriplet t = triplets.get(i);
      SyntheticTruth truth = LabData.truth(t);
      boolean input = (i + step) % 2 == 0;
      Scene scene = input ? truth.scene() : truth.targetScene();
      RgbImage image = input ? truth.input() : truth.exactTarget();
      out.add(new EditSample(t.id() + (input ? "-in" : "-out"), blank, image, caption(scene), all));
    }
    return out;
  }

  /**
   * A scene's caption in the words the lab's 16-token text encoder keeps: background first, then each shape's size,
   * colour, kind and cell, without articles or "plain" ("pink background small green circle top left ..."): three
   * shapes fit in 16 words.
   *
   * @param scene the scene
   * @return the caption
   */
  static String caption(Scene scene) {
    String d = SceneText.describe(scene).substring("a picture of ".length());
    int on = d.lastIndexOf(" on ");
    String shapes = on < 0 ? "" : d.substring(0, on);
    String background = on < 0 ? d : d.substring(on + 4);
    return (background + " " + shapes).replaceAll("\\b(a|an|the|in|and|plain)\\b", " ").replaceAll("[ ,]+", " ")
        .trim();
  }

  private static RgbImage blank(int size) {
    return RgbImage.filled(size, size, 0x808080);
  }

  private static EditMask everything(int size) {
    BitSet bits = new BitSet(size * size);
    bits.set(0, size * size);
    return EditMask.of(size, size, bits);
  }

  @Override
  public void close() {
    parts.close();
  }
}
