package io.gptedit.examples.lab;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.train.AdamWOptimizer;
import io.gptedit.models.train.LrSchedule;
import io.gptedit.models.train.StepMetrics;
import io.gptedit.models.train.FineTuner;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

class LabParadigmsTest {
  @TempDir Path tmp;

  private static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void headless() {
    System.setProperty("java.awt.headless", "true");
    System.setProperty("ai.djl.offline", "true");
  }

  /** EditLabTest's tiny run with the first recipe pinned. */
  private static LabConfig.Builder tiny(Path out) {
    return EditLabTest.tinyBuilder(out)
        // The recipe these short tests were sized for (the default since is velocity + Kontext ids + mask-balanced).
        .prediction(LabConfig.Prediction.RESIDUAL)
        .conditionIds(LabConfig.ConditionIds.SHARED)
        .loss(LabConfig.Loss.WEIGHTED)
        .timeMean(0);
  }

  private static final EditLab.Listener QUIET = EditLabTest.QUIET;

  private static double meanLoss(List<String> jsonLines, int from, int to) throws Exception {
    double sum = 0;
    for (int i = from; i < to; i++) {
      sum += JSON.readTree(jsonLines.get(i)).path("loss").asDouble();
    }
    return sum / (to - from);
  }

  @ParameterizedTest
  @EnumSource(LabConfig.Paradigm.class)
  void eachParadigmTrainsEndToEndAndItsLossFallsOnAFixedSeed(LabConfig.Paradigm paradigm) throws Exception {
    Path out = tmp.resolve(paradigm.name());
    EditLab.Result r = EditLab.run(tiny(out).paradigm(paradigm).build(), QUIET);

    List<String> steps = Files.readAllLines(out.resolve("run/metrics.jsonl"));
    assertThat(steps).hasSize(40);
    double first = meanLoss(steps, 0, 10);
    double last = meanLoss(steps, 30, 40);
    assertThat(last).as("%s: mean loss of steps 31-40 vs 1-10", paradigm).isLessThan(0.7 * first);
    assertThat(steps).noneMatch(l -> l.contains("\"skipped\":true"));

    String tag = paradigm.name().toLowerCase(java.util.Locale.ROOT);
    assertThat(r.rows()).hasSize(3);
    assertThat(r.rows().get(2).name()).startsWith("trained editor (" + tag + ", t5, residual");
    assertThat(r.rows().get(1).identityPreservation()).isLessThan(0.5); // random head: the untrained editor is noise
    JsonNode m = JSON.readTree(Files.readString(out.resolve("metrics.json")));
    assertThat(m.path("config").path("paradigm").asText()).isEqualTo(paradigm.name());
    assertThat(m.path("config").path("text_fusion").asText()).isEqualTo("T5");
  }

  @Test
  void theParadigmsFeedTheBackboneDifferently() {
    TinyTextEncoder enc = new TinyTextEncoder(16, 32, 5);
    Map<LabConfig.Paradigm, Map<String, NDArray>> params = new LinkedHashMap<>();
    List<LabModel> models = new ArrayList<>();
    try {
      for (LabConfig.Paradigm p : LabConfig.Paradigm.values()) {
        LabModel model = new LabModel(tiny(tmp).paradigm(p).build(), enc);
        models.add(model);
        params.put(p, model.parameters());
      }
      // Channel-wise: x_embedder reads the noisy and the condition features side by side.
      assertThat(params.get(LabConfig.Paradigm.CHANNEL).get("x_embedder.weight").getShape())
          .isEqualTo(new Shape(32, 24));
      assertThat(params.get(LabConfig.Paradigm.KONTEXT).get("x_embedder.weight").getShape())
          .isEqualTo(new Shape(32, 12));
      // SigLIP-style: a trained projector from the frozen encoder's features to the text size.
      assertThat(params.get(LabConfig.Paradigm.SIGLIP)).containsKeys("siglip_projector.0.weight", "siglip_projector.2.weight");
      assertThat(params.get(LabConfig.Paradigm.SIGLIP).get("siglip_projector.2.weight").getShape())
          .isEqualTo(new Shape(32, 64));
      assertThat(params.get(LabConfig.Paradigm.KONTEXT)).doesNotContainKey("siglip_projector.0.weight");
    } finally {
      models.forEach(LabModel::close);
    }
  }

