package io.gptedit.models.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.core.GpteditException;
import io.gptedit.core.editor.EditException;
import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.conditioning.OnnxHiddenStates;
import io.gptedit.models.conditioning.TextFusion;
import io.gptedit.models.editor.DiffusionEditor;
import io.gptedit.models.editor.KontextDenoiser;
import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.nn.WeightLoadException;
import io.gptedit.models.onnx.OnnxConfigException;
import io.gptedit.models.onnx.OnnxEditor;
import io.gptedit.models.safetensors.DType;
import io.gptedit.models.safetensors.SafetensorsException;
import io.gptedit.models.safetensors.SafetensorsFile;
import io.gptedit.models.safetensors.SafetensorsWriter;
import io.gptedit.models.text.ByteTokenizer;
import io.gptedit.models.text.WordHashTextEncoder;
import io.gptedit.models.train.AdamWOptimizer;
import io.gptedit.models.train.Checkpoints;
import io.gptedit.models.train.EditorCheckpoint;
import io.gptedit.models.train.ParameterOptimizer;
import io.gptedit.models.vae.AutoencoderKL;
import io.gptedit.models.vae.VaeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One bad input per public entry point of gptedit-models: a typed GpteditException naming the culprit comes out. */
class BadInputAtEntryPointsTest {
  @TempDir Path dir;

  @Test
  void editWrapsAnEngineErrorFromMismatchedPartsInAnEditExceptionNamingTheEditor() {
    // A text encoder 16 wide where the tiny Flux reads 32: the engine's matmul fails inside the sampling loop.
    try (FluxTransformer flux = FluxTransformer.random(FluxConfig.tiny(), 1);
        AutoencoderKL vae = AutoencoderKL.random(VaeConfig.tiny(), 2);
        TextFusion fusion = TextFusion.t5Only(new WordHashTextEncoder(8, 16, 3), 24)) {
      DiffusionEditor editor =
          DiffusionEditor.builder()
              .setDenoiser(new KontextDenoiser(flux))
              .setCodec(vae)
              .setConditioner(fusion)
              .optName("mismatched")
              .build();
      assertThatThrownBy(() -> editor.edit(RgbImage.filled(16, 16, 0x808080), "x", EditOptions.defaults()))
          .isInstanceOf(EditException.class)
          .hasMessageStartingWith("mismatched edit failed: ")
          .hasCauseInstanceOf(RuntimeException.class);
    }
  }

  @Test
  void safetensorsOpenOfAMissingFileNamesIt() {
    Path missing = dir.resolve("nope.safetensors");
    assertThatThrownBy(() -> SafetensorsFile.open(missing))
        .isInstanceOf(SafetensorsException.class)
        .isInstanceOf(GpteditException.class)
        .hasMessageContaining(missing.toString());
  }

  @Test
  void safetensorsOpenOfATruncatedHeaderNamesTheFile() throws Exception {
    Path bad = dir.resolve("bad.safetensors");
    Files.write(bad, new byte[] {(byte) 0xff, 0x7f, 0, 0, 0, 0, 0, 0, '{'});
    assertThatThrownBy(() -> SafetensorsFile.open(bad))
        .isInstanceOf(SafetensorsException.class)
        .hasMessageContaining(bad.toString());
  }

  @Test
  void modelWeightsLoadNamesTheMisshapenTensorItsFileAndBothShapes() {
    Path file = dir.resolve("vae.safetensors");
    new SafetensorsWriter().addFloats("encoder.conv_in.weight", DType.F32, new long[] {1}, new float[] {0f}).write(file);
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      assertThatThrownBy(() -> ModelWeights.load(AutoencoderKL.spec(VaeConfig.tiny()), List.of(f), "", true, 0))
          .isInstanceOf(WeightLoadException.class)
          .isInstanceOf(GpteditException.class)
          .hasMessageContaining("'encoder.conv_in.weight' in " + file)
          .hasMessageContaining("(1)")
          .hasMessageContaining("(4, 3, 3, 3)");
    }
  }

  @Test
  void checkpointLoadOfAFolderWithoutASpecNamesTheFolder() {
    assertThatThrownBy(() -> EditorCheckpoint.load(dir.resolve("no-run")))
        .isInstanceOf(GpteditException.class)
        .hasMessageContaining("no-run");
  }

  @Test
  void onnxEditorBuildOfAFolderWithoutItsConfigNamesTheConfigFile() {
    assertThatThrownBy(() -> OnnxEditor.builder(dir).setTokenizer(new ByteTokenizer()).build())
        .isInstanceOf(OnnxConfigException.class)
        .hasMessageContaining(dir.toString());
  }

  @Test
  void checkpointSaveIntoAFileInsteadOfAFolderIsAGpteditExceptionNamingTheCheckpoint() throws Exception {
    Path run = Files.writeString(dir.resolve("run"), "a file, not a folder");
    try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager();
        ParameterOptimizer optimizer = AdamWOptimizer.defaults().create()) {
      java.util.Map<String, ai.djl.ndarray.NDArray> weights = java.util.Map.of("w", m.zeros(new ai.djl.ndarray.types.Shape(2)));
      assertThatThrownBy(
              () -> Checkpoints.save(run, weights, optimizer, new Checkpoints.State(1, 0, "{}", java.util.Map.of())))
          .isInstanceOf(GpteditException.class)
          .hasMessageContaining("cannot write checkpoint " + run.resolve("checkpoints"));
    }
  }

  @Test
  void onnxSessionOpenOfAGarbageGraphNamesTheFile() throws Exception {
    Path graph = dir.resolve("mllm.onnx");
    Files.writeString(graph, "not a graph");
    assertThatThrownBy(() -> new OnnxHiddenStates(graph, new ByteTokenizer(), 8))
        .isInstanceOf(GpteditException.class)
        .hasMessageContaining(graph.toString());
    assertThat(graph).exists();
  }
}
