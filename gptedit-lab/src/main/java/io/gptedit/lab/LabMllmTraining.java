package io.gptedit.lab;

import static io.gptedit.models.nn.Layers.linear;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.synthetic.EditOp;
import io.gptedit.data.synthetic.GridCell;
import io.gptedit.data.synthetic.SceneColor;
import io.gptedit.data.synthetic.SceneShape;
import io.gptedit.data.synthetic.ShapeKind;
import io.gptedit.data.synthetic.SyntheticTruth;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.nn.ParameterSpec;
import io.gptedit.models.train.AdamWOptimizer;
import io.gptedit.models.train.Checkpoints;
import io.gptedit.models.train.FineTuner;
import io.gptedit.models.train.LrSchedule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Trains the lab's tiny MLLM on the world before the text-fusion comparison, so that it carries real information, as
 * Qwen2.5-VL does in the paper: it reads the input image and the instruction and must predict the edit's attributes
 * from its mean hidden state through a linear head: the edit type, the colour of the object concerned, the new colour
 * (recolour, background), the shape, the cell the object is in now (which only the image tells) and the cell it goes
 * to (add, move). Cross-entropy per attribute, summed; AdamW, warm-up then cosine, on the training split's batches.
 * The head is dropped afterwards; the MLLM is frozen again for the fusions. The run folder is a {@link FineTuner}
 * run, so a second {@code --compare} in the same report folder reuses it instead of training again.
 */
final class LabMllmTraining {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final List<String> TASKS = List.of("recolour", "add", "remove", "move", "resize", "background");
  /** Attribute heads: name and number of classes (the last class of the optional ones is "none"). */
  static final String[] HEADS = {"task", "colour", "new_colour", "shape", "from_cell", "to_cell"};
  private static final int[] CLASSES = {
    TASKS.size(), SceneColor.values().length, SceneColor.values().length + 1, ShapeKind.values().length + 1,
    GridCell.values().length + 1, GridCell.values().length + 1
  };

  private LabMllmTraining() {}

  /**
   * The trained MLLM and what it learnt.
   *
   * @param mllm the frozen trained MLLM (owned by the caller)
   * @param accuracy per attribute head: held-out accuracy, and the held-out share of its most common class
   * @param reused whether the run folder's finished run was reused instead of training again
   * @param seconds the training time (0 when reused)
   */
  record Result(TinyMllm mllm, Map<String, double[]> accuracy, boolean reused, double seconds) {
    String summary() {
      StringBuilder sb = new StringBuilder("tiny MLLM held-out accuracy (trained / majority guess):");
      accuracy.forEach((k, v) -> sb.append(String.format(Locale.ROOT, " %s %.2f / %.2f;", k, v[0], v[1])));
      return sb.substring(0, sb.length() - 1);
    }
  }

  /** The attribute labels of a single-edit sample, one class index per head. */
  static int[] labels(SyntheticTruth truth) {
    EditOp op = truth.program().get(0);
    int noColour = SceneColor.values().length;
    int noShape = ShapeKind.values().length;
    int noCell = GridCell.values().length;
    int task = TASKS.indexOf(op.task());
    if (task < 0) {
      throw new IllegalArgumentException("unknown edit type " + op.task());
    }
    int colour;
    int newColour = noColour;
    int shape;
    int from = noCell;
    int to = noCell;
    if (op instanceof EditOp.Recolour r) {
      colour = r.from().ordinal();
      newColour = r.to().ordinal();
      shape = r.kind().ordinal();
      from = cell(truth, r.kind(), r.from());
    } else if (op instanceof EditOp.Add a) {
      colour = a.color().ordinal();
      shape = a.kind().ordinal();
      to = a.cell().ordinal();
    } else if (op instanceof EditOp.Remove r) {
      colour = r.color().ordinal();
      shape = r.kind().ordinal();
      from = cell(truth, r.kind(), r.color());
    } else if (op instanceof EditOp.Move m) {
      colour = m.color().ordinal();
      shape = m.kind().ordinal();
      from = cell(truth, m.kind(), m.color());
      to = m.to().ordinal();
    } else if (op instanceof EditOp.Resize r) {
      colour = r.color().ordinal();
      shape = r.kind().ordinal();
      from = cell(truth, r.kind(), r.color());
    } else if (op instanceof EditOp.ChangeBackground b) {
      colour = truth.scene().background().first().ordinal();
      newColour = b.background().first().ordinal();
      shape = noShape;
    } else {
      throw new IllegalArgumentException("unknown edit " + op);
    }
    return new int[] {task, colour, newColour, shape, from, to};
  }