  private static List<LabExample> examples(int n, int side, TinyTextEncoder enc, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    String[] words = {"make the red circle blue", "remove the square", "turn the background green"};
    List<LabExample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] in = new byte[side * side * 3];
      for (int k = 0; k < in.length; k++) {
        in[k] = (byte) r.nextInt(256);
      }
      byte[] target = in.clone();
      target[0] = (byte) (target[0] + 100);
      out.add(
          LabExample.of(
              "s" + i, RgbImage.of(side, side, in), RgbImage.of(side, side, target), words[i % words.length], enc));
    }
    return out;
  }

  @ParameterizedTest
  @EnumSource(LabConfig.Fusion.class)
  void eachTextFusionGivesTheContextShapeItDeclares(LabConfig.Fusion fusion) {
    TinyTextEncoder enc = new TinyTextEncoder(16, 32, 5);
    LabExample[] batch = examples(3, 8, enc, 1).toArray(new LabExample[0]);
    int expected =
        switch (fusion) {
          case T5 -> 16; // the T5-style tokens
          case MLLM -> 16 + 16; // the stand-in MLLM's image tokens then instruction tokens
          case MLLM_T5 -> 32 + 16; // [projected MLLM ; T5]
          case METAQUERY -> LabText.META_QUERIES; // the queries' states only
        };
    try (LabText text = new LabText(tiny(tmp).textFusion(fusion).build(), enc);
        NDManager m = NDManager.newBaseManager()) {
      LabText.Conditioning c = text.condition(m, batch);
      assertThat(text.tokens()).isEqualTo(expected);
      assertThat(c.tokens().getShape()).isEqualTo(new Shape(3, expected, 32));
      assertThat(c.pooled().getShape()).isEqualTo(new Shape(3, 32));
      assertThat(c.tokens().isNaN().any().getBoolean()).isFalse();
      assertThat(text.parameters().isEmpty()).isEqualTo(fusion == LabConfig.Fusion.T5);
      if (fusion == LabConfig.Fusion.METAQUERY) {
        assertThat(text.parameters().get("meta_queries.weight").getShape()).isEqualTo(new Shape(LabText.META_QUERIES, 32));
      }
    }
  }

  @Test
  void theMllmFusionsReadTheInputImageAndTheT5FusionDoesNot() {
    TinyTextEncoder enc = new TinyTextEncoder(16, 32, 5);
    List<LabExample> two = examples(4, 8, enc, 2);
    // Samples 0 and 3 share the instruction but not the image.
    LabExample[] a = {two.get(0)};
    LabExample[] b = {two.get(3)};
    assertThat(a[0].instruction()).isEqualTo(b[0].instruction());
    for (LabConfig.Fusion f : LabConfig.Fusion.values()) {
      try (LabText text = new LabText(tiny(tmp).textFusion(f).build(), enc);
          NDManager m = NDManager.newBaseManager()) {
        float[] ta = text.condition(m, a).tokens().toFloatArray();
        float[] tb = text.condition(m, b).tokens().toFloatArray();
        if (f == LabConfig.Fusion.T5) {
          assertThat(ta).as("T5 tokens").containsExactly(tb);
        } else {
          assertThat(ta).as(f + " tokens").isNotEqualTo(tb);
        }
        if (f == LabConfig.Fusion.MLLM_T5) {
          // The last 16 tokens are the T5 tokens (plus the T5 row of the type embedding): image-independent.
          float[] tailA = java.util.Arrays.copyOfRange(ta, 32 * 32, 48 * 32);
          float[] tailB = java.util.Arrays.copyOfRange(tb, 32 * 32, 48 * 32);
          assertThat(tailA).containsExactly(tailB);
        }
      }
    }
  }

  @Test
  void metaQueriesTrainThroughTheFrozenMllmWhoseWeightsStayBitIdentical() {
    TinyTextEncoder enc = new TinyTextEncoder(16, 32, 5);
    List<LabExample> train = examples(12, 8, enc, 3);
    LabConfig config = tiny(tmp).textFusion(LabConfig.Fusion.METAQUERY).steps(4).warmup(1).build();
    try (LabModel model = new LabModel(config, enc)) {
      Map<String, float[]> mllmBefore = new LinkedHashMap<>();
      model.text().mllm().parameters().asMap().forEach((k, v) -> mllmBefore.put(k, v.toFloatArray()));
      float[] queriesBefore = model.parameters().get("meta_queries.weight").toFloatArray();
      assertThat(model.parameters().keySet()).noneMatch(k -> k.startsWith("layers.") || k.startsWith("visual."));
      try (FineTuner t =
          FineTuner.builder()
              .parameters(model.parameters())
              .optimizer(new AdamWOptimizer(0.9, 0.99, 1e-8, 0.0).create())
              .schedule(new LrSchedule.Cosine(1e-2, 1e-3, 1, 4))
              .steps(4)
              .seed(1)
              .samplesPerMicroBatch(4)
              .build()) {
        t.train(ctx -> model.loss(train.subList(0, Math.min(4, train.size())), ctx));
      }
      assertThat(model.parameters().get("meta_queries.weight").toFloatArray()).isNotEqualTo(queriesBefore);
      model.text().mllm().parameters().asMap()
          .forEach((k, v) -> assertThat(v.toFloatArray()).as("frozen MLLM weight %s", k).containsExactly(mllmBefore.get(k)));
    }
  }

  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> paradigmsAndFusions() {
    return java.util.Arrays.stream(LabConfig.Paradigm.values())
        .flatMap(p -> java.util.Arrays.stream(LabConfig.Fusion.values()).map(f -> org.junit.jupiter.params.provider.Arguments.of(p, f)));
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.MethodSource("paradigmsAndFusions")
  void everyParadigmTrainsWithEveryTextFusionAndTheConnectorLearns(LabConfig.Paradigm p, LabConfig.Fusion f) {
    TinyTextEncoder enc = new TinyTextEncoder(16, 32, 5);
    List<LabExample> train = examples(12, 8, enc, 4);
    try (LabModel model = new LabModel(tiny(tmp).paradigm(p).textFusion(f).build(), enc)) {
      Map<String, float[]> before = new LinkedHashMap<>();
      model.text().parameters().forEach((k, v) -> before.put(k, v.toFloatArray()));
      List<StepMetrics> steps;
      try (FineTuner t =
          FineTuner.builder()
              .parameters(model.parameters())
              .optimizer(new AdamWOptimizer(0.9, 0.99, 1e-8, 0.0).create())
              .schedule(new LrSchedule.Cosine(1e-3, 1e-4, 1, 3))
              .steps(3)
              .seed(2)
              .samplesPerMicroBatch(4)
              .build()) {
        steps = t.train(ctx -> model.loss(train.subList(0, Math.min(4, train.size())), ctx));
      }
      assertThat(steps).hasSize(3).allMatch(s -> !s.skipped() && Double.isFinite(s.loss()) && s.gradNorm() > 0);
      assertThat(before.keySet()).hasSize(f == LabConfig.Fusion.T5 ? 0 : before.size());
      before.forEach((k, v) -> assertThat(model.text().parameters().get(k).toFloatArray()).as(k).isNotEqualTo(v));
    }
  }

  @Test
  void theFrozenVisionEncoderIsDeterministicAndPoolsAnySizeOntoSixteenTokens() {
    TinyVisionEncoder a = new TinyVisionEncoder(32, 9);
    TinyVisionEncoder b = new TinyVisionEncoder(32, 9);
    for (int side : new int[] {4, 6, 8, 16}) {
      float[] img = new float[3 * side * side];
      SplittableRandom r = new SplittableRandom(side);
      for (int i = 0; i < img.length; i++) {
        img[i] = (float) (r.nextDouble() * 2 - 1);
      }
      float[] fa = a.encode(img, side);
      assertThat(fa).hasSize(16 * 32).containsExactly(b.encode(img, side));
      img[0] = -img[0];
      assertThat(a.encode(img, side)).isNotEqualTo(fa);
    }
    // A flat image still gives distinct tokens: each carries its grid position.
    float[] flat = a.encode(new float[3 * 8 * 8], 8);
    assertThat(java.util.Arrays.copyOfRange(flat, 0, 32)).isNotEqualTo(java.util.Arrays.copyOfRange(flat, 32, 64));
  }

  @Test
  void compareTrainsAllThreeParadigmsOnTheSameBudgetAndPrintsThreeTrainedRows() throws Exception {
    Path out = tmp.resolve("compare");
    // The config's paradigm is ignored by a comparison: SIGLIP here still gives all three.
    EditLab.Comparison c = EditLab.compare(tiny(out).steps(10).paradigm(LabConfig.Paradigm.SIGLIP).build(), QUIET);
    List<String> trainedRows = c.table().lines().filter(l -> l.startsWith("trained editor (")).toList();
    assertThat(trainedRows).hasSize(3);
    assertThat(trainedRows.get(0)).startsWith("trained editor (kontext, t5, residual, shared ids)");
    assertThat(trainedRows.get(1)).startsWith("trained editor (channel, t5, residual)");
    assertThat(trainedRows.get(2)).startsWith("trained editor (siglip, t5, residual)");
    assertThat(c.table().lines().filter(l -> l.startsWith("untrained editor ("))).hasSize(3);
    assertThat(c.table()).contains("copy input (baseline)").containsPattern("(?m)^siglip +[0-9,]+ ");
    assertThat(c.rows()).hasSize(7);
    assertThat(c.rows().get(0).identityPreservation()).isEqualTo(1.0);
    assertThat(c.runs()).extracting(EditLab.ParadigmRun::paradigm).containsExactly(LabConfig.Paradigm.values());
    // Same backbone size; CHANNEL's embedder reads 12 more features, SIGLIP adds its projector.
    long kontext = c.runs().get(0).parameters();
    assertThat(c.runs().get(1).parameters()).isEqualTo(kontext + 12 * 32);
    assertThat(c.runs().get(2).parameters()).isEqualTo(kontext + (32 * 64 + 64) + (64 * 32 + 32));

    JsonNode m = JSON.readTree(Files.readString(out.resolve("metrics.json")));
    assertThat(m.path("results")).hasSize(7);
    assertThat(m.path("results").get(6).path("mean_abs_error").asDouble()).isEqualTo(c.rows().get(6).meanAbsError());
    assertThat(m.path("paradigms")).hasSize(3);
    assertThat(m.path("config").path("compare").asBoolean()).isTrue();
    assertThat(Files.readString(out.resolve("table.txt"))).isEqualTo(c.table());
    for (String p : List.of("kontext", "channel", "siglip")) {
      assertThat(Files.readAllLines(out.resolve("run-" + p + "/metrics.jsonl"))).hasSize(10);
      assertThat(ImageIO.read(out.resolve("contact-sheet-" + p + ".png").toFile()).getHeight()).isGreaterThan(6 * 64);
      assertThat(ImageIO.read(out.resolve("loss-" + p + ".png").toFile()).getWidth()).isEqualTo(720);
    }
  }

  @Test
  void aBadFlagCombinationIsRejectedWithAClearError() {
    String[] compareAndParadigm = cli(2, "--compare", "--paradigm", "SIGLIP", "-o", tmp.toString());
    assertThat(compareAndParadigm[1]).contains("--compare trains all three paradigms; drop --paradigm SIGLIP");

    String[] unknownFusion = cli(2, "--text-fusion", "CLIP", "-o", tmp.toString());
    assertThat(unknownFusion[1]).contains("--text-fusion").contains("T5, MLLM, MLLM_T5, METAQUERY");
    assertThat(tmp.resolve("metrics.json")).doesNotExist(); // nothing ran
  }

  /** Runs {@code lab} in-process; returns standard output and the error stream, asserting the exit code. */
  private static String[] cli(int expectedCode, String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    int code;
    try {
      System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
      CommandLine cl = new CommandLine(new LabCommand());
      cl.setErr(new PrintWriter(err, true));
      code = cl.execute(args);
    } finally {
      System.setOut(old);
    }
    String out = buf.toString(StandardCharsets.UTF_8);
    assertThat(code).as("exit code of lab %s; output:%n%s%n%s", String.join(" ", args), out, err).isEqualTo(expectedCode);
    return new String[] {out, err.toString()};
  }
}
