package io.gptedit.models.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.flux.FluxTransformer;
import org.junit.jupiter.api.Test;

class ParameterStoreTest {
  @Test
  void guardedConversionRefusesBfloat16AndAllowsHalf() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.create(new float[] {1.5f, -2f});
      assertThatThrownBy(() -> ModelWeights.convertGuarded(a, DataType.BFLOAT16))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("bf16");
      NDArray half = ModelWeights.convertGuarded(a, DataType.FLOAT16);
      assertThat(half.getDataType()).isEqualTo(DataType.FLOAT16);
      assertThat(ModelWeights.convertGuarded(half, DataType.FLOAT32).toFloatArray()).containsExactly(1.5f, -2f);
    }
  }

  @Test
  void randomWeightsDependOnlyOnSeedAndName() {
    ParameterSpec spec = new ParameterSpec().linear("a", 3, 2, true).add("n.weight", ParameterSpec.Init.NEAR_ONE, 4);
    try (ModelWeights x = ModelWeights.random(spec, 1);
        ModelWeights y = ModelWeights.random(spec, 1);
        ModelWeights z = ModelWeights.random(spec, 2)) {
      assertThat(x.get("a.weight").toFloatArray()).containsExactly(y.get("a.weight").toFloatArray());
      assertThat(x.get("a.weight").toFloatArray()).isNotEqualTo(z.get("a.weight").toFloatArray());
      assertThat(x.get("a.weight").getShape().getShape()).containsExactly(2, 3);
    }
  }

  @Test
  void realFluxPresetDeclaresTwelveBillionParametersInDiffusersNaming() {
    ParameterSpec spec = FluxTransformer.spec(FluxConfig.flux1KontextDev());
    assertThat(spec.parameterCount()).isBetween(11_800_000_000L, 12_000_000_000L);
    assertThat(spec.entries()).containsKeys(
        "transformer_blocks.18.attn.norm_added_k.weight",
        "single_transformer_blocks.37.proj_out.weight",
        "time_text_embed.guidance_embedder.linear_2.bias");
    assertThat(spec.entries().get("single_transformer_blocks.0.proj_out.weight").shape().getShape())
        .containsExactly(3072, 15360);
  }
}
