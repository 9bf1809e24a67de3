package io.gptedit.lab;

import static io.gptedit.models.nn.Layers.geluTanh;
import static io.gptedit.models.nn.Layers.linear;
import static io.gptedit.models.nn.Layers.rmsNorm;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.conditioning.PooledPatchEncoder;
import io.gptedit.models.conditioning.QueryingMllm;
import io.gptedit.models.nn.DeviceException;
import io.gptedit.models.nn.Devices;
import io.gptedit.models.nn.Layers;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.nn.ParameterSpec;
import io.gptedit.models.nn.ParameterSpec.Init;
import io.gptedit.models.text.WordHashTextEncoder;
import java.util.List;

/**
 * The lab's tiny frozen multimodal encoder, in the role Qwen2.5-VL plays in the paper's MLLM fusions: a fixed
 * random pre-norm transformer (RMSNorm, multi-head attention, GELU MLP, residuals, final RMSNorm) over {@code
 * [image tokens ; instruction tokens (; query tokens)]}, bidirectional. The image tokens are a {@link
 * PooledPatchEncoder}'s features of the input through a fixed merger layer (as Qwen-VL's vision tower feeds its
 * LLM); the instruction tokens are a {@link WordHashTextEncoder} of its own seed. Every weight comes from the seed
 * and none trains; MetaQuery's learned queries, appended at the end, are the only trainable input, and their
 * gradients flow back through this frozen network.
 */
final class TinyMllm implements QueryingMllm, AutoCloseable {
  /** Hidden size d_m. */
  static final int DIM = 32;
  private static final int LAYERS = 2;
  private static final int HEADS = 2;
  private static final int TEXT_TOKENS = 16;

  private final long seed;
  private final ModelWeights params;
  private final PooledPatchEncoder vision;
  private final WordHashTextEncoder words;

  /** Set for a trained MLLM: what its weights were trained as (part of its identity). */
  private final String trained;

  /** The MLLM with its weights on {@code device}; its forwards run under the caller's manager, which must be there. */
  TinyMllm(long seed, Device device) {
    this(seed, ModelWeights.random(spec(), seed, device), null, true);
  }

  /**
   * An MLLM over given weights.
   *
   * @param seed the seed of its fixed vision features and word hashes
   * @param params its weights (owned from here on)
   * @param trained null for the random MLLM, else what its weights were trained as (recorded in {@link #id()})
   * @param frozen whether to cap the weights' manager (false while the weights train: gradients attach there)
   */
  TinyMllm(long seed, ModelWeights params, String trained, boolean frozen) {
    Devices.require(params.device());
    this.seed = seed;
    this.vision = new PooledPatchEncoder(4, DIM, seed ^ 0x11A6EL);
    this.words = new WordHashTextEncoder(TEXT_TOKENS, DIM, seed ^ 0x70CE7L);
    this.params = params;
    this.trained = trained;
    if (frozen) {
      params.freeze();
    }
  }

  /** The identity the editor spec records. */
  @Override
  public String id() {
    return "lab-tiny-mllm(seed=" + seed + (trained == null ? "" : ", " + trained) + ")";
  }

  static ParameterSpec spec() {
    ParameterSpec s = new ParameterSpec();
    s.linear("visual.merger", DIM, DIM, true);
    for (int i = 0; i < LAYERS; i++) {
      String b = "layers." + i + ".";
      s.add(b + "input_layernorm.weight", Init.NEAR_ONE, DIM);
      for (String p : new String[] {"q_proj", "k_proj", "v_proj", "o_proj"}) {
        s.linear(b + "self_attn." + p, DIM, DIM, true);
      }
      s.add(b + "post_attention_layernorm.weight", Init.NEAR_ONE, DIM);
      s.linear(b + "mlp.up_proj", DIM, 4 * DIM, true);
      s.linear(b + "mlp.down_proj", 4 * DIM, DIM, true);
    }
    s.add("norm.weight", Init.NEAR_ONE, DIM);
    return s;
  }