  private static int cell(SyntheticTruth truth, ShapeKind kind, SceneColor colour) {
    return truth.scene().find(kind, colour).map(SceneShape::cell).map(Enum::ordinal).orElse(GridCell.values().length);
  }

  /**
   * Trains the tiny MLLM on the world, or reuses the finished run in {@code runDir}.
   *
   * @param c the lab config (seed, batch, lr; {@link LabConfig#pretrainSteps()} steps)
   * @param data the aligned data (training batches, held-out set for the accuracy)
   * @param runDir the run folder
   * @param device where it trains
   * @param listener progress
   * @return the frozen trained MLLM and its accuracy
   */
  static Result train(LabConfig c, LabData data, Path runDir, Device device, EditLab.Listener listener) {
    long seed = c.seed() ^ 0x3117L;
    int steps = c.pretrainSteps();
    int total = 0;
    for (int k : CLASSES) {
      total += k;
    }
    ObjectNode recipe = JSON.createObjectNode();
    recipe.put("task", "tiny MLLM: predict the edit's attributes from the input image and the instruction");
    recipe.put("steps", steps);
    recipe.put("batch", c.batch());
    recipe.put("lr", c.lr());
    recipe.put("seed", c.seed());
    recipe.put("size", c.size());
    recipe.put("train", c.trainCount());
    String recipeJson = recipe.toString();
    ModelWeights w = ModelWeights.random(TinyMllm.spec(), seed, device);
    ParameterSpec headSpec = new ParameterSpec().linear("attributes", TinyMllm.DIM, total, true);
    try (TinyMllm m = new TinyMllm(seed, w, null, false);
        ModelWeights head = ModelWeights.random(headSpec, seed ^ 0xA77L, device)) {
      Map<String, NDArray> params = new LinkedHashMap<>(w.asMap());
      params.putAll(head.asMap());
      boolean finished = finished(runDir, steps);
      listener.onPhase(
          finished
              ? "reusing the trained tiny MLLM in " + runDir
              : String.format(
                  Locale.ROOT, "training the tiny MLLM on the world: %d steps of batch %d (predict each edit's"
                      + " attributes from the input image and the instruction)", steps, c.batch()));
      long t0 = System.nanoTime();
      FineTuner.LossFunction loss = ctx -> {
        List<EditTriplet> batch = data.triplets(ctx.step());
        NDArray logits = logits(
                m, w.withValues(w.ownOf(ctx.parameters())), head.withValues(head.ownOf(ctx.parameters())), batch,
                ctx.manager());
        return crossEntropy(logits, batch, ctx.manager());
      };
      boolean reused = finished;
      try {
        fit(params, steps, c, runDir, finished, recipeJson, listener, loss);
      } catch (FineTuner.RecipeChangedException e) {
        listener.onPhase("the tiny MLLM in " + runDir + " was trained with another recipe; training it again");
        reused = false;
        fit(params, steps, c, runDir, false, recipeJson, listener, loss);
      }
      double seconds = reused ? 0 : (System.nanoTime() - t0) / 1e9;
      Map<String, double[]> accuracy = accuracy(m, w, head, data.heldOut(), device);
      Map<String, float[]> byName = new LinkedHashMap<>();
      w.asMap().forEach((n, a) -> byName.put(n, a.toFloatArray()));
      ModelWeights frozen = ModelWeights.fromValues(TinyMllm.spec(), e -> byName.get(e.name()), device);
      TinyMllm trained =
          new TinyMllm(seed, frozen, "trained " + steps + " steps on the world's edit attributes", true);
      return new Result(trained, accuracy, reused, seconds);
    }
  }

