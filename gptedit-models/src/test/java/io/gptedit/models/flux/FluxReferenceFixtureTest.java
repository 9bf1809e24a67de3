package io.gptedit.models.flux;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.gptedit.models.safetensors.SafetensorsFile;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reproduces the output of the plain-PyTorch reference in src/test/python/make_fixtures.py. */
class FluxReferenceFixtureTest {
  /** Must match the constants at the top of make_fixtures.py. */
  static final FluxConfig FIXTURE_CONFIG =
      new FluxConfig(16, 16, 1, 1, 2, 8, 16, 8, true, new int[] {2, 2, 4}, 10000, 4);

  static Path fixture(String name) throws URISyntaxException {
    return Path.of(FluxReferenceFixtureTest.class.getResource("/io/gptedit/models/fixtures/" + name).toURI());
  }

  static int[][] ids(long[] flat) {
    int[][] out = new int[flat.length / 3][3];
    for (int i = 0; i < flat.length; i++) {
      out[i / 3][i % 3] = (int) flat[i];
    }
    return out;
  }

  @Test
  void tinyFluxReproducesPytorchReferenceWithin1e4() throws Exception {
    try (SafetensorsFile weights = SafetensorsFile.open(fixture("flux_tiny_weights.safetensors"));
        SafetensorsFile io = SafetensorsFile.open(fixture("flux_tiny_io.safetensors"));
        FluxTransformer model = FluxTransformer.load(FIXTURE_CONFIG, List.of(weights), "");
        NDManager m = NDManager.newBaseManager()) {
      assertThat(model.parameters().loadReport().isExact()).isTrue();
      FluxInput in =
          new FluxInput(
              io.load(m, "hidden"),
              io.load(m, "encoder_hidden"),
              io.load(m, "pooled"),
              io.readFloats("timestep"),
              io.readFloats("guidance"),
              ids(io.load(m, "img_ids").toLongArray()),
              ids(io.load(m, "txt_ids").toLongArray()));
      model.setQueryChunk(5); // exercise the chunked attention path (16 tokens in 4 chunks)
      NDArray out = model.forward(in, m);
      float[] expected = io.readFloats("output");
      float[] actual = out.toFloatArray();
      assertThat(out.getShape().getShape()).containsExactly(io.info("output").shape());
      double maxErr = 0;
      for (int i = 0; i < expected.length; i++) {
        maxErr = Math.max(maxErr, Math.abs(expected[i] - actual[i]));
      }
      assertThat(maxErr).isLessThan(1e-4);
      assertThat(expected).isNotEqualTo(new float[expected.length]);
    }
  }
}
