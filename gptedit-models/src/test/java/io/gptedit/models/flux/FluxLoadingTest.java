package io.gptedit.models.flux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gptedit.models.flow.SeededNoise;
import io.gptedit.models.nn.ModelWeights;
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
      try (ModelWeights lenient = ModelWeights.load(FluxTransformer.spec(c), List.of(f), "", false, 0)) {
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

  /** Writes a model's weights in BFL's original naming (fused qkv, linear1, swapped final modulation). */
  static void writeBfl(FluxTransformer model, Path p) {
    Map<String, NDArray> w = model.parameters().asMap();
    SafetensorsWriter out = new SafetensorsWriter();
    java.util.function.BiConsumer<String, String> copy = (bfl, diffusers) -> out.add(bfl, w.get(diffusers));
    java.util.function.BiConsumer<String, List<String>> fuse =
        (bfl, parts) -> out.add(bfl, ai.djl.ndarray.NDArrays.concat(
            new ai.djl.ndarray.NDList(parts.stream().map(w::get).toArray(NDArray[]::new)), 0));
    for (String k : List.of("weight", "bias")) {
      copy.accept("img_in." + k, "x_embedder." + k);
      copy.accept("txt_in." + k, "context_embedder." + k);
      copy.accept("time_in.in_layer." + k, "time_text_embed.timestep_embedder.linear_1." + k);
      copy.accept("time_in.out_layer." + k, "time_text_embed.timestep_embedder.linear_2." + k);
      copy.accept("guidance_in.in_layer." + k, "time_text_embed.guidance_embedder.linear_1." + k);
      copy.accept("guidance_in.out_layer." + k, "time_text_embed.guidance_embedder.linear_2." + k);
      copy.accept("vector_in.in_layer." + k, "time_text_embed.text_embedder.linear_1." + k);
      copy.accept("vector_in.out_layer." + k, "time_text_embed.text_embedder.linear_2." + k);
      copy.accept("final_layer.linear." + k, "proj_out." + k);
      NDArray mod = w.get("norm_out.linear." + k);
      long half = mod.getShape().get(0) / 2;
      out.add("final_layer.adaLN_modulation.1." + k, mod.get(half + ":").concat(mod.get(":" + half), 0));
      String d = "transformer_blocks.0.";
      String b = "double_blocks.0.";
      copy.accept(b + "img_mod.lin." + k, d + "norm1.linear." + k);
      copy.accept(b + "txt_mod.lin." + k, d + "norm1_context.linear." + k);
      fuse.accept(b + "img_attn.qkv." + k, List.of(d + "attn.to_q." + k, d + "attn.to_k." + k, d + "attn.to_v." + k));
      fuse.accept(b + "txt_attn.qkv." + k,
          List.of(d + "attn.add_q_proj." + k, d + "attn.add_k_proj." + k, d + "attn.add_v_proj." + k));
      copy.accept(b + "img_attn.proj." + k, d + "attn.to_out.0." + k);
      copy.accept(b + "txt_attn.proj." + k, d + "attn.to_add_out." + k);
      copy.accept(b + "img_mlp.0." + k, d + "ff.net.0.proj." + k);
      copy.accept(b + "img_mlp.2." + k, d + "ff.net.2." + k);
      copy.accept(b + "txt_mlp.0." + k, d + "ff_context.net.0.proj." + k);
      copy.accept(b + "txt_mlp.2." + k, d + "ff_context.net.2." + k);
      String s = "single_transformer_blocks.0.";
      String sb = "single_blocks.0.";
      copy.accept(sb + "modulation.lin." + k, s + "norm.linear." + k);
      fuse.accept(sb + "linear1." + k,
          List.of(s + "attn.to_q." + k, s + "attn.to_k." + k, s + "attn.to_v." + k, s + "proj_mlp." + k));
      copy.accept(sb + "linear2." + k, s + "proj_out." + k);
    }
    copy.accept("double_blocks.0.img_attn.norm.query_norm.scale", "transformer_blocks.0.attn.norm_q.weight");
    copy.accept("double_blocks.0.img_attn.norm.key_norm.scale", "transformer_blocks.0.attn.norm_k.weight");
    copy.accept("double_blocks.0.txt_attn.norm.query_norm.scale", "transformer_blocks.0.attn.norm_added_q.weight");
    copy.accept("double_blocks.0.txt_attn.norm.key_norm.scale", "transformer_blocks.0.attn.norm_added_k.weight");
    copy.accept("single_blocks.0.norm.query_norm.scale", "single_transformer_blocks.0.attn.norm_q.weight");
    copy.accept("single_blocks.0.norm.key_norm.scale", "single_transformer_blocks.0.attn.norm_k.weight");
    out.write(p);
  }

  @Test
  void bflOriginalNamingIsConvertedAndGivesIdenticalOutputs() {
    FluxConfig c = FluxConfig.tiny();
    Path p = dir.resolve("bfl.safetensors");
    try (FluxTransformer original = FluxTransformer.random(c, 8);
        NDManager m = NDManager.newBaseManager()) {
      writeBfl(original, p);
      try (SafetensorsFile f = SafetensorsFile.open(p);
          FluxTransformer loaded = FluxTransformer.load(c, List.of(f), "")) {
        assertThat(FluxCheckpointFormat.detect(List.of(f), "")).isEqualTo(FluxCheckpointFormat.BFL_ORIGINAL);
        FluxInput in = input(m, c, 4);
        assertThat(loaded.forward(in, m).toFloatArray()).containsExactly(original.forward(in, m).toFloatArray());
      }
    }
  }

  @Test
  void incompleteBflOrUnrecognisedCheckpointsAreRejectedSayingWhatWasFound() {
    Path bfl = dir.resolve("partial-bfl.safetensors");
    new SafetensorsWriter()
        .addFloats("img_in.weight", DType.BF16, new long[] {1}, new float[] {1})
        .addFloats("double_blocks.0.img_attn.qkv.weight", DType.BF16, new long[] {1}, new float[] {1})
        .write(bfl);
    Path other = dir.resolve("other.safetensors");
    new SafetensorsWriter().addFloats("model.layers.0.weight", DType.F32, new long[] {1}, new float[] {1}).write(other);
    try (SafetensorsFile f = SafetensorsFile.open(bfl);
        SafetensorsFile g = SafetensorsFile.open(other)) {
      assertThatThrownBy(() -> FluxTransformer.load(FluxConfig.tiny(), List.of(f), ""))
          .isInstanceOf(WeightLoadException.class)
          .hasMessageContaining("BFL-format checkpoint does not match")
          .hasMessageContaining("x_embedder.bias (from img_in.bias)");
      assertThatThrownBy(() -> FluxTransformer.load(FluxConfig.tiny(), List.of(g), ""))
          .isInstanceOf(WeightLoadException.class)
          .hasMessageContaining("no recognisable Flux transformer naming")
          .hasMessageContaining(other.toString());
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
