package io.gptedit.models.sd3;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.gptedit.models.flow.SeededNoise;
import io.gptedit.models.nn.ActivationCheckpointing;
import java.util.LinkedHashMap;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class Sd3ActivationCheckpointingTest {
  /** 3 joint blocks (the last context-pre-only), 8 input channels as in InstructPix2Pix. */
  private static final Sd3Config CONFIG = new Sd3Config(8, 2, 8, 4, 3, 2, 8, 32, 16, 24, 16);

  private static Map<String, float[]> gradients(boolean checkpointing) {
    Map<String, float[]> out = new LinkedHashMap<>();
    try (Sd3Transformer model = Sd3Transformer.random(CONFIG, 8);
        NDManager m = NDManager.newBaseManager()) {
      model.parameters().setTrainable(n -> !n.equals("pos_embed.pos_embed"));
      model.setActivationCheckpointing(checkpointing);
      NDArray latents = SeededNoise.gaussian(m, 1, new Shape(1, 8, 4, 4));
      NDArray text = SeededNoise.gaussian(m, 2, new Shape(1, 3, 32)).mul(1f);
      text.setRequiresGradient(true); // stands for a trainable text connector
      NDArray pooled = SeededNoise.gaussian(m, 3, new Shape(1, 24));
      NDArray target = SeededNoise.gaussian(m, 4, new Shape(1, 4, 4, 4));
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray v = model.forward(latents, text, pooled, new float[] {0.4f}, m);
        ActivationCheckpointing.backward(gc, v.sub(target).square().mean());
      }
      model.parameters().asMap().forEach((name, p) -> {
        if (p.hasGradient()) {
          out.put(name, p.getGradient().toFloatArray());
        }
      });
      out.put("<text input>", text.getGradient().toFloatArray());
    }
    return out;
  }

  @Test
  void checkpointedJointBlockGradientsEqualPlainOnesWithin1e6() {
    Map<String, float[]> plain = gradients(false);
    Map<String, float[]> ckpt = gradients(true);
    assertThat(ckpt.keySet()).containsExactlyElementsOf(plain.keySet());
    assertThat(plain).containsKey("transformer_blocks.0.attn.to_q.weight");
    for (String name : plain.keySet()) {
      float[] a = plain.get(name);
      float[] b = ckpt.get(name);
      double mass = 0;
      for (int i = 0; i < a.length; i++) {
        assertThat((double) b[i]).as("%s[%s]", name, i).isCloseTo(a[i], Offset.offset(1e-6));
        mass += Math.abs(a[i]);
      }
      // The last block's text queries only feed the text stream it discards: their gradient is truly zero.
      if (!name.startsWith("transformer_blocks.2.attn.add_q_proj")) {
        assertThat(mass).as("%s has a real gradient", name).isGreaterThan(0);
      }
    }
  }

  /**
   * Bytes of the arrays a checkpointed training step's manager still holds once the backward pass is over, for a
   * model of some depth: what the blocks' recomputation left behind (inputs, gradients, modulation vectors).
   */
  private static long heldAfterCheckpointedBackward(int layers) {
    Sd3Config c = new Sd3Config(8, 2, 8, 4, layers, 2, 8, 32, 16, 24, 16);
    try (Sd3Transformer model = Sd3Transformer.random(c, 8);
        NDManager m = NDManager.newBaseManager()) {
      model.parameters().setTrainable(n -> !n.equals("pos_embed.pos_embed"));
      model.setActivationCheckpointing(true);
      NDArray latents = SeededNoise.gaussian(m, 1, new Shape(2, 8, 8, 8));
      NDArray text = SeededNoise.gaussian(m, 2, new Shape(2, 8, 32));
      NDArray pooled = SeededNoise.gaussian(m, 3, new Shape(2, 24));
      NDArray target = SeededNoise.gaussian(m, 4, new Shape(2, 4, 8, 8));
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray v = model.forward(latents, text, pooled, new float[] {0.4f, 0.7f}, m);
        ActivationCheckpointing.backward(gc, v.sub(target).square().mean());
      }
      long bytes = 0;
      for (NDArray a : m.getManagedArrays()) {
        if (!a.isReleased()) {
          bytes += a.size() * a.getDataType().getNumOfBytes();
        }
      }
      return bytes;
    }
  }

  @Test
  void checkpointedBackwardReleasesEachBlocksInputsAndGradientsOnceRecomputed() {
    // 2 x (16 patches + 8 text tokens) x 16 channels: one block's input (both streams), or its gradient.
    long stream = 2L * (16 + 8) * 16 * 4;
    long shallow = heldAfterCheckpointedBackward(2);
    long deep = heldAfterCheckpointedBackward(6);
    // Keeping every block's input and every gradient until the step ends would add 2 streams per extra block.
    assertThat(deep - shallow).as("held by 6 blocks beyond 2 blocks' %s bytes", shallow).isLessThan(stream);
  }

  /** Arrays a plain training forward pass of {@code layers} joint blocks leaves in the caller's manager. */
  private static int arraysLeftByPlainTrainingForward(int layers) {
    Sd3Config c = new Sd3Config(8, 2, 8, 4, layers, 2, 8, 32, 16, 24, 16);
    try (Sd3Transformer model = Sd3Transformer.random(c, 8);
        NDManager m = NDManager.newBaseManager()) {
      model.parameters().setTrainable(n -> !n.equals("pos_embed.pos_embed"));
      NDArray latents = SeededNoise.gaussian(m, 1, new Shape(1, 8, 4, 4));
      NDArray text = SeededNoise.gaussian(m, 2, new Shape(1, 3, 32));
      NDArray pooled = SeededNoise.gaussian(m, 3, new Shape(1, 24));
      int before = ((BaseNDManager) m).getManagedArrays().size();
      int left;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray v = model.forward(latents, text, pooled, new float[] {0.4f}, m);
        left = ((BaseNDManager) m).getManagedArrays().size() - before;
        gc.backward(v.square().mean());
      }
      NDArray g = model.parameters().asMap().get("transformer_blocks.0.attn.to_q.weight").getGradient();
      assertThat(g.abs().sum().getFloat()).isFinite().isGreaterThan(0);
      return left;
    }
  }

  @Test
  void plainTrainingForwardFreesEveryJointBlocksIntermediatesAndKeepsOnlyItsOutputs() {
    // Each joint block runs in a scope closed after it, in training too: the caller's manager keeps the blocks'
    // outputs (two streams; the context-pre-only last block one), not their intermediates, which it did until
    // 2026-12-04 (about a hundred arrays per block).
    int shallow = arraysLeftByPlainTrainingForward(2);
    int deep = arraysLeftByPlainTrainingForward(5);
    assertThat(deep - shallow).isEqualTo(3 * 2);
  }
}
