package io.gptedit.models.conditioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.gptedit.models.conditioning.TextFusion.Connector;
import io.gptedit.models.conditioning.TextFusion.Mode;
import io.gptedit.models.conditioning.TextFusion.QueryEncoder;
import io.gptedit.models.editor.Paradigm;
import io.gptedit.models.editor.Resolution;
import io.gptedit.models.editor.SamplingConfig;
import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.safetensors.SafetensorsFile;
import io.gptedit.models.text.WordHashTextEncoder;
import io.gptedit.models.train.EditorSpec;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** MetaQuery's connector encoder: transformers' bidirectional Qwen2 stack, gradients, and the 0-layer default. */
class MetaQueryConnectorEncoderTest {
  /** The sizes of tools/make_metaquery_connector_fixture.py. */
  static final QueryEncoder FIXTURE = new QueryEncoder(2, 4, 2, 48, 10000, 1e-6f);

  static Path fixture() throws URISyntaxException {
    return Path.of(MetaQueryConnectorEncoderTest.class
        .getResource("/io/gptedit/models/fixtures/mllm/metaquery_connector.safetensors").toURI());
  }

  @Test
  void theEncoderMatchesTransformersQwen2LayersRunWithAnAllVisibleMaskWithin1e4() throws Exception {
    TextFusion.Config c = TextFusion.Config.metaQuery(5, 32, 20, 16, 8, FIXTURE);
    try (SafetensorsFile f = SafetensorsFile.open(fixture());
        ModelWeights w = ModelWeights.load(TextFusion.spec(c), List.of(f), "", false, 1);
        NDManager m = NDManager.newBaseManager()) {
      assertThat(w.loadReport().toString()).doesNotContain("connector_encoder");
      NDArray input = f.load(m, "input");
      float[] expected = f.readFloats("output");
      float[] actual = TextFusion.encodeQueries(FIXTURE, 32, input, w, m).toFloatArray();
      assertThat(actual).hasSameSizeAs(expected);
      double max = 0;
      for (int i = 0; i < actual.length; i++) {
        max = Math.max(max, Math.abs(actual[i] - expected[i]));
      }
      assertThat(max).as("max |java - transformers|").isLessThan(1e-4);
      // A causal mask would give different states (the fixture asserts so): the encoder is bidirectional.
    }
  }

  @Test
  void gradientsReachTheConnectorEncoderInAMetaQueryTrainingStep() {
    TextFusion.Config c = new TextFusion.Config(Mode.METAQUERY, Connector.MLP, TextFusionTest.MLLM_DIM, 20, 32, 24,
        false, 4, new QueryEncoder(2, 2, 1, 16, 10000, 1e-6f));
    try (NDManager m = NDManager.newBaseManager();
        TextFusion fusion = new TextFusion(c, ModelWeights.random(TextFusion.spec(c), 3),
            new WordHashTextEncoder(8, 32, 3), TextFusionTest.mllm(4))) {
      Map<String, NDArray> trainable = fusion.trainableParameters();
      assertThat(trainable).containsKeys("connector_encoder.layers.0.self_attn.q_proj.weight",
          "connector_encoder.layers.1.mlp.down_proj.weight", "connector_encoder.norm.weight");
      trainable.values().forEach(p -> p.setRequiresGradient(true));
      try (NDManager step = m.newSubManager();
          GradientCollector g = Engine.getInstance().newGradientCollector()) {
        TextConditioning out = fusion.fuse(List.of(fusion.prepare(TextFusionTest.IMAGE, "make it red"),
            fusion.prepare(TextFusionTest.IMAGE, "make it blue")), step);
        assertThat(out.tokens().getShape().getShape()).containsExactly(2, 4, 32);
        g.backward(out.tokens().square().mean());
      }
      for (String name : List.of("connector_encoder.layers.0.self_attn.q_proj.weight",
          "connector_encoder.layers.0.self_attn.k_proj.weight", "connector_encoder.layers.1.mlp.down_proj.weight",
          "connector_encoder.norm.weight", "meta_queries.weight")) {
        assertThat(trainable.get(name).getGradient().abs().sum().getFloat()).as(name).isGreaterThan(0f);
      }
    }
  }

  @Test
  void zeroLayersKeepsTodaysMetaQueryParameterNames() {
    TextFusion.Config old = new TextFusion.Config(Mode.METAQUERY, Connector.MLP, 12, 20, 32, 24, false, 4);
    assertThat(old.queryEncoder()).isEqualTo(QueryEncoder.NONE);
    assertThat(old).isEqualTo(TextFusion.Config.metaQuery(4, 12, 20, 32, 24));
    assertThat(TextFusion.spec(old).entries().keySet()).containsExactlyInAnyOrderElementsOf(Set.of(
        "meta_queries.weight", "connector.0.weight", "connector.0.bias", "connector.2.weight", "connector.2.bias",
        "connector_norm.weight"));
  }

  @Test
  void onlyMetaQueryTakesAConnectorEncoderAndItsHeadsMustSplitTheWidth() {
    assertThatThrownBy(() -> new TextFusion.Config(Mode.MLLM_PROJECTION, Connector.MLP, 12, 20, 32, 24, false, 0,
        FIXTURE)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only METAQUERY");
    assertThatThrownBy(() -> TextFusion.Config.metaQuery(4, 12, 20, 32, 24, new QueryEncoder(1, 5, 1, 8, 1e4, 1e-6f)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heads");
  }

  @Test
  void theEditorSpecRecordsTheConnectorEncoderAndOmitsItWithZeroLayers() {
    FluxConfig flux = new FluxConfig(12, 12, 1, 1, 2, 16, 32, 32, false, new int[] {4, 6, 6}, 10000, 2);
    for (QueryEncoder e : List.of(QueryEncoder.NONE, new QueryEncoder(3, 2, 1, 16, 5000, 1e-5f))) {
      EditorSpec spec = new EditorSpec(Paradigm.KONTEXT, EditorSpec.Backbone.flux(flux, 11), 1, true, null,
          EditorSpec.Codec.pixel(),
          new EditorSpec.Text(TextFusion.Config.metaQuery(4, 12, 20, 32, 32, e), 3, null, "t5", "mllm"),
          SamplingConfig.unguided(2), Resolution.FLOOR_TO_MULTIPLE);
      String json = spec.toJson();
      assertThat(json.contains("query_encoder")).isEqualTo(e.layers() > 0);
      assertThat(EditorSpec.fromJson(json, "editor.json").text().fusion().queryEncoder()).isEqualTo(e);
    }
  }
}
