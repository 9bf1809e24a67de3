package com.example.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.core.GpteditException;
import io.gptedit.core.editor.EditException;
import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.ImageFormat;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.conditioning.OnnxHiddenStates;
import io.gptedit.models.conditioning.TextFusion;
import io.gptedit.models.editor.DiffusionEditor;
import io.gptedit.models.editor.KontextEditor;
import io.gptedit.models.editor.TinyEditors;
import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.onnx.OnnxEditor;
import io.gptedit.models.onnx.OnnxProviderException;
import io.gptedit.models.safetensors.SafetensorsFile;
import io.gptedit.models.text.ByteTokenizer;
import io.gptedit.models.text.T5Config;
import io.gptedit.models.text.T5Encoder;
import io.gptedit.models.text.T5TextEncoder;
import io.gptedit.models.train.EditorCheckpoint;
import io.gptedit.models.vae.AutoencoderKL;
import io.gptedit.models.vae.VaeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a consumer gets from gptedit-bom + gptedit-core + gptedit-models + the CPU native jar of its choice: a tiny
 * edit in a few lines on a slim classpath (no ONNX Runtime, no DuckDB), and a GpteditException for each bad input.
 */
class ConsumerTest {
  @TempDir Path dir;

  @Test
  void aTinyEditRunsInUnderTenLines() {
    try (DiffusionEditor editor = TinyEditors.kontext(42)) {
      RgbImage input = RgbImage.filled(64, 48, 0x3366cc);
      RgbImage edited = editor.edit(input, "make it red", EditOptions.builder().optSeed(1).build());
      assertThat(edited.width()).isEqualTo(64);
      assertThat(edited.height()).isEqualTo(48);
    }
  }

  @Test
  void theClasspathHasNeitherOnnxRuntimeNorDuckDb() {
    assertThatThrownBy(() -> Class.forName("ai.onnxruntime.OrtEnvironment")).isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName("org.duckdb.DuckDBDriver")).isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void aT5OnlyFusionTakesTwoLines() {
    try (T5Encoder t5 = T5Encoder.random(T5Config.tiny(), 1)) {
      TextFusion fusion = TextFusion.t5Only(new T5TextEncoder(t5, new ByteTokenizer(), 32, "t5-tiny"), 24);
      assertThat(fusion.config().textDim()).isEqualTo(32);
      fusion.close();
    }
  }

  @Test
  void a64x48InputToATinyKontextEditorAtTheDefaultResolutionIsAnEditException() {
    try (FluxTransformer flux = FluxTransformer.random(FluxConfig.tiny(), 1);
        AutoencoderKL vae = AutoencoderKL.random(VaeConfig.tiny(), 2);
        T5Encoder t5 = T5Encoder.random(T5Config.tiny(), 3);
        TextFusion fusion = TextFusion.t5Only(new T5TextEncoder(t5, new ByteTokenizer(), 32, "t5-tiny"), 24)) {
      KontextEditor editor = KontextEditor.builder().setTransformer(flux).setCodec(vae).setConditioner(fusion).build();
      assertThatThrownBy(() -> editor.edit(RgbImage.filled(64, 48, 0), "make it night", EditOptions.defaults()))
          .isInstanceOf(EditException.class)
          .hasMessageContaining("64x48 input would be edited at 1184x880");
    }
  }

  @Test
  void anInputAboveTheTinyEditorsLimitIsAnEditException() {
    try (DiffusionEditor editor = TinyEditors.channelWise(1)) {
      assertThatThrownBy(() -> editor.edit(RgbImage.filled(256, 256, 0), "x", EditOptions.defaults()))
          .isInstanceOf(GpteditException.class)
          .hasMessageContaining("above the " + TinyEditors.MAX_WORKING_PIXELS);
    }
  }

  @Test
  void anOnnxEditorWithoutOnnxRuntimeSaysWhichDependencyToAdd() {
    assertThatThrownBy(() -> OnnxEditor.builder(dir).setTokenizer(new ByteTokenizer()).build())
        .isInstanceOf(OnnxProviderException.class)
        .hasMessageContaining("com.microsoft.onnxruntime:onnxruntime")
        .hasMessageContaining(dir.toString());
    assertThatThrownBy(() -> new OnnxHiddenStates(dir.resolve("m.onnx"), new ByteTokenizer(), 8))
        .isInstanceOf(GpteditException.class)
        .hasMessageContaining("com.microsoft.onnxruntime:onnxruntime");
  }

  @Test
  void aCorruptWeightsFileIsAGpteditExceptionNamingIt() throws Exception {
    Path bad = Files.write(dir.resolve("w.safetensors"), new byte[] {1, 2, 3});
    assertThatThrownBy(() -> SafetensorsFile.open(bad))
        .isInstanceOf(GpteditException.class)
        .hasMessageContaining(bad.toString());
  }

  @Test
  void aMissingCheckpointFolderIsAGpteditExceptionNamingIt() {
    assertThatThrownBy(() -> EditorCheckpoint.load(dir.resolve("run-7")))
        .isInstanceOf(GpteditException.class)
        .hasMessageContaining("run-7");
  }

  @Test
  void anUnwritableImageDestinationIsAGpteditExceptionNamingIt() throws Exception {
    Path notAFolder = Files.writeString(dir.resolve("file"), "x");
    assertThatThrownBy(() -> ImageCodec.write(RgbImage.filled(4, 4, 0), notAFolder.resolve("out.png"), ImageFormat.PNG))
        .isInstanceOf(GpteditException.class)
        .hasMessageContaining("cannot write image " + notAFolder.resolve("out.png"));
  }

  @Test
  void anUndecodableImageIsAGpteditExceptionNamingIt() {
    assertThatThrownBy(() -> ImageCodec.decode(new byte[] {1, 2, 3, 4}, "upload.png"))
        .isInstanceOf(GpteditException.class)
        .hasMessageContaining("upload.png");
  }
}
