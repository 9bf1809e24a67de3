package io.gptedit.models.editor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.gptedit.core.GpteditException;
import io.gptedit.core.editor.EditException;
import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.conditioning.TextFusion;
import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.nn.DeviceException;
import io.gptedit.models.nn.Devices;
import io.gptedit.models.text.ByteTokenizer;
import io.gptedit.models.text.T5Config;
import io.gptedit.models.text.T5Encoder;
import io.gptedit.models.text.T5TextEncoder;
import io.gptedit.models.vae.AutoencoderKL;
import io.gptedit.models.vae.VaeConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class TinyEditorsTest {
  static RgbImage image(int w, int h) {
    byte[] rgb = new byte[w * h * 3];
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = (byte) (i * 29);
    }
    return RgbImage.of(w, h, rgb);
  }

  @ParameterizedTest
  @EnumSource(Paradigm.class)
  void eachParadigmsTinyEditorEditsA64x48InputAtItsSizeReproduciblyPerSeed(Paradigm paradigm) {
    try (DiffusionEditor editor = TinyEditors.of(paradigm, 7)) {
      assertThat(editor.denoiser().paradigm()).isEqualTo(paradigm);
      assertThat(editor.sampling().steps()).isEqualTo(TinyEditors.STEPS);
      EditOptions o = EditOptions.builder().optSeed(3).optSteps(2).build();
      RgbImage a = editor.edit(image(64, 48), "make the sky pink", o);
      assertThat(a.width()).isEqualTo(64);
      assertThat(a.height()).isEqualTo(48);
      assertThat(editor.edit(image(64, 48), "make the sky pink", o)).isEqualTo(a);
      assertThat(editor.edit(image(64, 48), "make the sky pink", o.toBuilder().optSeed(4).build())).isNotEqualTo(a);
    }
  }

  @ParameterizedTest
  @EnumSource(Paradigm.class)
  void aTinyEditorOnAnExplicitCpuHasEveryWeightThereAndEditsBitIdenticallyToTheDefault(Paradigm paradigm) {
    try (DiffusionEditor byDefault = TinyEditors.of(paradigm, 7);
        DiffusionEditor onCpu = TinyEditors.of(paradigm, 7, Device.cpu())) {
      assertThat(onCpu.device()).isEqualTo(Device.cpu());
      assertThat(byDefault.device()).isEqualTo(Devices.defaultDevice());
      assertThat(onCpu.denoiser().parameters()).isNotEmpty();
      onCpu.denoiser().parameters().forEach((n, a) -> assertThat(a.getDevice()).as(n).isEqualTo(Device.cpu()));
      ((AutoencoderKL) onCpu.codec()).parameters().asMap()
          .forEach((n, a) -> assertThat(a.getDevice()).as("vae " + n).isEqualTo(Device.cpu()));
      assertThat(((TextFusion) onCpu.conditioner()).parameters().device()).isEqualTo(Device.cpu());
      EditOptions o = EditOptions.builder().optSeed(3).optSteps(2).build();
      assertThat(onCpu.edit(image(32, 24), "make the sky pink", o))
          .isEqualTo(byDefault.edit(image(32, 24), "make the sky pink", o));
    }
  }

  @Test
  void tinyEditorsRefuseAMissingGpuByName() {
    Device gpu = Device.gpu(Engine.getInstance().getGpuCount());
    for (Paradigm p : Paradigm.values()) {
      assertThatThrownBy(() -> TinyEditors.of(p, 1, gpu)).as(p.name())
          .isInstanceOf(DeviceException.class).hasMessageStartingWith(Devices.name(gpu) + " is not available");
    }
    assertThatThrownBy(() -> TinyEditors.kontext(1, gpu)).isInstanceOf(DeviceException.class);
    assertThatThrownBy(() -> TinyEditors.channelWise(1, gpu)).isInstanceOf(DeviceException.class);
    assertThatThrownBy(() -> TinyEditors.siglipToken(1, gpu)).isInstanceOf(DeviceException.class);
    assertThatThrownBy(() -> T5Encoder.random(T5Config.tiny(), 1, gpu)).isInstanceOf(DeviceException.class);
  }

  @Test
  void tinyEditorRefusesAnInputAboveItsPixelLimitNamingTheSizes() {
    try (DiffusionEditor editor = TinyEditors.kontext(1)) {
      assertThat(editor.maxWorkingPixels()).isEqualTo(TinyEditors.MAX_WORKING_PIXELS);
      assertThatThrownBy(() -> editor.edit(image(200, 160), "add a hat", EditOptions.defaults()))
          .isInstanceOf(EditException.class)
          .isInstanceOf(GpteditException.class)
          .hasMessageContaining("tiny-kontext")
          .hasMessageContaining("200x160 input")
          .hasMessageContaining("32000 pixels, above the 16384");
    }
  }

  // Regression: a 64x48 input to a tiny Kontext editor with the default KONTEXT_PREFERRED resolution was upscaled
  // to about 1 MP, the tiny VAE's attention asked for 271 GB and a raw ai.djl.engine.EngineException came out.
  @Test
  void tinyKontextEditorWithKontextPreferredResolutionRefuses64x48InsteadOfAttendingOver1Megapixel() {
    try (FluxTransformer flux = FluxTransformer.random(FluxConfig.tiny(), 1);
        AutoencoderKL vae = AutoencoderKL.random(VaeConfig.tiny(), 2);
        T5Encoder t5 = T5Encoder.random(T5Config.tiny(), 3);
        TextFusion fusion = TextFusion.t5Only(new T5TextEncoder(t5, new ByteTokenizer(), 32, "t5-tiny", false), 24)) {
      KontextEditor editor = KontextEditor.builder().setTransformer(flux).setCodec(vae).setConditioner(fusion).build();
      assertThat(vae.maxWorkingPixels()).isEqualTo(AutoencoderKL.MAX_ATTENTION_TOKENS * 4);
      long start = System.nanoTime();
      assertThatThrownBy(() -> editor.edit(image(64, 48), "make it night", EditOptions.defaults()))
          .isInstanceOf(EditException.class)
          .hasMessageContaining("64x48 input would be edited at 1184x880 (Resolution.KONTEXT_PREFERRED)")
          .hasMessageContaining("above the 131072")
          .hasMessageContaining("Resolution.FLOOR_TO_MULTIPLE");
      assertThat((System.nanoTime() - start) / 1e9).isLessThan(5.0);
    }
  }

  @Test
  void maxWorkingPixelsMustBePositive() {
    assertThatThrownBy(() -> DiffusionEditor.builder().optMaxWorkingPixels(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxWorkingPixels must be positive");
    assertThatThrownBy(() -> KontextEditor.builder().optMaxWorkingPixels(-1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