  private static void fit(
      Map<String, NDArray> params, int steps, LabConfig c, Path runDir, boolean resume, String recipeJson,
      EditLab.Listener listener, FineTuner.LossFunction loss) {
    if (!resume) {
      io.gptedit.models.train.EditFineTuning.deleteRunFolder(runDir);
    }
    try (FineTuner tuner =
        FineTuner.builder()
            .setParameters(params)
            .setOptimizer(new AdamWOptimizer(0.9, 0.99, 1e-8, 0.0).create())
            .setSchedule(new LrSchedule.Cosine(c.lr(), c.lr() * 0.05, Math.min(50, steps / 10), steps))
            .setSteps(steps)
            .optClipNorm(1.0)
            .optSeed(c.seed() ^ 0x3117L)
            .optSamplesPerMicroBatch(c.batch())
            .optRunDir(runDir)
            .optCheckpointEvery(0)
            .optConfig(recipeJson)
            .optListener(metrics -> listener.onStep(metrics, steps))
            .build()) {
      if (resume) {
        tuner.resume();
      }
      tuner.train(loss);
    }
  }

  /**
   * Whether a run folder holds a finished run of {@code steps} steps: its newest complete checkpoint ({@link
   * Checkpoints#latest}) is at that step or later.
   */
  static boolean finished(Path runDir, int steps) {
    return Checkpoints.latest(runDir).map(Checkpoints::stepOf).orElse(-1L) >= steps;
  }

  private static NDArray logits(
      TinyMllm m, ModelWeights w, ModelWeights head, List<EditTriplet> batch, NDManager manager) {
    List<RgbImage> images = new ArrayList<>();
    List<String> instructions = new ArrayList<>();
    for (EditTriplet t : batch) {
      images.add(t.input());
      instructions.add(t.instruction().text());
    }
    NDArray pooled = m.hiddenStates(w, images, instructions, manager).mean(new int[] {1});
    return linear(pooled, head, "attributes");
  }

  private static NDArray crossEntropy(NDArray logits, List<EditTriplet> batch, NDManager manager) {
    int b = batch.size();
    int total = Math.toIntExact(logits.getShape().get(1));
    float[] onehot = new float[b * total];
    for (int i = 0; i < b; i++) {
      int[] y = labels(LabData.truth(batch.get(i)));
      int off = 0;
      for (int h = 0; h < CLASSES.length; h++) {
        onehot[i * total + off + y[h]] = 1f;
        off += CLASSES[h];
      }
    }
    NDArray target = manager.create(onehot, new Shape(b, total));
    NDArray sum = null;
    int off = 0;
    for (int k : CLASSES) {
      NDArray part = logits.get(":, " + off + ":" + (off + k)).logSoftmax(1).mul(target.get(":, " + off + ":" + (off + k)));
      sum = sum == null ? part.sum() : sum.add(part.sum());
      off += k;
    }
    return sum.neg().div(b);
  }

  /**
   * Held-out accuracy per head: the trained MLLM's, and the share of the held-out set's most common class (what the
   * best guess that ignores the input would score).
   */
  private static Map<String, double[]> accuracy(
      TinyMllm m, ModelWeights w, ModelWeights head, List<EditTriplet> heldOut, Device device) {
    int[] right = new int[CLASSES.length];
    int[][] counts = new int[CLASSES.length][];
    for (int h = 0; h < CLASSES.length; h++) {
      counts[h] = new int[CLASSES[h]];
    }
    try (NDManager scope = NDManager.newBaseManager(device)) {
      for (int from = 0; from < heldOut.size(); from += 64) {
        List<EditTriplet> batch = heldOut.subList(from, Math.min(heldOut.size(), from + 64));
        float[] logits;
        try (NDManager step = scope.newSubManager()) {
          logits = logits(m, w, head, batch, step).toFloatArray();
        }
        int total = logits.length / batch.size();
        for (int i = 0; i < batch.size(); i++) {
          int[] y = labels(LabData.truth(batch.get(i)));
          int off = 0;
          for (int h = 0; h < CLASSES.length; h++) {
            int best = 0;
            for (int k = 1; k < CLASSES[h]; k++) {
              if (logits[i * total + off + k] > logits[i * total + off + best]) {
                best = k;
              }
            }
            right[h] += best == y[h] ? 1 : 0;
            counts[h][y[h]]++;
            off += CLASSES[h];
          }
        }
      }
    }
    Map<String, double[]> out = new LinkedHashMap<>();
    for (int h = 0; h < CLASSES.length; h++) {
      int max = 0;
      for (int n : counts[h]) {
        max = Math.max(max, n);
      }
      out.put(HEADS[h], new double[] {right[h] / (double) heldOut.size(), max / (double) heldOut.size()});
    }
    return out;
  }
}
