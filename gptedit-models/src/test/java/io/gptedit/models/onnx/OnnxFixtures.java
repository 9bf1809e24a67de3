package io.gptedit.models.onnx;

import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.onnx.OnnxEditorConfig.Dtype;
import io.gptedit.models.onnx.OnnxEditorConfig.Graph;
import io.gptedit.models.onnx.OnnxEditorConfig.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.stream.Stream;

/** Paths and configs of the fixtures written by src/test/python/make_onnx_fixtures.py. */
final class OnnxFixtures {
  /** The tiny Flux of flux_tiny_weights.safetensors (must match make_fixtures.py). */
  static final FluxConfig FLUX_TINY = new FluxConfig(16, 16, 1, 1, 2, 8, 16, 8, true, new int[] {2, 2, 4}, 10000, 4);
  /** The editor's denoiser: the same with joint_attention_dim 32. */
  static final FluxConfig FLUX_KONTEXT_TINY =
      new FluxConfig(16, 16, 1, 1, 2, 8, 32, 8, true, new int[] {2, 2, 4}, 10000, 4);

  private OnnxFixtures() {}

  static Path fixture(String name) {
    try {
      return Path.of(OnnxFixtures.class.getResource("/io/gptedit/models/fixtures/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path editorFolder() {
    return fixture("onnx/editor");
  }

  /** Copies the editor folder into {@code dir} so a test can change its config. */
  static Path copyEditor(Path dir) {
    try (Stream<Path> files = Files.list(editorFolder())) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, dir.resolve(f.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Graph fluxGraph(String file, Dtype floats) {
    return new Graph(
        file,
        Map.of(
            "hidden_states", new Tensor("hidden_states", floats, new long[] {1, -1, 16}),
            "encoder_hidden_states", new Tensor("encoder_hidden_states", floats, new long[] {1, -1, 16}),
            "pooled_projections", new Tensor("pooled_projections", floats, new long[] {1, 8}),
            "timestep", new Tensor("timestep", floats, new long[] {1}),
            "guidance", new Tensor("guidance", floats, new long[] {1}),
            "img_ids", new Tensor("img_ids", Dtype.INT64, new long[] {-1, 3}),
            "txt_ids", new Tensor("txt_ids", Dtype.INT64, new long[] {-1, 3})),
        Map.of("sample", new Tensor("sample", floats, new long[] {1, -1, 16})));
  }

  static double maxAbsDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
    }
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
