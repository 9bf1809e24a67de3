package io.gptedit.examples.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gptedit.data.shards.ShardReader;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EditLabTest {
  @TempDir Path tmp;

  @BeforeAll
  static void headless() {
    System.setProperty("java.awt.headless", "true");
    System.setProperty("ai.djl.offline", "true");
  }

  private static LabConfig tiny(Path out) {
    return tinyBuilder(out).build();
  }

  /** The tiny run the lab tests share: 8x8 images, 1+1 blocks of width 32, 40 steps of batch 4. */
  static LabConfig.Builder tinyBuilder(Path out) {
    return LabConfig.builder(out)
        .steps(40)
        .size(8)
        .batch(4)
        .seed(3)
        .lr(2e-3)
        .warmup(4)
        .trainCount(48)
        .heldOutCount(6)
        .sampleSteps(2)
        .editWeight(5.0)
        .doubleBlocks(1)
        .singleBlocks(1)
        .heads(2)
        .zeroHead(false);
  }

  @Test
  void aTinyLabRunsEndToEndAndWritesShardsScoresAndPictures() throws Exception {
    Path out = tmp.resolve("lab");
    List<String> phases = new ArrayList<>();
    List<Long> steps = new ArrayList<>();
    EditLab.Result r =
        EditLab.run(
            tiny(out),
            new EditLab.Listener() {
              @Override
              public void onPhase(String message) {
                phases.add(message);
              }

              @Override
              public void onStep(io.gptedit.models.train.StepMetrics m, int total) {
                steps.add(m.step());
              }
            });
    assertThat(steps).hasSize(40).startsWith(1L).endsWith(40L);
    assertThat(phases).anyMatch(p -> p.contains("read back 48 train and 6 held-out"));
    assertThat(ShardReader.listShards(out.resolve("data/train"))).isNotEmpty();
    assertThat(ShardReader.listShards(out.resolve("data/heldout"))).isNotEmpty();

    assertThat(r.rows()).hasSize(3);
    EditLab.Row copy = r.rows().get(0);
    assertThat(copy.identityPreservation()).isEqualTo(1.0);
    assertThat(copy.instructionFollowing()).isLessThan(0.5);
    assertThat(r.lastLoss()).isLessThan(r.firstLoss());
    assertThat(r.table()).contains("copy input", "untrained editor", "trained editor");

    JsonNode m = new ObjectMapper().readTree(Files.readString(out.resolve("metrics.json")));
    assertThat(m.path("results")).hasSize(3);
    assertThat(m.path("config").path("steps").asInt()).isEqualTo(40);
    assertThat(m.path("results").get(2).path("identity_preservation").asDouble())
        .isEqualTo(r.rows().get(2).identityPreservation());
    assertThat(Files.readAllLines(out.resolve("run/metrics.jsonl"))).hasSize(40);
    assertThat(out.resolve("run/checkpoints/step-000000040/weights.safetensors")).isRegularFile();
    // The data went through the curation pipeline and the dataset index; metrics.json records it.
    assertThat(m.path("data").path("train_curation").path("written").asLong()).isEqualTo(48);
    assertThat(m.path("data").path("heldout_curation").path("written").asLong()).isEqualTo(6);
    assertThat(m.path("data").path("index_sha256").asText()).hasSize(64);
    assertThat(Files.readString(out.resolve("run/checkpoints/step-000000040/state.json")))
        .contains(m.path("data").path("index_sha256").asText());

    BufferedImage loss = ImageIO.read(out.resolve("loss.png").toFile());
    assertThat(loss.getWidth()).isEqualTo(720);
    BufferedImage sheet = ImageIO.read(out.resolve("contact-sheet.png").toFile());
    assertThat(sheet.getHeight()).isGreaterThan(6 * 64);
  }

  @Test
  void scoringACopyOfTheTargetGivesPerfectInstructionFollowing() {
    TinyTextEncoder enc = new TinyTextEncoder(4, 8, 1);
    io.gptedit.core.image.RgbImage a = io.gptedit.core.image.RgbImage.of(2, 1, new byte[] {0, 0, 0, 0, 0, 0});
    io.gptedit.core.image.RgbImage b =
        io.gptedit.core.image.RgbImage.of(2, 1, new byte[] {(byte) 200, 0, 0, 0, 0, 0});
    LabExample ex = LabExample.of("s", a, b, "make it red", enc);
    EditLab.Row target = EditLab.score("target", List.of(ex), List.of(b), 32);
    assertThat(target.instructionFollowing()).isEqualTo(1.0);
    assertThat(target.identityPreservation()).isEqualTo(1.0);
    assertThat(target.psnr()).isEqualTo(99.0);
    EditLab.Row copy = EditLab.score("copy", List.of(ex), List.of(a), 32);
    assertThat(copy.instructionFollowing()).isZero();
    assertThat(copy.meanAbsError()).isEqualTo(200.0 / 6);
  }

  @Test
  void theFrozenTextEncoderIsDeterministicAndIgnoresCaseAndPunctuation() {
    TinyTextEncoder enc = new TinyTextEncoder(6, 8, 42);
    float[][] a = enc.encode("Make the red circle blue.");
    float[][] b = new TinyTextEncoder(6, 8, 42).encode("make the RED circle, blue");
    float[][] c = enc.encode("make the red square blue");
    assertThat(a[0]).containsExactly(b[0]);
    assertThat(a[1]).containsExactly(b[1]);
    assertThat(a[0]).isNotEqualTo(c[0]);
    assertThat(a[0][5 * 8]).isZero(); // five words: the sixth token is padding
  }

  /** A listener that prints nothing, for the lab tests. */
  static final EditLab.Listener QUIET =
      new EditLab.Listener() {
        @Override
        public void onPhase(String message) {}

        @Override
        public void onStep(io.gptedit.models.train.StepMetrics metrics, int totalSteps) {}
      };

  @Test
  void withAnEmaTheCheckpointKeepsTheAverageAndTheEditorIsSampledWithIt() throws Exception {
    LabConfig base = tiny(tmp.resolve("ema"));
    LabConfig config = base.toBuilder().ema(0.9).build();
    EditLab.Result withEma = EditLab.run(config, QUIET);
    JsonNode m = new ObjectMapper().readTree(Files.readString(config.output().resolve("metrics.json")));
    assertThat(m.path("config").path("ema").asDouble()).isEqualTo(0.9);
    try (io.gptedit.models.safetensors.SafetensorsFile f =
        io.gptedit.models.safetensors.SafetensorsFile.open(
            config.output().resolve("run/checkpoints/step-000000040/weights.safetensors"))) {
      assertThat(f.tensors().keySet()).anyMatch(n -> n.startsWith("__ema__/"));
    }
    EditLab.Result plain = EditLab.run(base, QUIET);
    // Same data, seed and training: only the weights used for sampling differ.
    assertThat(withEma.rows().get(2).meanAbsError()).isNotEqualTo(plain.rows().get(2).meanAbsError());
  }

  @Test
  void aBadConfigIsRejectedNamingTheField() {
    assertThatThrownBy(
            () -> LabConfig.builder(tmp).steps(10).size(7).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("size");
  }

  @Test
  void aKilledLabRunResumesFromItsLastCheckpointAndEndsBitIdenticalToAStraightRun() throws Exception {
    Path straight = tmp.resolve("straight");
    EditLab.run(tiny(straight).toBuilder().checkpointEvery(20).build(), QUIET);
    Path killed = tmp.resolve("killed");
    EditLab.run(tiny(killed).toBuilder().checkpointEvery(20).build(), QUIET);
    // "Kill" the second run after step 20: drop the later checkpoint and metrics lines, as a crash would leave them.
    Path checkpoints = killed.resolve("run/checkpoints");
    try (java.util.stream.Stream<Path> walk = Files.walk(checkpoints.resolve("step-000000040"))) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    Path metrics = killed.resolve("run/metrics.jsonl");
    Files.write(metrics, Files.readAllLines(metrics).subList(0, 27)); // 7 lines past the checkpoint, to be dropped
    EditLab.Result resumed = EditLab.run(tiny(killed).toBuilder().checkpointEvery(20).resume(true).build(), QUIET);

    List<String> lines = Files.readAllLines(metrics);
    assertThat(lines).hasSize(40);
    for (int i = 0; i < 40; i++) {
      assertThat(new ObjectMapper().readTree(lines.get(i)).path("step").asLong()).isEqualTo(i + 1L); // no gap, no duplicate
    }
    try (io.gptedit.models.safetensors.SafetensorsFile a =
            io.gptedit.models.safetensors.SafetensorsFile.open(
                straight.resolve("run/checkpoints/step-000000040/weights.safetensors"));
        io.gptedit.models.safetensors.SafetensorsFile b =
            io.gptedit.models.safetensors.SafetensorsFile.open(
                checkpoints.resolve("step-000000040/weights.safetensors"))) {
      assertThat(b.tensors().keySet()).isEqualTo(a.tensors().keySet());
      for (String name : a.tensors().keySet()) {
        assertThat(b.readFloats(name)).as(name).containsExactly(a.readFloats(name));
      }
    }
    JsonNode m = new ObjectMapper().readTree(Files.readString(straight.resolve("metrics.json")));
    assertThat(resumed.rows().get(2).meanAbsError()).isEqualTo(m.path("results").get(2).path("mean_abs_error").asDouble());
  }
}
