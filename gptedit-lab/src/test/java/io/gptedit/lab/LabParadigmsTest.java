package io.gptedit.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.gptedit.models.editor.Paradigm;
import io.gptedit.models.train.EditorCheckpoint;
import io.gptedit.models.editor.DiffusionEditor;
import java.nio.file.Path;
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
  void compareTrainsAllThreeParadigmsOnTheSameBudgetThroughTheRealEditorClasses() throws Exception {
    Path out = tmp.resolve("compare");
    EditLab.Result r = EditLab.compare(EditLabTest.tinyBuilder(out).optSteps(10).optCheckpointEvery(0).build(),
        new EditLabTest.Recorder());
    assertThat(r.rows()).extracting(EditLab.Row::editor)
        .containsExactly("copy-input", "untrained-kontext", "trained-kontext", "untrained-channel-wise", "trained-channel-wise",
            "untrained-siglip-token", "trained-siglip-token");
    for (EditLab.Row row : r.rows()) {
      for (String m : List.of("OP", "IF", "IP")) {
        assertThat(row.get(m)).as(row.editor() + " " + m).isBetween(0.0, 1.0);
      }
    }
    for (Paradigm p : Paradigm.values()) {
      for (String f : List.of("loss-" + p.tag() + ".png", "contact-sheet-" + p.tag() + ".png")) {
        assertThat(out.resolve(f)).as(f).isRegularFile();
      }
      // Each paradigm's run folder is a checkpoint that loads into an editor of that paradigm.
      try (DiffusionEditor e = EditorCheckpoint.load(out.resolve("run-" + p.tag()))) {
        assertThat(e.denoiser().paradigm()).isEqualTo(p);
      }
    }
    assertThat(out.resolve("metrics.json")).content().contains("\"compare\" : true");
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
