package io.gptedit.models.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.conditioning.TextConditioning;
import io.gptedit.models.conditioning.TextFusion;
import io.gptedit.models.editor.KontextEditor;
import io.gptedit.models.editor.Resolution;
import io.gptedit.models.mllm.QwenVlConfig;
import io.gptedit.models.mllm.QwenVlEncoder;
import io.gptedit.models.mllm.QwenVlModel;
import io.gptedit.models.mllm.QwenVlPrompt;
import io.gptedit.models.mllm.SiglipImageProcessor;
import io.gptedit.models.mllm.SiglipVisionConfig;
import io.gptedit.models.mllm.SiglipVisionTower;
import io.gptedit.models.nn.DeviceException;
import io.gptedit.models.nn.Devices;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.text.WordHashTextEncoder;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MLLM path on an explicit device: Qwen2.5-VL, SigLIP, UniWorld's conditioner, the T5-only fusion and the whole
 * GPT-Image-Edit release loaded on {@code Device.cpu()} put every parameter there and compute bit-identically to the
 * default (a CPU engine); a GPU the engine does not have is refused with a {@link DeviceException} naming it before
 * any file is read (the folders given do not exist, so a later check would fail on a missing file instead).
 */
class MllmExplicitDeviceTest {
  @TempDir Path tmp;

  private static Path fixture(String name) throws URISyntaxException {
    return Path.of(MllmExplicitDeviceTest.class.getResource("/io/gptedit/models/fixtures/" + name).toURI());
  }

  /** A GPU index no engine has on any machine: the engine's GPU count itself. */
  private static Device missingGpu() {
    return Device.gpu(Engine.getInstance().getGpuCount());
  }

