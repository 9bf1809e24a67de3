package io.gptedit.models.flux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gptedit.models.flow.SeededNoise;
import io.gptedit.models.nn.ParameterStore;
import io.gptedit.models.nn.WeightLoadException;
import io.gptedit.models.safetensors.DType;
import io.gptedit.models.safetensors.SafetensorsFile;
import io.gptedit.models.safetensors.SafetensorsWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FluxLoadingTest {
  @TempDir Path dir;

  static FluxInput input(NDManager m, FluxConfig c, long seed) {
    int[][] img = LatentPacking.imageIds(0, 2, 2);
    return new FluxInput(
        SeededNoise.gaussian(m, seed, new Shape(1, 4, c.inChannels())),
        SeededNoise.gaussian(m, seed + 1, new Shape(1, 3, c.jointAttentionDim())),
        SeededNoise.gaussian(m, seed + 2, new Shape(1, c.pooledProjectionDim())),
        new float[] {0.5f},
        new float[] {3.5f},
        img,
        FluxInput.zeroTextIds(3));
  }

  @Test
  void checkpointWrittenByOurWriterGivesIdenticalOutputs() {
    FluxConfig c = FluxConfig.tiny();
    Path p = dir.resolve("tiny.safetensors");
    try (FluxTransformer original = FluxTransformer.random(c, 42);
        NDManager m = NDManager.newBaseManager()) {
      original.parameters().save(p, Map.of("format", "pt"));
      try (SafetensorsFile f = SafetensorsFile.open(p);
          FluxTransformer loaded = FluxTransformer.load(c, List.of(f), "")) {
        FluxInput in = input(m, c, 3);
        assertThat(loaded.forward(in, m).toFloatArray()).containsExactly(original.forward(in, m).toFloatArray());
      }
    }
  }

  @Test
  void strictLoadListsMissingAndUnexpectedKeys() {
    FluxConfig c = FluxConfig.tiny();
    Path p = dir.resolve("partial.safetensors");
    try (FluxTransformer original = FluxTransformer.random(c, 1)) {
      SafetensorsWriter w = new SafetensorsWriter();
      original.parameters().asMap().forEach((name, a) -> {
        if (!name.equals("proj_out.bias")) {
          w.add(name, a);
        }
      });
      w.addFloats("extra.weight", DType.F32, new long[] {1}, new float[] {1});
      w.write(p);
    }
    try (SafetensorsFile f = SafetensorsFile.open(p)) {
      assertThatThrownBy(() -> FluxTransformer.load(c, List.of(f), ""))
          .isInstanceOf(WeightLoadException.class)
          .hasMessageContaining("missing 1 [proj_out.bias]")
          .hasMessageContaining("unexpected 1 [extra.weight]");
      try (ParameterStore lenient = ParameterStore.load(FluxTransformer.spec(c), List.of(f), "", false, 0)) {
        assertThat(lenient.loadReport().missing()).containsExactly("proj_out.bias");
        assertThat(lenient.loadReport().unexpected()).containsExactly("extra.weight");
      }
    }
  }

  @Test
  void shapeMismatchNamesTheTensorAndBothShapes() {
    Path p = dir.resolve("wrong.safetensors");
    try (FluxTransformer original = FluxTransformer.random(FluxConfig.tiny(), 1)) {
      original.parameters().save(p, Map.of());
    }
    FluxConfig wider = new FluxConfig(16, 16, 1, 1, 2, 16, 48, 24, true, new int[] {4, 6, 6}, 10000, 4);
    try (SafetensorsFile f = SafetensorsFile.open(p)) {
      assertThatThrownBy(() -> FluxTransformer.load(wider, List.of(f), ""))
          .isInstanceOf(WeightLoadException.class)
          .hasMessageContaining("'context_embedder.weight'")
          .hasMessageContaining("(32, 32)")
          .hasMessageContaining("(32, 48)");
    }
  }

  @Test
  void bflOriginalNamingIsRejectedSayingWhichFormatWasFound() {
    Path p = dir.resolve("bfl.safetensors");
    new SafetensorsWriter()
        .addFloats("img_in.weight", DType.BF16, new long[] {1}, new float[] {1})
        .addFloats("double_blocks.0.img_attn.qkv.weight", DType.BF16, new long[] {1}, new float[] {1})
        .write(p);
    try (SafetensorsFile f = SafetensorsFile.open(p)) {
      assertThat(FluxCheckpointFormat.detect(List.of(f), "")).isEqualTo(FluxCheckpointFormat.BFL_ORIGINAL);
      assertThatThrownBy(() -> FluxTransformer.load(FluxConfig.tiny(), List.of(f), ""))
          .isInstanceOf(WeightLoadException.class)
          .hasMessageContaining("original Black Forest Labs naming")
          .hasMessageContaining(p.toString());
    }
  }

  @Test
  void prefixedCheckpointLoadsTheDenoiserOfThePaperRelease() {
    FluxConfig c = FluxConfig.tiny();
    Path p = dir.resolve("release.safetensors");
    try (FluxTransformer original = FluxTransformer.random(c, 5)) {
      SafetensorsWriter w = new SafetensorsWriter();
      original.parameters().asMap().forEach((name, a) -> w.add("denoise_tower.denoiser." + name, a));
      w.addFloats("denoise_tower.denoise_projector.0.weight", DType.BF16, new long[] {1}, new float[] {1});
      w.write(p);
      try (SafetensorsFile f = SafetensorsFile.open(p);
          FluxTransformer loaded = FluxTransformer.load(c, List.of(f), "denoise_tower.denoiser.")) {
        NDArray a = loaded.parameters().get("proj_out.weight");
        assertThat(a.toFloatArray()).containsExactly(original.parameters().get("proj_out.weight").toFloatArray());
      }
    }
  }

  @Test
  void imageBranchSelectionMatchesThePaperStageTwo() {
    try (FluxTransformer model = FluxTransformer.random(FluxConfig.tiny(), 1)) {
      assertThat(model.imageBranchParameterNames())
          .contains(
              "transformer_blocks.0.attn.to_q.weight",
              "transformer_blocks.0.attn.to_out.0.bias",
              "transformer_blocks.0.norm1.linear.weight",
              "transformer_blocks.0.attn.norm_k.weight",
              "single_transformer_blocks.0.attn.to_v.bias",
              "single_transformer_blocks.0.norm.linear.weight")
          .doesNotContain(
              "transformer_blocks.0.attn.add_q_proj.weight",
              "transformer_blocks.0.norm1_context.linear.weight",
              "transformer_blocks.0.ff.net.2.weight",
              "single_transformer_blocks.0.proj_out.weight",
              "single_transformer_blocks.0.proj_mlp.weight");
    }
  }
}
