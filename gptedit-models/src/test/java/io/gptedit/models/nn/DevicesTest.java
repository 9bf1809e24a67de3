package io.gptedit.models.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import io.gptedit.core.GpteditException;
import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.vae.AutoencoderKL;
import io.gptedit.models.vae.VaeConfig;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Naming a device, refusing one the engine lacks before any native work, and weights created on a named device. */
class DevicesTest {
  /** A GPU index no engine has on any machine: the engine's GPU count itself. */
  static Device missingGpu() {
    return Device.gpu(Engine.getInstance().getGpuCount());
  }

  @Test
  void parseReadsCpuGpuCudaAndIndicesIgnoringCase() {
    assertThat(Devices.parse("cpu")).isEqualTo(Device.cpu());
    assertThat(Devices.parse("CPU")).isEqualTo(Device.cpu());
    assertThat(Devices.parse("gpu")).isEqualTo(Device.gpu(0));
    assertThat(Devices.parse("cuda")).isEqualTo(Device.gpu(0));
    assertThat(Devices.parse("gpu:1")).isEqualTo(Device.gpu(1));
    assertThat(Devices.parse("Cuda:3")).isEqualTo(Device.gpu(3));
    assertThat(Devices.parse("default")).isEqualTo(Engine.getInstance().defaultDevice());
  }

  @Test
  void nameWritesWhatParseReads() {
    assertThat(Devices.name(Device.cpu())).isEqualTo("cpu");
    assertThat(Devices.name(Device.gpu(2))).isEqualTo("gpu:2");
    assertThat(Devices.parse(Devices.name(Device.gpu(2)))).isEqualTo(Device.gpu(2));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "tpu", "gpu:", "gpu:-1", "gpu:x", "cpu:0", " cpu", "gpu:0:1", "gpu0", "mps"})
  void parseRejectsJunkWithATypedErrorNamingTheInput(String junk) {
    assertThatThrownBy(() -> Devices.parse(junk))
        .isInstanceOf(DeviceException.class)
        .isInstanceOf(GpteditException.class)
        .hasMessageContaining("'" + junk + "' is not a device")
        .hasMessageContaining("cpu, gpu, gpu:N");
  }

  @Test
  void parseRejectsNullWithATypedError() {
    assertThatThrownBy(() -> Devices.parse(null)).isInstanceOf(DeviceException.class).hasMessageContaining("no device");
  }

  @Test
  void requireAcceptsTheCpuAndTheDefaultDevice() {
    assertThat(Devices.require(Device.cpu())).isEqualTo(Device.cpu());
    assertThat(Devices.require(Devices.defaultDevice())).isEqualTo(Devices.defaultDevice());
  }

  @Test
  void requireRefusesAGpuIndexTheEngineDoesNotHaveNamingItAndTheEnginesGpuCount() {
    int gpus = Engine.getInstance().getGpuCount();
    assertThatThrownBy(() -> Devices.require(missingGpu()))
        .isInstanceOf(DeviceException.class)
        .hasMessageStartingWith("gpu:" + gpus + " is not available")
        .hasMessageContaining("sees " + gpus + " GPU");
  }

  @Test
  void onAMachineWithoutAGpuAskingForGpu0IsATypedErrorThatSaysSo() {
    assumeTrue(Engine.getInstance().getGpuCount() == 0, "this engine sees a GPU; gpu:0 exists here");
    assertThatThrownBy(() -> Devices.require(Devices.parse("gpu:0")))
        .isInstanceOf(DeviceException.class)
        .hasMessage("gpu:0 is not available: the PyTorch engine " + Engine.getInstance().getVersion() + " sees 0 GPUs"
            + " (a CPU-only libtorch, or no CUDA device): run on cpu, or put DJL's CUDA natives on the class path"
            + " (docs/models.md, Devices)");
  }

  @Test
  void weightsOnAnExplicitCpuAreTheDefaultsBitForBitAndLiveOnTheCpu() {
    ParameterSpec spec = new ParameterSpec().linear("a", 3, 2, true).add("n.weight", ParameterSpec.Init.NEAR_ONE, 4);
    try (ModelWeights byDefault = ModelWeights.random(spec, 7);
        ModelWeights onCpu = ModelWeights.random(spec, 7, Device.cpu());
        ModelWeights fromValues = ModelWeights.fromValues(spec, e -> ModelWeights.randomValues(e, 7), Device.cpu())) {
      assertThat(onCpu.device()).isEqualTo(Device.cpu());
      assertThat(onCpu.manager().getDevice()).isEqualTo(Device.cpu());
      assertThat(byDefault.device()).isEqualTo(Devices.defaultDevice());
      for (String name : spec.entries().keySet()) {
        assertThat(onCpu.get(name).getDevice()).isEqualTo(Device.cpu());
        assertThat(onCpu.get(name).toFloatArray()).containsExactly(byDefault.get(name).toFloatArray());
        assertThat(fromValues.get(name).toFloatArray()).containsExactly(byDefault.get(name).toFloatArray());
      }
    }
  }

  @Test
  void loadersRefuseAMissingGpuBeforeReadingAnything() {
    Device gpu = missingGpu();
    ParameterSpec spec = new ParameterSpec().linear("a", 3, 2, true);
    // No shards at all: a check that ran after reading would fail on the missing tensors instead.
    assertThatThrownBy(() -> ModelWeights.load(spec, List.of(), "", true, 0, DataType.FLOAT32, gpu))
        .isInstanceOf(DeviceException.class).hasMessageContaining(Devices.name(gpu));
    assertThatThrownBy(() -> ModelWeights.random(spec, 1, gpu)).isInstanceOf(DeviceException.class);
    assertThatThrownBy(() -> FluxTransformer.load(FluxConfig.tiny(), List.of(), "", gpu))
        .isInstanceOf(DeviceException.class);
    assertThatThrownBy(() -> AutoencoderKL.load(VaeConfig.tiny(), List.of(), "", gpu))
        .isInstanceOf(DeviceException.class);
  }
}