  private static RgbImage image(int w, int h, int shift) {
    byte[] rgb = new byte[w * h * 3];
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = (byte) (i * 13 + shift * (i % 3));
    }
    return RgbImage.of(w, h, rgb);
  }

  private static void allOnCpu(ModelWeights weights, String what) {
    assertThat(weights.device()).as(what).isEqualTo(Device.cpu());
    assertThat(weights.asMap()).as(what).isNotEmpty();
    weights.asMap().forEach((n, a) -> assertThat(a.getDevice()).as(what + " " + n).isEqualTo(Device.cpu()));
  }

  @Test
  void qwenOnAnExplicitCpuHasEveryWeightThereAndGivesBitIdenticalHiddenStates() throws Exception {
    RgbImage input = image(56, 56, 1);
    try (QwenVlEncoder byDefault =
            QwenVlEncoder.fromFolder(fixture("mllm/qwen"), DataType.FLOAT16, QwenVlPrompt.Layout.CHAT);
        QwenVlEncoder onCpu =
            QwenVlEncoder.fromFolder(fixture("mllm/qwen"), DataType.FLOAT16, QwenVlPrompt.Layout.CHAT, Device.cpu());
        QwenVlModel folderModel = QwenVlModel.fromFolder(fixture("mllm/qwen"), DataType.FLOAT32, Device.cpu());
        QwenVlEncoder tinyDefault = QwenVlEncoder.tiny(5);
        QwenVlEncoder tinyCpu = QwenVlEncoder.tiny(5, Device.cpu());
        NDManager dm = NDManager.newBaseManager();
        NDManager cm = NDManager.newBaseManager(Device.cpu())) {
      allOnCpu(onCpu.model().parameters(), "Qwen from its folder");
      allOnCpu(folderModel.parameters(), "QwenVlModel.fromFolder");
      allOnCpu(tinyCpu.model().parameters(), "the tiny Qwen");
      float[] a = byDefault.hiddenStates(input, "make the sky pink", dm).toFloatArray();
      NDArray b = onCpu.hiddenStates(input, "make the sky pink", cm);
      assertThat(b.getDevice()).isEqualTo(Device.cpu());
      assertThat(a.length).isGreaterThan(32);
      assertThat(b.toFloatArray()).containsExactly(a);
      assertThat(tinyCpu.hiddenStates(input, "make it red", cm).toFloatArray())
          .containsExactly(tinyDefault.hiddenStates(input, "make it red", dm).toFloatArray());
    }
  }

  @Test
  void siglipOnAnExplicitCpuHasEveryWeightThereAndGivesBitIdenticalFeatures() throws Exception {
    RgbImage input = image(40, 30, 2);
    try (SiglipVisionTower byDefault = SiglipVisionTower.fromFolder(fixture("mllm/siglip"), DataType.FLOAT16);
        SiglipVisionTower onCpu =
            SiglipVisionTower.fromFolder(fixture("mllm/siglip"), DataType.FLOAT16, Device.cpu());
        SiglipVisionTower randomDefault = SiglipVisionTower.random(byDefault.config(), 3);
        SiglipVisionTower randomCpu = SiglipVisionTower.random(byDefault.config(), 3, Device.cpu());
        NDManager dm = NDManager.newBaseManager();
        NDManager cm = NDManager.newBaseManager(Device.cpu())) {
      allOnCpu(onCpu.parameters(), "SigLIP from its folder");
      allOnCpu(randomCpu.parameters(), "the random SigLIP");
      float[] a = byDefault.features(input, dm).toFloatArray();
      assertThat(onCpu.features(input, cm).toFloatArray()).containsExactly(a);
      assertThat(randomCpu.features(input, cm).toFloatArray())
          .containsExactly(randomDefault.features(input, dm).toFloatArray());
    }
  }

  @Test
  void uniWorldAndTheT5OnlyFusionOnAnExplicitCpuConditionBitIdentically() throws Exception {
    RgbImage input = image(56, 56, 1);
    WordHashTextEncoder text = new WordHashTextEncoder(8, 16, 3);
    try (QwenVlEncoder qwenDefault =
            QwenVlEncoder.fromFolder(fixture("mllm/qwen"), DataType.FLOAT32, QwenVlPrompt.Layout.CHAT);
        SiglipVisionTower siglipDefault = SiglipVisionTower.fromFolder(fixture("mllm/siglip"), DataType.FLOAT32);
        QwenVlEncoder qwenCpu =
            QwenVlEncoder.fromFolder(fixture("mllm/qwen"), DataType.FLOAT32, QwenVlPrompt.Layout.CHAT, Device.cpu());
        SiglipVisionTower siglipCpu =
            SiglipVisionTower.fromFolder(fixture("mllm/siglip"), DataType.FLOAT32, Device.cpu());
        UniWorldConditioner byDefault = UniWorldConditioner.random(qwenDefault, siglipDefault, text, 48, 8, 4);
        UniWorldConditioner onCpu = UniWorldConditioner.random(qwenCpu, siglipCpu, text, 48, 8, 4, Device.cpu());
        TextFusion t5Default = TextFusion.t5Only(text, 8);
        TextFusion t5Cpu = TextFusion.t5Only(text, 8, Device.cpu());
        NDManager dm = NDManager.newBaseManager();
        NDManager cm = NDManager.newBaseManager(Device.cpu())) {
      allOnCpu(onCpu.parameters(), "UniWorld's connector and SigLIP projector");
      assertThat(onCpu.parameters().asMap().keySet()).containsExactlyElementsOf(
          UniWorldConditioner.spec(32, siglipCpu.config().hiddenSize(), 48, 16).entries().keySet());
      TextConditioning a = byDefault.encode(input, "make the sky pink", dm);
      TextConditioning b = onCpu.encode(input, "make the sky pink", cm);
      assertThat(b.tokens().getDevice()).isEqualTo(Device.cpu());
      assertThat(b.tokens().toFloatArray()).containsExactly(a.tokens().toFloatArray());
      assertThat(b.pooled().toFloatArray()).containsExactly(a.pooled().toFloatArray());

      assertThat(t5Cpu.parameters().device()).isEqualTo(Device.cpu());
      TextConditioning c = t5Default.encode(input, "make it red", dm);
      TextConditioning d = t5Cpu.encode(input, "make it red", cm);
      assertThat(d.tokens().toFloatArray()).containsExactly(c.tokens().toFloatArray());
      assertThat(d.pooled().toFloatArray()).containsExactly(c.pooled().toFloatArray());
    }
  }

  @Test
  void theReleaseOnAnExplicitCpuHasEveryPartThereAndConditionsAndEditsBitIdentically() throws Exception {
    Path kontext = GptImageEditReleaseTest.kontextFolder(tmp.resolve("FLUX.1-Kontext-dev"));
    Path release = fixture("mllm/release");
    RgbImage input = image(32, 32, 3);
    try (GptImageEditRelease byDefault = GptImageEditRelease.load(release, kontext, DataType.FLOAT16, 24, 28 * 28 * 6);
        GptImageEditRelease onCpu =
            GptImageEditRelease.load(release, kontext, DataType.FLOAT16, 24, 28 * 28 * 6, Device.cpu());
        NDManager dm = NDManager.newBaseManager();
        NDManager cm = NDManager.newBaseManager(Device.cpu())) {
      assertThat(onCpu.device()).isEqualTo(Device.cpu());
      assertThat(byDefault.device()).isEqualTo(Devices.defaultDevice());
      allOnCpu(onCpu.mllm().model().parameters(), "Qwen");
      allOnCpu(onCpu.fusion().parameters(), "the connector");
      allOnCpu(onCpu.transformer().parameters(), "Kontext");
      allOnCpu(onCpu.vae().parameters(), "the VAE");
      onCpu.parameters().forEach((n, a) -> assertThat(a.getDevice()).as(n).isEqualTo(Device.cpu()));

      TextConditioning a = byDefault.fusion().encode(input, "give the cat a red hat", dm);
      TextConditioning b = onCpu.fusion().encode(input, "give the cat a red hat", cm);
      assertThat(b.tokens().getDevice()).isEqualTo(Device.cpu());
      assertThat(b.tokens().toFloatArray()).containsExactly(a.tokens().toFloatArray());
      assertThat(b.pooled().toFloatArray()).containsExactly(a.pooled().toFloatArray());

      KontextEditor editor = onCpu.editor(Resolution.FLOOR_TO_MULTIPLE);
      EditOptions options = EditOptions.builder().optSeed(7).optSteps(2).build();
      assertThat(editor.edit(input, "give the cat a red hat", options))
          .isEqualTo(byDefault.editor(Resolution.FLOOR_TO_MULTIPLE).edit(input, "give the cat a red hat", options));
    }
  }

  @Test
  void everyMllmPathLoaderRefusesAMissingGpuByNameBeforeReadingAFile() {
    Device gpu = missingGpu();
    Path none = tmp.resolve("no-such-folder");
    QwenVlConfig qwen = QwenVlConfig.qwen25Vl7bInstruct();
    SiglipVisionConfig siglip = SiglipVisionConfig.so400mPatch14x384();
    WordHashTextEncoder text = new WordHashTextEncoder(8, 16, 3);
    List<ThrowingCallable> calls = List.of(
        () -> QwenVlModel.fromFolder(none, DataType.FLOAT32, gpu),
        // The 7B config with no shards at all: a check after the names would list every missing tensor.
        () -> QwenVlModel.load(qwen, List.of(), DataType.FLOAT16, gpu),
        () -> QwenVlModel.load(qwen, List.of(), n -> false, DataType.FLOAT16, gpu),
        () -> QwenVlModel.random(qwen, 1, gpu),
        () -> QwenVlEncoder.fromFolder(none, DataType.FLOAT32, QwenVlPrompt.Layout.CHAT, gpu),
        () -> QwenVlEncoder.tiny(1, gpu),
        () -> SiglipVisionTower.fromFolder(none, DataType.FLOAT32, gpu),
        () -> SiglipVisionTower.load(siglip, List.of(), SiglipImageProcessor.square(384), DataType.FLOAT32, gpu),
        () -> SiglipVisionTower.random(siglip, 1, gpu),
        () -> GptImageEditRelease.load(none, none, DataType.FLOAT16, gpu),
        () -> GptImageEditRelease.load(none, none, DataType.FLOAT16, 24, 448 * 448, gpu),
        () -> UniWorldConditioner.random(null, null, text, 48, 8, 1, gpu),
        () -> TextFusion.t5Only(text, 8, gpu));
    for (int i = 0; i < calls.size(); i++) {
      assertThatThrownBy(calls.get(i)).as("call %d", i)
          .isInstanceOf(DeviceException.class)
          .hasMessageStartingWith(Devices.name(gpu) + " is not available")
          .hasMessageContaining("sees " + Engine.getInstance().getGpuCount() + " GPU");
    }
  }

  @Test
  void aForwardUnderAManagerOnAnotherDeviceIsRefusedNamingBothDevices() throws Exception {
    Device gpu = missingGpu();
    try (QwenVlEncoder qwen = QwenVlEncoder.tiny(5, Device.cpu());
        SiglipVisionTower siglip = SiglipVisionTower.fromFolder(fixture("mllm/siglip"), DataType.FLOAT32, Device.cpu());
        NDManager elsewhere = NDManager.newBaseManager(gpu)) {
      assertThatThrownBy(() -> qwen.hiddenStates(image(56, 56, 1), "make it red", elsewhere))
          .isInstanceOf(DeviceException.class)
          .hasMessage("Qwen2.5-VL's weights are on cpu but its manager is on " + Devices.name(gpu)
              + ": run it under a manager on cpu");
      assertThatThrownBy(() -> siglip.features(image(8, 8, 1), elsewhere))
          .isInstanceOf(DeviceException.class).hasMessageContaining("SigLIP's weights are on cpu");
    }
  }
}
