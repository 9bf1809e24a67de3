package io.gptedit.models.conditioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.safetensors.SafetensorsFile;
import io.gptedit.models.text.ByteTokenizer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class OnnxHiddenStatesTest {
  @Test
  void onnxRuntimeRunsTheExportedGraphAndMatchesPytorch() throws Exception {
    Path dir = Path.of(OnnxHiddenStatesTest.class.getResource("/io/gptedit/models/fixtures").toURI());
    try (OnnxHiddenStates mllm = new OnnxHiddenStates(dir.resolve("mllm_tiny.onnx"), new ByteTokenizer(), 64);
        SafetensorsFile io = SafetensorsFile.open(dir.resolve("mllm_tiny_io.safetensors"));
        NDManager m = NDManager.newBaseManager()) {
      NDArray h = mllm.hiddenStates(RgbImage.filled(2, 2, 0), "make the sky pink", m);
      assertThat(h.getShape()).isEqualTo(new Shape(1, 18, 12));
      assertThat(h.toFloatArray()).containsExactly(io.readFloats("output"), within(1e-5f));
    }
  }
}
