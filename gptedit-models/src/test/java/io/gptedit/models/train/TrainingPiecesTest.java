package io.gptedit.models.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TrainingPiecesTest {
  private NDManager manager;

  @BeforeAll
  static void offline() {
    System.setProperty("ai.djl.offline", "true");
  }

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  /** Every diffusers parameter of a 2-double, 1-single block Flux transformer. */
  static List<String> fluxNames() {
    List<String> names = new ArrayList<>(List.of("x_embedder.weight", "context_embedder.weight", "norm_out.linear.weight", "proj_out.weight"));
    String[] dbl = {
      "norm1.linear", "norm1_context.linear", "attn.to_q", "attn.to_k", "attn.to_v", "attn.add_q_proj",
      "attn.add_k_proj", "attn.add_v_proj", "attn.to_out.0", "attn.to_add_out", "ff.net.0.proj", "ff.net.2",
      "ff_context.net.0.proj", "ff_context.net.2"
    };
    for (int b = 0; b < 2; b++) {
      for (String s : dbl) {
        names.add("transformer_blocks." + b + "." + s + ".weight");
        names.add("transformer_blocks." + b + "." + s + ".bias");
      }
      for (String s : new String[] {"attn.norm_q", "attn.norm_k", "attn.norm_added_q", "attn.norm_added_k"}) {
        names.add("transformer_blocks." + b + "." + s + ".weight");
      }
    }
    for (String s : new String[] {"norm.linear", "attn.to_q", "attn.to_k", "attn.to_v", "proj_mlp", "proj_out"}) {
      names.add("single_transformer_blocks.0." + s + ".weight");
      names.add("single_transformer_blocks.0." + s + ".bias");
    }
    names.add("single_transformer_blocks.0.attn.norm_q.weight");
    names.add("single_transformer_blocks.0.attn.norm_k.weight");
    names.add("connector.0.weight");
    names.add("connector.2.weight");
    return names;
  }

  @Test
  void paperStage2SelectsConnectorAndExactlyTheImageBranch() {
    List<String> picked = ParameterSelection.paperStage2("connector.").select(fluxNames());
    assertThat(picked)
        .contains(
            "connector.0.weight",
            "transformer_blocks.1.attn.to_q.bias",
            "transformer_blocks.0.attn.to_out.0.weight",
            "transformer_blocks.0.norm1.linear.weight",
            "transformer_blocks.0.attn.norm_k.weight",
            "single_transformer_blocks.0.norm.linear.bias",
            "single_transformer_blocks.0.attn.norm_q.weight")
        .noneMatch(n -> n.contains("add_") || n.contains("norm_added") || n.contains("context") || n.contains("ff.")
            || n.contains("proj_mlp") || n.startsWith("x_embedder") || n.startsWith("proj_out")
            || n.contains("single_transformer_blocks.0.proj_out"));
    // 2 double blocks x (q,k,v,out,norm1 weights+biases = 10, + norm_q, norm_k = 12) + single (q,k,v,norm: 8, + 2) + 2.
    assertThat(picked).hasSize(2 * 12 + 10 + 2);
  }

  @Test
  void stage1SelectsOnlyTheConnectorAndAnEmptySelectionIsAnError() {
    assertThat(ParameterSelection.connectorOnly("connector.").select(fluxNames()))
        .containsExactly("connector.0.weight", "connector.2.weight");
    assertThatThrownBy(() -> ParameterSelection.connectorOnly("denoise_projector.").select(fluxNames()))
        .hasMessageContaining("matches none");
  }

  @Test
  void noisyInputInterpolatesPerSampleAndTargetIsNoiseMinusClean() {
    NDArray x0 = manager.create(new float[] {1, 1, 2, 2}, new Shape(2, 2));
    NDArray noise = manager.create(new float[] {3, 3, -2, -2}, new Shape(2, 2));
    NDArray sigma = manager.create(new float[] {0.25f, 1.0f});
    assertThat(FlowMatchingLoss.noisy(x0, noise, sigma).toFloatArray()).containsExactly(1.5f, 1.5f, -2f, -2f);
    assertThat(FlowMatchingLoss.target(x0, noise).toFloatArray()).containsExactly(2f, 2f, -4f, -4f);
  }

  @Test
  void lossIsTheWeightedMeanSquaredErrorAndItsGradientIsTwoTimesTheErrorOverN() {
    NDArray pred = manager.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
    NDArray target = manager.create(new float[] {0, 0, 3, 2}, new Shape(2, 2));
    NDArray weights = manager.create(new float[] {1, 3});
    // Per sample: (1 + 4) / 2 = 2.5 and (0 + 4) / 2 = 2; weighted mean (2.5 + 6) / 2 = 4.25.
    assertThat(FlowMatchingLoss.loss(pred, target, weights).getFloat()).isCloseTo(4.25f, within(1e-6f));
    assertThat(FlowMatchingLoss.loss(pred, target, null).getFloat()).isCloseTo(2.25f, within(1e-6f));
    pred.setRequiresGradient(true);
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray loss = FlowMatchingLoss.loss(pred, target, null);
      gc.backward(loss);
    }
    // d/dp mean_b mean_i (p - t)^2 = 2 (p - t) / (B * N) = (p - t) / 2.
    assertThat(pred.getGradient().toFloatArray()).containsExactly(new float[] {0.5f, 1f, 0f, 1f}, within(1e-6f));
  }

  @Test
  void maskBalancedLossWeighsTheEditedAndKeptHalvesOfEachSampleEquallyWhateverTheirSizes() {
    // Sample 0: one edited pixel of four; sample 1: no edited pixel.
    NDArray pred = manager.create(new float[] {1, 2, 3, 4, 1, 1, 1, 1}, new Shape(2, 4));
    NDArray target = manager.create(new float[] {0, 2, 3, 2, 0, 0, 0, 0}, new Shape(2, 4));
    NDArray mask = manager.create(new float[] {1, 0, 0, 0, 0, 0, 0, 0}, new Shape(2, 4));
    // Sample 0: inside 1, outside (0 + 0 + 4) / 3; 0.5 * 1 + 0.5 * 4/3 = 7/6. Sample 1: no inside half, outside 1
    // weighted 0.5: 0.5. Batch mean: (7/6 + 1/2) / 2 = 5/6.
    assertThat(FlowMatchingLoss.maskBalanced(pred, target, mask, 0.5).getFloat()).isCloseTo(5f / 6f, within(1e-6f));
    // All weight on the edit: sample 0 gives 1, sample 1 nothing; (1 + 0) / 2.
    assertThat(FlowMatchingLoss.maskBalanced(pred, target, mask, 1.0).getFloat()).isCloseTo(0.5f, within(1e-6f));
    pred.setRequiresGradient(true);
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      gc.backward(FlowMatchingLoss.maskBalanced(pred, target, mask, 0.5));
    }
    // d/dp of w (p - t)^2 is 2 w (p - t): inside w = 0.5 / 1 / 2, outside w = 0.5 / 3 / 2 and 0.5 / 4 / 2.
    try (NDArray g = pred.getGradient()) {
      assertThat(g.toFloatArray())
          .containsExactly(new float[] {0.5f, 0f, 0f, 2f / 6f, 0.125f, 0.125f, 0.125f, 0.125f}, within(1e-6f));
    }
    NDArray half = manager.create(new float[] {0.5f, 0, 0, 0, 0, 0, 0, 0}, new Shape(2, 4));
    assertThatThrownBy(() -> FlowMatchingLoss.maskBalanced(pred, target, half, 0.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0 or 1");
  }

  @Test
  void theStructureShareSplitsTheKeptWeightBetweenTheInputsEdgesAndItsFlatPixels() {
    // Sample 0: pixel 0 edited, pixel 1 kept on structure, pixels 2 and 3 kept flat.
    // Sample 1: no edit, no structure: the whole kept weight goes to its flat pixels.
    NDArray pred = manager.create(new float[] {1, 2, 3, 4, 1, 1, 1, 1}, new Shape(2, 4));
    NDArray target = manager.create(new float[] {0, 0, 3, 2, 0, 0, 0, 0}, new Shape(2, 4));
    NDArray mask = manager.create(new float[] {1, 0, 0, 0, 0, 0, 0, 0}, new Shape(2, 4));
    NDArray structure = manager.create(new float[] {1, 1, 0, 0, 0, 0, 0, 0}, new Shape(2, 4));
    // Sample 0 at edit 0.5, structure 0.6: 0.5 * 1 + 0.5 * 0.6 * 4 + 0.5 * 0.4 * (0 + 4) / 2 = 0.5 + 1.2 + 0.4 = 2.1;
    // sample 1: 0.5 * 1 = 0.5; mean 1.3. (The edited pixel's structure bit does not count.)
    assertThat(FlowMatchingLoss.maskBalanced(pred, target, mask, 0.5, structure, 0.6).getFloat())
        .isCloseTo(1.3f, within(1e-6f));
    // Share 0 is the two-way form, bit for bit.
    assertThat(FlowMatchingLoss.maskBalanced(pred, target, mask, 0.5, structure, 0).getFloat())
        .isEqualTo(FlowMatchingLoss.maskBalanced(pred, target, mask, 0.5).getFloat());
    // A sample whose kept pixels are all structure gives them the whole kept weight.
    NDArray allEdges = manager.create(new float[] {0, 1, 1, 1, 0, 0, 0, 0}, new Shape(2, 4));
    // sample 0: 0.5 * 1 + 0.5 * (4 + 0 + 4) / 3 = 0.5 + 4/3; sample 1: 0.5; mean (11/6 + 1/2) / 2 = 7/6
    assertThat(FlowMatchingLoss.maskBalanced(pred, target, mask, 0.5, allEdges, 0.6).getFloat())
        .isCloseTo(7f / 6f, within(1e-6f));
    assertThatThrownBy(() -> FlowMatchingLoss.maskBalanced(pred, target, mask, 0.5, null, 0.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("structure mask");
  }
}