  /** The number of hidden states for an image and an instruction (without queries). */
  int tokens() {
    return vision.tokens() + TEXT_TOKENS;
  }

  @Override
  public NDArray hiddenStates(RgbImage image, String instruction, NDManager manager) {
    try (NDManager scope = manager.newSubManager()) {
      NDArray out = run(List.of(image), List.of(instruction), null, scope);
      out.attach(manager);
      return out;
    }
  }

  @Override
  public NDArray queryStates(List<RgbImage> images, List<String> instructions, NDArray queries, NDManager manager) {
    return run(images, instructions, queries, manager);
  }

  private NDArray run(List<RgbImage> images, List<String> instructions, NDArray queries, NDManager m) {
    return run(params, images, instructions, queries, m);
  }

  /**
   * The hidden states of a batch over given weights (the trainer's view of them while the MLLM learns).
   *
   * @param w the weights, named as {@link #spec()}
   * @param images the input images
   * @param instructions their instructions
   * @param m the manager of the result and every intermediate
   * @return {@code (B, tokens(), DIM)}
   */
  NDArray hiddenStates(ModelWeights w, List<RgbImage> images, List<String> instructions, NDManager m) {
    return run(w, images, instructions, null, m);
  }

  private NDArray run(
      ModelWeights params, List<RgbImage> images, List<String> instructions, NDArray queries, NDManager m) {
    if (!m.getDevice().equals(params.device())) {
      throw new DeviceException(
          "the lab's tiny MLLM has its weights on " + Devices.name(params.device()) + " but was asked to run under a"
              + " manager on " + Devices.name(m.getDevice()));
    }
    int b = images.size();
    int nv = vision.tokens();
    float[] img = new float[b * nv * DIM];
    float[] txt = new float[b * TEXT_TOKENS * DIM];
    for (int i = 0; i < b; i++) {
      System.arraycopy(vision.encode(images.get(i)), 0, img, i * nv * DIM, nv * DIM);
      System.arraycopy(words.encode(instructions.get(i)).tokens(), 0, txt, i * TEXT_TOKENS * DIM, TEXT_TOKENS * DIM);
    }
    NDArray x =
        linear(m.create(img, new Shape(b, nv, DIM)), params, "visual.merger")
            .concat(m.create(txt, new Shape(b, TEXT_TOKENS, DIM)), 1);
    if (queries != null) {
      // The zeros come first so the sum lives in m, not in the queries' (parameters') manager.
      x = x.concat(m.zeros(new Shape(b, queries.getShape().get(0), DIM)).add(queries), 1);
    }
    for (int i = 0; i < LAYERS; i++) {
      String p = "layers." + i + ".";
      NDArray h = rmsNorm(x, params.get(p + "input_layernorm.weight"), 1e-6f);
      NDArray q = heads(linear(h, params, p + "self_attn.q_proj"));
      NDArray k = heads(linear(h, params, p + "self_attn.k_proj"));
      NDArray v = heads(linear(h, params, p + "self_attn.v_proj"));
      NDArray a = Layers.attention(q, k, v, 1024).transpose(0, 2, 1, 3).reshape(x.getShape());
      x = x.add(linear(a, params, p + "self_attn.o_proj"));
      h = rmsNorm(x, params.get(p + "post_attention_layernorm.weight"), 1e-6f);
      x = x.add(linear(geluTanh(linear(h, params, p + "mlp.up_proj")), params, p + "mlp.down_proj"));
    }
    x = rmsNorm(x, params.get("norm.weight"), 1e-6f);
    return queries == null ? x : x.get(":, " + tokens() + ":, :");
  }

  private static NDArray heads(NDArray x) {
    Shape s = x.getShape();
    return x.reshape(s.get(0), s.get(1), HEADS, DIM / HEADS).transpose(0, 2, 1, 3);
  }

  /** The frozen weights (for tests: they must never change). */
  ModelWeights parameters() {
    return params;
  }

  @Override
  public void close() {
    params.close();
  }
}
