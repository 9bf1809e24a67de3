package io.gptedit.models.onnx;

import static io.gptedit.models.onnx.OnnxFixtures.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.testing.TestImages;
import io.gptedit.models.conditioning.TextFusion;
import io.gptedit.models.editor.KontextEditor;
import io.gptedit.models.editor.Resolution;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.safetensors.SafetensorsFile;
import io.gptedit.models.text.ByteTokenizer;
import io.gptedit.models.text.T5Config;
import io.gptedit.models.text.T5Encoder;
import io.gptedit.models.text.T5TextEncoder;
import io.gptedit.models.vae.AutoencoderKL;
import io.gptedit.models.vae.VaeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxEditorTest {
  @TempDir Path tmp;



  static OnnxEditor.Builder builder(Path folder) {
    return OnnxEditor.builder(folder).setTokenizer(new ByteTokenizer()).optResolution(Resolution.FLOOR_TO_MULTIPLE);
  }

  @Test
  void onnxEditEqualsDjlKontextEditWithTheSameWeightsSeedAndSteps() throws Exception {
    EditOptions o = EditOptions.builder().optSeed(5).optSteps(3).optGuidance(2.5).build();
    RgbImage input = TestImages.pattern(14, 9);
    List<Integer> steps = new ArrayList<>();
    RgbImage onnx;
    try (OnnxEditor editor = builder(OnnxFixtures.editorFolder()).optListener((s, n) -> steps.add(s)).build()) {
      onnx = editor.edit(input, "make the sky pink", o);
      assertThat(editor.edit(input, "make the sky pink", o)).isEqualTo(onnx);
      assertThat(editor.edit(input, "make the sky pink", o.toBuilder().optSeed(6).build())).isNotEqualTo(onnx);
    }
    assertThat(steps).startsWith(1, 2, 3);
    assertThat(onnx.width()).isEqualTo(12);
    assertThat(onnx.height()).isEqualTo(8);
    TextFusion.Config fusion =
        TextFusion.Config.t5Only(32, 8);
    try (SafetensorsFile fw = SafetensorsFile.open(fixture("onnx/flux_kontext_tiny_weights.safetensors"));
        SafetensorsFile vw = SafetensorsFile.open(fixture("vae_tiny_weights.safetensors"));
        SafetensorsFile tw = SafetensorsFile.open(fixture("t5_tiny_weights.safetensors"));
        FluxTransformer flux = FluxTransformer.load(OnnxFixtures.FLUX_KONTEXT_TINY, List.of(fw), "");
        AutoencoderKL vae = AutoencoderKL.load(VaeConfig.tiny(), List.of(vw), "");
        T5Encoder t5 = T5Encoder.load(T5Config.tiny(), List.of(tw));
        TextFusion text =
            new TextFusion(fusion, ModelWeights.random(TextFusion.spec(fusion), 0),
                new T5TextEncoder(t5, new ByteTokenizer(), 32, "t5-tiny", false), null);
        KontextEditor djl =
            KontextEditor.builder().setTransformer(flux).setCodec(vae).setConditioner(text)
                .optResolution(Resolution.FLOOR_TO_MULTIPLE).build()) {
      RgbImage reference = djl.edit(input, "make the sky pink", o);
      // The decoder graph has F16 weights and I/O: pixels may differ by rounding, by at most a couple of levels.
      assertThat(TestImages.maxSampleDiff(onnx, reference)).isLessThanOrEqualTo(2);
      // ... while a different seed moves pixels far more, so the comparison is not vacuous.
      RgbImage other = djl.edit(input, "make the sky pink", o.toBuilder().optSeed(6).build());
      assertThat(TestImages.maxSampleDiff(onnx, other)).isGreaterThan(10);
    }
  }

  private Path editorWithConfig(String from, String to) throws Exception {
    Path dir = OnnxFixtures.copyEditor(Files.createDirectory(tmp.resolve("editor")));
    Path json = dir.resolve(OnnxEditorConfig.FILE_NAME);
    String text = Files.readString(json);
    assertThat(text).contains(from);
    Files.writeString(json, text.replace(from, to));
    return dir;
  }

  @Test
  void malformedJsonNamesTheConfigFile() throws Exception {
    Path dir = editorWithConfig("\"max_text_tokens\": 32", "\"max_text_tokens\": 32,,");
    assertThatThrownBy(() -> builder(dir).build())
        .isInstanceOf(OnnxConfigException.class)
        .hasMessageContaining(OnnxEditorConfig.FILE_NAME)
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void missingRoleAndUnknownFieldAndBadDtypeNameTheField() throws Exception {
    Path dir = editorWithConfig("\"guidance\": {", "\"guidanse\": {");
    assertThatThrownBy(() -> builder(dir).build())
        .isInstanceOf(OnnxConfigException.class)
        .hasMessageContaining("denoiser.inputs.guidanse")
        .hasMessageContaining("not a known field");
    Path json = dir.resolve(OnnxEditorConfig.FILE_NAME);
    String good = Files.readString(OnnxFixtures.editorFolder().resolve(OnnxEditorConfig.FILE_NAME));
    Files.writeString(json, good.replace("\"dtype\": \"int64\", \"shape\": [1, -1]", "\"dtype\": \"float32\", "
        + "\"shape\": [1, -1]"));
    assertThatThrownBy(() -> builder(dir).build())
        .isInstanceOf(OnnxConfigException.class)
        .hasMessageContaining("text_encoder.inputs.input_ids.dtype")
        .hasMessageContaining("must be int64");
    Files.writeString(json, good.replace("\"vae_spatial_factor\": 2", "\"vae_spatial_factor\": \"2\""));
    assertThatThrownBy(() -> builder(dir).build())
        .isInstanceOf(OnnxConfigException.class)
        .hasMessageContaining("'vae_spatial_factor'");
    Files.writeString(json, good.replace("\"shape\": [1, -1, 16]", "\"shape\": [1, -1, 12]"));
    assertThatThrownBy(() -> builder(dir).build())
        .isInstanceOf(OnnxConfigException.class)
        .hasMessageContaining("denoiser.inputs.hidden_states.shape");
  }

  @Test
  void duplicateKeysAndPathsInGraphFileNamesAreRejected() throws Exception {
    Path dir = editorWithConfig("\"max_text_tokens\": 32", "\"max_text_tokens\": 32, \"max_text_tokens\": 16");
    assertThatThrownBy(() -> builder(dir).build())
        .isInstanceOf(OnnxConfigException.class)
        .hasMessageContaining("max_text_tokens");
    Files.writeString(dir.resolve(OnnxEditorConfig.FILE_NAME),
        Files.readString(OnnxFixtures.editorFolder().resolve(OnnxEditorConfig.FILE_NAME))
            .replace("\"file\": \"denoiser.onnx\"", "\"file\": \"../denoiser.onnx\""));
    assertThatThrownBy(() -> builder(dir).build())
        .isInstanceOf(OnnxConfigException.class)
        .hasMessageContaining("denoiser.file")
        .hasMessageContaining("plain .onnx file name");
  }

  @Test
  void wrongInputNameIsReportedWithTheGraphFileAndTheTensor() throws Exception {
    Path dir = editorWithConfig("\"name\": \"timestep\"", "\"name\": \"t\"");
    assertThatThrownBy(() -> builder(dir).build())
        .isInstanceOf(OnnxGraphException.class)
        .hasMessageContaining("denoiser.onnx")
        .hasMessageContaining("input 't' (role denoiser.timestep) is not in the graph");
  }

  @Test
  void wrongDtypeIsReportedWithTheGraphFileAndTheTensor() throws Exception {
    // The decoder graph is float16; a config claiming float32 must be refused at load, not at the first edit.
    Path dir = editorWithConfig("\"name\": \"latents\", \"dtype\": \"float16\"", "\"name\": \"latents\", "
        + "\"dtype\": \"float32\"");
    assertThatThrownBy(() -> builder(dir).build())
        .isInstanceOf(OnnxGraphException.class)
        .hasMessageContaining("vae_decoder.onnx")
        .hasMessageContaining("input 'latents'")
        .hasMessageContaining("FLOAT16 in the graph but float32 in the config");
  }

  @Test
  void wrongFixedDimIsReportedWithTheGraphFileAndTheTensor() throws Exception {
    Path dir = editorWithConfig("\"shape\": [1, 8]", "\"shape\": [1, 9]");
    assertThatThrownBy(() -> builder(dir).build())
        .isInstanceOf(OnnxGraphException.class)
        .hasMessageContaining("denoiser.onnx")
        .hasMessageContaining("'pooled_projections'")
        .hasMessageContaining("[1, 8] in the graph");
  }

  @Test
  void missingGraphFileIsReported() throws Exception {
    Path dir = OnnxFixtures.copyEditor(Files.createDirectory(tmp.resolve("editor")));
    Files.delete(dir.resolve("text_encoder.onnx"));
    assertThatThrownBy(() -> builder(dir).build())
        .isInstanceOf(OnnxGraphException.class)
        .hasMessageContaining("text_encoder.onnx")
        .hasMessageContaining("does not exist");
  }

  @Test
  void cudaRequestedWithoutTheCudaProviderFailsClearly() {
    assumeFalse(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA), "CUDA provider present");
    assertThatThrownBy(() -> builder(OnnxFixtures.editorFolder()).optDevice(OnnxDevice.CUDA).build())
        .isInstanceOf(OnnxProviderException.class)
        .hasMessageContaining("CUDA execution provider was requested")
        .hasMessageContaining("onnxruntime_gpu")
        .hasMessageContaining("CPU");
  }
}
