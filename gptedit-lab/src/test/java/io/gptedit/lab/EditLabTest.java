package io.gptedit.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.RgbImage;
import io.gptedit.data.shards.ShardReader;
import io.gptedit.models.editor.DiffusionEditor;
import io.gptedit.models.editor.Paradigm;
import io.gptedit.models.train.EditorCheckpoint;
import io.gptedit.models.train.StepMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EditLabTest {
  @TempDir Path tmp;

  @BeforeAll
  static void headless() {
    System.setProperty("java.awt.headless", "true");
  }

  /**
   * The tiny run the lab tests share: 8x8 images, 1+1 blocks of width 32, 40 steps of batch 4, and the recipe its
   * bounds were sized for (lr 2e-3, query/key scale 1, edit share 0.5), whatever the default run's recipe is.
   */
  static LabConfig.Builder tinyBuilder(Path out) {
    return LabConfig.builder(out)
        .optSteps(40)
        .optSize(8)
        .optBatch(4)
        .optSeed(3)
        .optLr(2e-3)
        .optQkScale(1)
        .optEditShare(0.5)
        .optWarmup(4)
        .optTrainCount(48)
        .optHeldOutCount(6)
        .optSampleSteps(2)
        .optDoubleBlocks(1)
        .optSingleBlocks(1)
        .optHeads(2)
        .optCheckpointEvery(20);
  }

  /** A listener that keeps what it hears. */
  static final class Recorder implements EditLab.Listener {
    final List<String> phases = new ArrayList<>();
    final List<Long> steps = new ArrayList<>();

    @Override
    public void onPhase(String message) {
      phases.add(message);
    }

    @Override
    public void onStep(StepMetrics m, int total) {
      steps.add(m.step());
    }
  }

  @Test
  void aTinyLabRunsThroughTheLibraryPathAndItsCheckpointIsTheEditorItScored() throws Exception {
    Path out = tmp.resolve("lab");
    Recorder rec = new Recorder();
    LabConfig config = tinyBuilder(out).build();
    EditLab.Result r = EditLab.run(config, rec);
    assertThat(rec.steps).hasSize(40).startsWith(1L).endsWith(40L);
    assertThat(rec.phases).anyMatch(p -> p.contains("read back 48 train and 6 held-out"));
    assertThat(ShardReader.listShards(out.resolve("data/train"))).isNotEmpty();

    assertThat(r.rows()).extracting(EditLab.Row::editor)
        .containsExactly("copy-input", "untrained-kontext", "trained-kontext");
    EditLab.Row copy = r.rows().get(0);
    assertThat(copy.get("IP")).isEqualTo(1.0);
    assertThat(copy.get("OP")).isEqualTo(1.0);
    assertThat(copy.get("ES")).isEqualTo(0.0);
    assertThat(r.training().lastLoss()).isLessThan(r.training().firstLoss());
    for (String f : List.of("metrics.json", "table.txt", "loss.png", "contact-sheet.png", "heldout/index.jsonl",
        "run/editor.json", "run/provenance.json")) {
      assertThat(out.resolve(f)).as(f).isRegularFile();
    }
    // Every held-out input, exact target and output is on disk, named by key.
    List<String> keys = Files.readAllLines(out.resolve("heldout/index.jsonl")).stream()
        .map(l -> l.replaceAll(".*\"key\":\"([^\"]+)\".*", "$1")).toList();
    assertThat(keys).hasSize(6);
    for (String k : keys) {
      assertThat(out.resolve("heldout/inputs/" + k + ".png")).isRegularFile();
      assertThat(out.resolve("heldout/targets/" + k + ".png")).isRegularFile();
      assertThat(out.resolve("heldout/outputs/trained-kontext/" + k + ".png")).isRegularFile();
    }
    // The checkpoint -> editor API gives back exactly the editor the lab scored.
    try (DiffusionEditor loaded = EditorCheckpoint.load(out.resolve("run"))) {
      assertThat(loaded.denoiser().paradigm()).isEqualTo(Paradigm.KONTEXT);
      for (String k : keys) {
        RgbImage input = ImageCodec.read(out.resolve("heldout/inputs/" + k + ".png"));
        RgbImage scored = ImageCodec.read(out.resolve("heldout/outputs/trained-kontext/" + k + ".png"));
        String instruction = Files.readAllLines(out.resolve("heldout/index.jsonl")).stream()
            .filter(l -> l.contains("\"key\":\"" + k + "\"")).findFirst().orElseThrow()
            .replaceAll(".*\"instruction\":\"([^\"]+)\".*", "$1");
        assertThat(loaded.edit(input, instruction, EditLab.options(config))).as(k).isEqualTo(scored);
      }
    }
  }

  @Test
  void aKilledLabRunResumesFromItsLastCheckpointAndEndsBitIdenticalToAStraightRun() throws Exception {
    Path straight = tmp.resolve("straight");
    EditLab.Result a = EditLab.run(tinyBuilder(straight).build(), new Recorder());
    Path killed = tmp.resolve("killed");
    EditLab.run(tinyBuilder(killed).build(), new Recorder());
    // "Kill" after step 20: drop the later checkpoint and metric lines, then run again with resume.
    Path run = killed.resolve("run");
    deleteTree(run.resolve("checkpoints/step-000000040"));
    List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
    Files.write(run.resolve("metrics.jsonl"), lines.subList(0, 27));
    Recorder rec = new Recorder();
    EditLab.Result b = EditLab.run(tinyBuilder(killed).optResume(true).build(), rec);
    assertThat(rec.steps).hasSize(20).startsWith(21L).endsWith(40L);
    List<String> resumedLines = Files.readAllLines(run.resolve("metrics.jsonl"));
    assertThat(resumedLines).hasSize(40);
    for (int i = 0; i < 40; i++) {
      assertThat(resumedLines.get(i)).contains("\"step\":" + (i + 1) + ",");
    }
    assertThat(b.rows().get(2).metrics()).isEqualTo(a.rows().get(2).metrics());
    for (String f : List.of("heldout/outputs/trained-kontext")) {
      try (var s = Files.list(straight.resolve(f))) {
        for (Path p : s.toList()) {
          assertThat(Files.readAllBytes(killed.resolve(f).resolve(p.getFileName())))
              .as(p.getFileName().toString()).isEqualTo(Files.readAllBytes(p));
        }
      }
    }
  }

  @Test
  void aResumeWithAnotherRecipeIsRefused() {
    Path out = tmp.resolve("lab");
    EditLab.run(tinyBuilder(out).build(), new Recorder());
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> EditLab.run(tinyBuilder(out).optLr(1e-2).optResume(true).build(), new Recorder()))
        .isInstanceOf(io.gptedit.models.train.FineTuner.RecipeChangedException.class)
        .hasMessageContaining("config.lr");
  }

  @Test
  void everyHeldOutSampleIsEditedWithTheSameSeed() {
    assertThat(EditLab.options(tinyBuilder(tmp).build()).seed()).isEqualTo(EditOptions.builder().optSeed(93).build().seed());
  }

  static void deleteTree(Path root) throws java.io.IOException {
    try (var walk = Files.walk(root)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
