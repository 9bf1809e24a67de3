package io.gptedit.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.nn.ParameterSpec;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TrainingFlopsTest {
  /** d = 2, MLP 8, one double block, no guidance; one text and one image token (S = 2). */
  private static final FluxConfig HAND =
      new FluxConfig(2, 2, 1, 0, 1, 2, 2, 2, false, new int[] {2, 0, 0}, 10000, 4);

  @Test
  void aHandComputedTinyConfigCountsEveryProduct() {
    // Multiply-adds: embedders 1*2*2 + 1*2*2 = 8; timestep MLP 256*2 + 2*2 and pooled MLP 2*2 + 2*2 = 524;
    // double block: AdaLN 2 * 2*12 = 48, q/k/v 2*3*2*2 = 24, out 2*2*2 = 8, MLPs 2 * 2*8 * 2 = 64 -> 144;
    // output layer: AdaLN 2*4 = 8, projection 1*2*2 = 4 -> 12. Linear 688 MACs = 1376 FLOPs.
    // Attention: (QK^T + AV) = 2 * S^2 * d = 2*4*2 = 16 MACs = 32 FLOPs.
    TrainingFlops.Forward f = TrainingFlops.forward(HAND, 1, 1);
    assertThat(f.linear()).isEqualTo(1376);
    assertThat(f.attention()).isEqualTo(32);
    assertThat(f.total()).isEqualTo(1408);
    // Training: 3 forward passes' worth, times the batch of 3.
    assertThat(TrainingFlops.trainingStep(HAND, 1, 1, 3)).isEqualTo(3 * 3 * 1408);
  }

  @Test
  void guidanceAddsItsTwoLayerEmbedding() {
    FluxConfig withGuidance = new FluxConfig(2, 2, 1, 0, 1, 2, 2, 2, true, new int[] {2, 0, 0}, 10000, 4);
    double extra = TrainingFlops.forward(withGuidance, 1, 1).total() - TrainingFlops.forward(HAND, 1, 1).total();
    assertThat(extra).isEqualTo(2 * (256 * 2 + 2 * 2));
  }

  static Stream<Arguments> configs() {
    return Stream.of(
        Arguments.of(new FluxConfig(12, 12, 2, 2, 4, 16, 32, 32, false, new int[] {4, 6, 6}, 10000, 4), 16, 128),
        Arguments.of(new FluxConfig(12, 12, 1, 1, 4, 16, 32, 32, false, new int[] {4, 6, 6}, 10000, 4), 16, 32),
        Arguments.of(FluxConfig.tiny(), 7, 50),
        Arguments.of(new FluxConfig(64, 48, 3, 0, 2, 8, 24, 40, true, new int[] {2, 2, 4}, 10000, 2), 0, 9));
  }

  @ParameterizedTest
  @MethodSource("configs")
  void linearFlopsMatchTheDeclaredWeightsTimesTheRowsEachIsAppliedTo(FluxConfig c, int text, int image) {
    // An independent derivation from the real parameter declaration: each linear weight (out x in) costs
    // out * in multiply-adds per row it is applied to.
    double macs = 0;
    for (Map.Entry<String, ParameterSpec.Entry> e : FluxTransformer.spec(c).entries().entrySet()) {
      String name = e.getKey();
      if (!name.endsWith(".weight") || e.getValue().shape().dimension() != 2) {
        continue;
      }
      macs += e.getValue().shape().size() * rows(name, text, image);
    }
    assertThat(TrainingFlops.forward(c, text, image).linear()).isEqualTo(2 * macs);
  }

  @ParameterizedTest
  @MethodSource("configs")
  void attentionGrowsWithTheSquareOfTheSequence(FluxConfig c, int text, int image) {
    double a1 = TrainingFlops.forward(c, text, image).attention();
    double a2 = TrainingFlops.forward(c, 2L * text, 2L * image).attention();
    assertThat(a2).isEqualTo(4 * a1);
    double s = text + image;
    assertThat(a1).isEqualTo(4 * s * s * c.hidden() * (c.numLayers() + c.numSingleLayers()));
  }

  @Test
  void rejectsAnEmptyImageOrBatch() {
    assertThatThrownBy(() -> TrainingFlops.forward(HAND, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TrainingFlops.trainingStep(HAND, 1, 1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batch");
  }

  /** How many rows (tokens, or 1 for per-sample vectors) the named linear layer is applied to. */
  private static long rows(String name, long text, long image) {
    if (name.startsWith("single_transformer_blocks.")) {
      return name.contains(".norm.linear") ? 1 : text + image;
    }
    if (name.startsWith("time_text_embed.") || name.contains("norm1") || name.startsWith("norm_out.")) {
      return 1;
    }
    if (name.startsWith("context_embedder") || name.contains(".add_") || name.contains("to_add_out")
        || name.contains("ff_context")) {
      return text;
    }
    if (name.startsWith("x_embedder") || name.startsWith("proj_out") || name.startsWith("transformer_blocks.")) {
      return image;
    }
    throw new AssertionError("unexpected layer " + name);
  }
}
