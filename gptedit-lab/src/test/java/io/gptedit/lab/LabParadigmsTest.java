package io.gptedit.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.gptedit.models.editor.Paradigm;
import io.gptedit.models.train.EditorCheckpoint;
import io.gptedit.models.editor.DiffusionEditor;
import java.nio.file.Path;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The paradigms and text fusions run through the same library path. */
class LabParadigmsTest {
  @TempDir Path tmp;

  @BeforeAll
  static void headless() {
    System.setProperty("java.awt.headless", "true");
  }

  @Test
  void compareTrainsEveryParadigmFromScratchAndFromOneBaseOnBothAlignmentsAndReusesTheBaseOnASecondRun()
      throws Exception {
    Path out = tmp.resolve("compare");
    LabConfig config = EditLabTest.tinyBuilder(out).optSteps(6).optWarmup(1).optBaseSteps(8).optCheckpointEvery(0).build();
    EditLabTest.Recorder first = new EditLabTest.Recorder();
    EditLab.Result r = EditLab.compare(config, first);
    List<String> expected = new ArrayList<>(List.of("copy-input"));
    for (String suffix : List.of("", "-misaligned1")) {
      for (Paradigm p : Paradigm.values()) {
        for (String stage : List.of("untrained-", "trained-", "pretrained-", "finetuned-")) {
          expected.add(stage + p.tag() + suffix);
        }
      }
    }
    for (String f : List.of("mllm", "mllm-t5", "metaquery")) {
      expected.add("pretrained-kontext-" + f);
      expected.add("finetuned-kontext-" + f);
    }
    assertThat(r.rows()).extracting(EditLab.Row::editor).containsExactlyElementsOf(expected);
    for (EditLab.Row row : r.rows()) {
      for (String m : List.of("OP", "IF", "IP")) {
        assertThat(row.get(m)).as(row.editor() + " " + m).isBetween(0.0, 1.0);
      }
    }
    // 8 base steps, 8 MLLM steps, 15 fine-tunings of 6 steps.
    assertThat(first.steps).hasSize(8 + 8 + 15 * 6);
    assertThat(first.phases).anyMatch(p -> p.startsWith("pretraining the base"))
        .anyMatch(p -> p.startsWith("channel-wise editor: ") && p.contains(" copied, 1 widened [x_embedder.weight], 0 kept"))
        .anyMatch(p -> p.startsWith("tiny MLLM held-out accuracy"));
    for (String dir : List.of("aligned", "misaligned")) {
      for (Paradigm p : Paradigm.values()) {
        for (String name : List.of(p.tag(), p.tag() + "-base")) {
          for (String f : List.of("loss-" + name + ".png", "contact-sheet-" + name + ".png")) {
            assertThat(out.resolve(dir).resolve(f)).as(dir + "/" + f).isRegularFile();
          }
          // Each run folder is a checkpoint that loads into an editor of that paradigm.
          try (DiffusionEditor e = EditorCheckpoint.load(out.resolve(dir).resolve("run-" + name))) {
            assertThat(e.denoiser().paradigm()).isEqualTo(p);
          }
        }
      }
    }
    assertThat(out.resolve("table.txt")).content()
        .contains("Paradigms (T5 fusion), aligned training targets:")
        .contains("training targets misaligned by up to 1 px:")
        .contains("Text fusion (Kontext from the base");
    assertThat(out.resolve("metrics.json")).content().contains("\"compare\" : true").contains("\"base_reused\" : false");

    // A second run in the same folder finds the base and the MLLM finished with the same recipe: reused, not retrained.
    byte[] baseMetrics = Files.readAllBytes(out.resolve("base/metrics.jsonl"));
    byte[] mllmMetrics = Files.readAllBytes(out.resolve("mllm/metrics.jsonl"));
    EditLabTest.Recorder second = new EditLabTest.Recorder();
    EditLab.Result again = EditLab.compare(config, second);
    assertThat(second.phases).anyMatch(p -> p.startsWith("reusing the pretrained base in"))
        .anyMatch(p -> p.startsWith("reusing the trained tiny MLLM in"))
        .noneMatch(p -> p.startsWith("pretraining the base"));
    assertThat(second.steps).hasSize(15 * 6);
    assertThat(out.resolve("base/metrics.jsonl")).hasBinaryContent(baseMetrics);
    assertThat(out.resolve("mllm/metrics.jsonl")).hasBinaryContent(mllmMetrics);
    assertThat(again.rows()).extracting(EditLab.Row::metrics)
        .containsExactlyElementsOf(r.rows().stream().map(EditLab.Row::metrics).toList());
    assertThat(out.resolve("metrics.json")).content().contains("\"base_reused\" : true");
  }

  @Test
  void aBaseTrainedWithAnotherRecipeIsTrainedAgainNotReused() {
    Path out = tmp.resolve("recipe");
    LabConfig config = EditLabTest.tinyBuilder(out).optSteps(4).optWarmup(1).optBaseSteps(5).optCheckpointEvery(0).build();
    EditLabTest.Recorder rec = new EditLabTest.Recorder();
    try (LabBase b = LabBase.prepare(config, LabData.prepare(config, out.resolve("data")), out.resolve("base"),
        ai.djl.Device.cpu(), rec)) {
      assertThat(b.reused()).isFalse();
    }
    LabConfig other = config.toBuilder().optLr(1e-3).build();
    EditLabTest.Recorder rec2 = new EditLabTest.Recorder();
    try (LabBase b = LabBase.prepare(other, LabData.prepare(other, out.resolve("data")), out.resolve("base"),
        ai.djl.Device.cpu(), rec2)) {
      assertThat(b.reused()).isFalse();
      assertThat(rec2.phases).anyMatch(p -> p.contains("was trained with another recipe; training it again"));
      assertThat(rec2.steps).hasSize(5);
    }
  }

  @Test
  void theMllmFusionsTrainEndToEndWithTheTinyFrozenMllm() {
    for (LabConfig.Fusion f : List.of(LabConfig.Fusion.MLLM_T5, LabConfig.Fusion.METAQUERY)) {
      Path out = tmp.resolve(f.name());
      EditLab.Result r = EditLab.run(
          EditLabTest.tinyBuilder(out).optSteps(6).optWarmup(1).optCheckpointEvery(0).optTextFusion(f)
              .optParadigm(Paradigm.SIGLIP_TOKEN).build(),
          new EditLabTest.Recorder());
      assertThat(r.training().skippedSteps()).isZero();
      assertThat(r.training().steps()).hasSize(6).allMatch(m -> Double.isFinite(m.loss()));
      assertThat(r.rows().get(2).editor()).isEqualTo("trained-siglip-token");
      assertThat(out.resolve("metrics.json")).content().contains("\"text_fusion\" : \"" + f.name() + "\"");
    }
  }

  @Test
  void theMllmFusionsTrainEndToEndWithATinyQwen25Vl() {
    for (LabConfig.Fusion f : List.of(LabConfig.Fusion.MLLM_T5, LabConfig.Fusion.METAQUERY)) {
      Path out = tmp.resolve("qwen-" + f.name());
      EditLab.Result r = EditLab.run(
          EditLabTest.tinyBuilder(out).optSteps(3).optWarmup(1).optCheckpointEvery(0).optTextFusion(f)
              .optMllm(LabConfig.Mllm.QWEN2_5_VL_TINY).build(),
          new EditLabTest.Recorder());
      assertThat(r.training().steps()).hasSize(3).allMatch(m -> Double.isFinite(m.loss()));
      assertThat(out.resolve("metrics.json")).content().contains("\"mllm\" : \"QWEN2_5_VL_TINY\"");
    }
  }
}
