package io.gptedit.models.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Regression tests for issue 15's trainer findings: a resume with a changed recipe, and the accumulation divisor. */
class ResumeRecipeTest {
  @TempDir Path tmp;

  static Map<String, NDArray> linear(NDManager m) {
    Map<String, NDArray> p = new LinkedHashMap<>();
    p.put("w", m.create(new float[] {0.1f, -0.2f, 0.3f, 0.05f}, new Shape(2, 2)));
    return p;
  }

  /** A linear regression towards W* = [[1, 2], [3, 4]] on inputs drawn from the micro-batch's random source. */
  static NDArray loss(Map<String, NDArray> p, FineTuner.StepContext ctx, int copies) {
    NDManager m = ctx.manager();
    SplittableRandom r = ctx.random();
    NDArray total = null;
    for (int c = 0; c < copies; c++) {
      SplittableRandom rc = copies == 1 ? r : new SplittableRandom(FineTuner.mix(5, ctx.step(), c));
      float[] x = new float[8];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) rc.nextGaussian();
      }
      NDArray xs = m.create(x, new Shape(4, 2));
      NDArray y = xs.matMul(m.create(new float[] {1, 3, 2, 4}, new Shape(2, 2)));
      NDArray l = xs.matMul(p.get("w")).sub(y).square().mean();
      total = total == null ? l : total.add(l);
    }
    return copies == 1 ? total : total.div(m.create((float) copies));
  }

  static FineTuner.Builder builder(Map<String, NDArray> p, long steps, double lr) {
    return FineTuner.builder()
        .setParameters(p)
        .setOptimizer(new AdamWOptimizer(0.9, 0.99, 1e-8, 0).create())
        .setSchedule(new LrSchedule.Constant(lr, 0))
        .setSteps(steps)
        .optSeed(5)
        .optSamplesPerMicroBatch(4)
        .optClipNorm(0);
  }

  @Test
  void labResumeAcceptedADifferentRecipeNowEachDifferenceIsListedAndTheResumeRefused() throws Exception {
    Path run = tmp.resolve("run");
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> p = linear(m);
      try (FineTuner t =
          builder(p, 120, 0.002).optRunDir(run).optConfig("{\"batch\": 64, \"lr\": 0.002}").optDataHash("d1").build()) {
        t.train(ctx -> loss(p, ctx, 1));
      }
      Map<String, NDArray> q = linear(m);
      try (FineTuner t =
          builder(q, 160, 0.01).optRunDir(run).optConfig("{\"batch\": 8, \"lr\": 0.01}").optDataHash("d2").build()) {
        assertThatThrownBy(t::resume)
            .isInstanceOf(FineTuner.RecipeChangedException.class)
            .hasMessageContaining("steps: 120 -> 160")
            .hasMessageContaining("schedule: Constant[peak=0.002")
            .hasMessageContaining("data_hash: d1 -> d2")
            .hasMessageContaining("config.batch: 64 -> 8")
            .hasMessageContaining("config.lr: 0.002 -> 0.01");
      }
    }
  }

  @Test
  void anExplicitlyAllowedRecipeChangeContinuesAndRecordsBothRecipes() throws Exception {
    Path run = tmp.resolve("run");
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> p = linear(m);
      try (FineTuner t = builder(p, 10, 0.01).optRunDir(run).optConfig("{\"steps\": 10}").build()) {
        t.train(ctx -> loss(p, ctx, 1));
      }
      Map<String, NDArray> q = linear(m);
      try (FineTuner t =
          builder(q, 20, 0.01).optRunDir(run).optConfig("{\"steps\": 20}").optAllowRecipeChange(true).build()) {
        assertThat(t.resume()).isEqualTo(10);
        assertThat(t.train(ctx -> loss(q, ctx, 1))).hasSize(10);
        assertThat(t.provenance().get("recipe_changed_on_resume")).contains("steps: 10 -> 20");
        assertThat(t.provenance().get("previous_config")).contains("\"steps\":10");
      }
      String provenance = Files.readString(run.resolve("provenance.json"));
      assertThat(provenance).contains("recipe_changed_on_resume", "previous_config");
    }
  }

  @Test
  void theSameRecipeResumesWithoutComplaint() {
    Path run = tmp.resolve("run");
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> p = linear(m);
      try (FineTuner t = builder(p, 10, 0.01).optRunDir(run).optStopAfter(4).build()) {
        t.train(ctx -> loss(p, ctx, 1));
      }
      Map<String, NDArray> q = linear(m);
      try (FineTuner t = builder(q, 10, 0.01).optRunDir(run).build()) {
        assertThat(t.resume()).isEqualTo(4);
        assertThat(t.train(ctx -> loss(q, ctx, 1))).hasSize(6);
      }
    }
  }

  @Test
  void lossDividedByTheAccumulationKeepsItsDivisorAliveThroughBackwardOverManySteps() {
    // Four micro-batches per step, the loss divided by 4 before each backward, against one micro-batch whose loss
    // is the mean of the same four: the gradients, and so the weights, must agree after many steps.
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> accumulated = linear(m);
      Map<String, NDArray> whole = linear(m);
      try (FineTuner t = builder(accumulated, 300, 0.01).optAccumulation(4).build()) {
        t.train(ctx -> {
          // Every micro-batch's own random source, as the whole-batch loss recreates them.
          FineTuner.StepContext c =
              new FineTuner.StepContext(ctx.step(), ctx.micro(), ctx.manager(),
                  new SplittableRandom(FineTuner.mix(5, ctx.step(), ctx.micro())));
          return loss(accumulated, c, 1);
        });
      }
      try (FineTuner t = builder(whole, 300, 0.01).build()) {
        t.train(ctx -> loss(whole, ctx, 4));
      }
      float[] a = accumulated.get("w").toFloatArray();
      float[] b = whole.get("w").toFloatArray();
      for (int i = 0; i < a.length; i++) {
        assertThat(a[i]).isFinite().isCloseTo(b[i], within(1e-4f));
      }
      assertThat(a[0]).isCloseTo(1f, within(0.05f)); // and both learnt W*
    }
  }
}
