package io.gptedit.models.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.editor.DiffusionEditor;
import io.gptedit.models.editor.KontextEditor;
import io.gptedit.models.editor.Paradigm;
import io.gptedit.models.nn.DeviceException;
import io.gptedit.models.nn.Devices;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An explicit {@code Device.cpu()} changes nothing on a CPU engine: the editor's output and the training steps are
 * bit-identical to the default's; a GPU the engine does not have is refused with a {@link DeviceException} before
 * anything is read or allocated.
 */
class ExplicitDeviceTest {
  @TempDir Path tmp;

  /** A GPU index no engine has on any machine: the engine's GPU count itself. */
  static Device missingGpu() {
    return Device.gpu(Engine.getInstance().getGpuCount());
  }

  @ParameterizedTest
  @EnumSource(Paradigm.class)
  void anEditorBuiltOnAnExplicitCpuEditsBitIdenticallyToTheDefault(Paradigm paradigm) {
    EditorSpec spec = EditTrainingPathTest.spec(paradigm);
    List<EditSample> data = EditTrainingPathTest.samples(3, 4);
    EditOptions seed = EditOptions.builder().optSeed(9).build();
    try (DiffusionEditor byDefault = spec.build(EditorSpec.NO_EXTERNALS).editor(spec, "default");
        DiffusionEditor onCpu = spec.build(EditorSpec.NO_EXTERNALS, Device.cpu()).editor(spec, "cpu")) {
      assertThat(onCpu.device()).isEqualTo(Device.cpu());
      assertThat(byDefault.device()).isEqualTo(Devices.defaultDevice());
      onCpu.denoiser().parameters().values().forEach(a -> assertThat(a.getDevice()).isEqualTo(Device.cpu()));
      for (EditSample s : data) {
        RgbImage a = byDefault.edit(s.input(), s.instruction(), seed);
        RgbImage b = onCpu.edit(s.input(), s.instruction(), seed);
        assertThat(b).as(s.key()).isEqualTo(a);
      }
    }
  }

  @Test
  void trainingOnAnExplicitCpuIsBitIdenticalToTheDefaultStepForStepAndItsCheckpointLoadsOnTheCpu() {
    EditorSpec spec = EditTrainingPathTest.spec(Paradigm.KONTEXT);
    List<EditSample> data = EditTrainingPathTest.samples(8, 3);
    Path runDefault = tmp.resolve("default");
    Path runCpu = tmp.resolve("cpu");
    EditOptions seed = EditOptions.builder().optSeed(5).build();
    try (EditorSpec.Parts a = spec.build(EditorSpec.NO_EXTERNALS);
        EditorSpec.Parts b = spec.build(EditorSpec.NO_EXTERNALS, Device.cpu())) {
      EditFineTuning.Result ra =
          EditTrainingPathTest.train(spec, a, data, 3, runDefault, EditObjective.Loss.MASK_BALANCED);
      EditFineTuning.Result rb = EditTrainingPathTest.train(spec, b, data, 3, runCpu, EditObjective.Loss.MASK_BALANCED);
      assertThat(rb.metrics()).hasSize(3);
      for (int i = 0; i < 3; i++) {
        assertThat(rb.metrics().get(i).loss()).as("step %d loss", i + 1).isEqualTo(ra.metrics().get(i).loss());
        assertThat(rb.metrics().get(i).gradNorm()).as("step %d grad norm", i + 1)
            .isEqualTo(ra.metrics().get(i).gradNorm());
      }
      Map<String, NDArray> pa = EditFineTuning.parameters(a.denoiser(), a.text());
      Map<String, NDArray> pb = EditFineTuning.parameters(b.denoiser(), b.text());
      pa.forEach((name, x) -> assertThat(pb.get(name).toFloatArray()).as(name).containsExactly(x.toFloatArray()));
    }
    EditSample s = data.get(0);
    try (DiffusionEditor byDefault = EditorCheckpoint.load(runDefault);
        DiffusionEditor onCpu = EditorCheckpoint.load(runCpu, Device.cpu())) {
      assertThat(onCpu.device()).isEqualTo(Device.cpu());
      assertThat(onCpu.edit(s.input(), s.instruction(), seed)).isEqualTo(byDefault.edit(s.input(), s.instruction(), seed));
    }
  }

  @Test
  void checkpointLoadingRefusesAMissingGpuBeforeReadingTheFolder() {
    Device gpu = missingGpu();
    // The folder does not exist: a check after reading would fail on the missing editor.json instead.
    assertThatThrownBy(() -> EditorCheckpoint.load(tmp.resolve("no-such-run"), gpu))
        .isInstanceOf(DeviceException.class)
        .hasMessageStartingWith(Devices.name(gpu) + " is not available")
        .hasMessageContaining("sees " + Engine.getInstance().getGpuCount() + " GPU");
    assertThatThrownBy(() -> EditTrainingPathTest.spec(Paradigm.KONTEXT).build(EditorSpec.NO_EXTERNALS, gpu))
        .isInstanceOf(DeviceException.class);
  }

  @Test
  void editorBuildersRefuseAMissingGpu() {
    assertThatThrownBy(() -> DiffusionEditor.builder().optDevice(missingGpu()))
        .isInstanceOf(DeviceException.class).hasMessageContaining(Devices.name(missingGpu()));
    assertThatThrownBy(() -> KontextEditor.builder().optDevice(missingGpu())).isInstanceOf(DeviceException.class);
  }
}
