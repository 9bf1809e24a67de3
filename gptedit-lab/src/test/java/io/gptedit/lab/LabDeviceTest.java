package io.gptedit.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gptedit.models.editor.Paradigm;
import io.gptedit.models.nn.DeviceException;
import io.gptedit.models.nn.Devices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The lab on an explicit device: {@code Device.cpu()} on a CPU engine changes nothing (scores, table, losses,
 * held-out outputs and the recorded config are those of the default run), and a GPU the engine lacks is refused
 * with a {@link DeviceException} before the report folder is created, data generated or a step trained.
 */
class LabDeviceTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @BeforeAll
  static void headless() {
    System.setProperty("java.awt.headless", "true");
  }

  /** A GPU index no engine has on any machine: the engine's GPU count itself. */
  static Device missingGpu() {
    return Device.gpu(Engine.getInstance().getGpuCount());
  }

  /** Four steps on a few 8x8 triplets: seconds. */
  static LabConfig.Builder tiny(Path out) {
    return EditLabTest.tinyBuilder(out).optSteps(4).optWarmup(1).optTrainCount(16).optHeldOutCount(4)
        .optCheckpointEvery(0);
  }

  static Stream<Arguments> runs() {
    return Stream.of(
        Arguments.of(Paradigm.KONTEXT, LabConfig.Fusion.T5, LabConfig.Mllm.TINY),
        // The lab's own MLLM on the device, read through MetaQuery's learned queries (gradients through it).
        Arguments.of(Paradigm.SIGLIP_TOKEN, LabConfig.Fusion.METAQUERY, LabConfig.Mllm.TINY),
        Arguments.of(Paradigm.CHANNEL_WISE, LabConfig.Fusion.MLLM_T5, LabConfig.Mllm.QWEN2_5_VL_TINY));
  }

  @ParameterizedTest
  @MethodSource("runs")
  void aLabRunOnAnExplicitCpuIsBitIdenticalToTheDefaultRun(
      Paradigm paradigm, LabConfig.Fusion fusion, LabConfig.Mllm mllm) throws Exception {
    Path a = tmp.resolve("default");
    Path b = tmp.resolve("cpu");
    EditLab.Result byDefault =
        EditLab.run(tiny(a).optParadigm(paradigm).optTextFusion(fusion).optMllm(mllm).build(), new EditLabTest.Recorder());
    EditLab.Result onCpu =
        EditLab.run(
            tiny(b).optParadigm(paradigm).optTextFusion(fusion).optMllm(mllm).build(), new EditLabTest.Recorder(),
            Device.cpu());

    assertThat(onCpu.table()).isEqualTo(byDefault.table());
    assertThat(onCpu.rows()).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat(onCpu.rows().get(i).metrics()).as(onCpu.rows().get(i).editor())
          .isEqualTo(byDefault.rows().get(i).metrics());
      assertThat(onCpu.rows().get(i).byType()).isEqualTo(byDefault.rows().get(i).byType());
    }
    List<Double> lossesA = byDefault.training().steps().stream().map(m -> m.loss()).toList();
    List<Double> lossesB = onCpu.training().steps().stream().map(m -> m.loss()).toList();
    assertThat(lossesB).hasSize(4).isEqualTo(lossesA);
    assertThat(onCpu.training().steps().stream().map(m -> m.gradNorm()).toList())
        .isEqualTo(byDefault.training().steps().stream().map(m -> m.gradNorm()).toList());
    // Every held-out output of the trained editor, byte for byte.
    Path outputs = Path.of("heldout/outputs/trained-" + paradigm.tag());
    try (Stream<Path> files = Files.list(a.resolve(outputs))) {
      List<Path> pngs = files.toList();
      assertThat(pngs).hasSize(4);
      for (Path p : pngs) {
        assertThat(Files.readAllBytes(b.resolve(outputs).resolve(p.getFileName()))).as(p.getFileName().toString())
            .isEqualTo(Files.readAllBytes(p));
      }
    }
    // The device is not recorded: metrics.json's config and the run's recorded config are the default run's.
    assertThat(json(b.resolve("metrics.json")).get("config")).isEqualTo(json(a.resolve("metrics.json")).get("config"));
    assertThat(json(b.resolve("metrics.json")).get("results")).isEqualTo(json(a.resolve("metrics.json")).get("results"));
    assertThat(json(b.resolve("run/provenance.json")).get("config"))
        .isEqualTo(json(a.resolve("run/provenance.json")).get("config"));
  }

  @Test
  void aLabRunAndACompareRefuseAMissingGpuBeforeTheReportFolderIsMade() {
    Device gpu = missingGpu();
    Path out = tmp.resolve("never");
    EditLabTest.Recorder rec = new EditLabTest.Recorder();
    assertThatThrownBy(() -> EditLab.run(tiny(out).build(), rec, gpu))
        .isInstanceOf(DeviceException.class)
        .hasMessageStartingWith(Devices.name(gpu) + " is not available")
        .hasMessageContaining("sees " + Engine.getInstance().getGpuCount() + " GPU");
    assertThatThrownBy(() -> EditLab.compare(tiny(out).build(), rec, gpu)).isInstanceOf(DeviceException.class);
    assertThat(out).doesNotExist();
    assertThat(rec.phases).isEmpty();
    assertThat(rec.steps).isEmpty();
  }

  @Test
  void trainThroughputOnAnExplicitCpuTrainsTheSameStepsAndRefusesAMissingGpu() {
    LabConfig c = tiny(tmp.resolve("unused")).optBatch(2).build();
    TrainThroughput.Result r = TrainThroughput.measure(c, 1, 2, Device.cpu());
    TrainThroughput.Result d = TrainThroughput.measure(c, 1, 2);
    assertThat(r.parameters()).isPositive().isEqualTo(d.parameters());
    assertThat(r.flopsPerStep()).isEqualTo(d.flopsPerStep());
    assertThat(r.stepMs()).isPositive();
    assertThatThrownBy(() -> TrainThroughput.measure(c, 1, 2, missingGpu()))
        .isInstanceOf(DeviceException.class)
        .hasMessageStartingWith(Devices.name(missingGpu()) + " is not available");
  }

  private static JsonNode json(Path file) throws Exception {
    return JSON.readTree(file.toFile());
  }
}
