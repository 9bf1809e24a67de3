package io.gptedit.models.nn;

import static io.gptedit.models.nn.Layers.rmsNorm;
import static io.gptedit.models.nn.Layers.silu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.gptedit.models.nn.ParameterSpec.Init;

/**
 * The shape of one Qwen2 decoder layer (pre-RMSNorm grouped-query attention with rotary positions and biased q, k,
 * v projections, then a pre-RMSNorm SwiGLU MLP, each with a residual), its parameters and its forward pass, causal
 * (the language model of Qwen2.5-VL) or bidirectional (MetaQuery's connector encoder).
 *
 * <p>Parameter names under a layer's prefix are transformers': {@code input_layernorm.weight},
 * {@code self_attn.{q,k,v}_proj.{weight,bias}}, {@code self_attn.o_proj.weight},
 * {@code post_attention_layernorm.weight}, {@code mlp.{gate,up,down}_proj.weight}. Parameters stored as float16 are
 * read as float32 copies owned by the pass's manager.
 *
 * @param hiddenSize the model width
 * @param heads the query heads
 * @param kvHeads the key and value heads (divides {@code heads})
 * @param headDim the width of one head
 * @param intermediateSize the MLP width
 * @param rmsNormEps the RMSNorm epsilon
 * @since 0.1
 */
public record Qwen2Layer(int hiddenSize, int heads, int kvHeads, int headDim, int intermediateSize, float rmsNormEps) {
  private static final float MASKED = -Float.MAX_VALUE;
  private static final int QUERY_CHUNK = 1024;

  /** Validates the sizes. */
  public Qwen2Layer {
    if (hiddenSize <= 0 || heads <= 0 || kvHeads <= 0 || headDim <= 0 || intermediateSize <= 0) {
      throw new IllegalArgumentException("Qwen2 layer sizes must be positive");
    }
    if (heads % kvHeads != 0) {
      throw new IllegalArgumentException("kvHeads " + kvHeads + " must divide heads " + heads);
    }
    if (headDim % 2 != 0) {
      throw new IllegalArgumentException("headDim must be even for rotary positions, got " + headDim);
    }
    if (!(rmsNormEps > 0)) {
      throw new IllegalArgumentException("rmsNormEps must be positive");
    }
  }

  /**
   * Declares the layer's parameters under {@code prefix} (which ends with a dot, or is empty).
   *
   * @param s the spec to add to
   * @param prefix the layer's prefix, for example {@code "model.layers.3."}
   */
  public void declare(ParameterSpec s, String prefix) {
    int q = heads * headDim;
    int kv = kvHeads * headDim;
    s.add(prefix + "input_layernorm.weight", Init.NEAR_ONE, hiddenSize);
    s.linear(prefix + "self_attn.q_proj", hiddenSize, q, true);
    s.linear(prefix + "self_attn.k_proj", hiddenSize, kv, true);
    s.linear(prefix + "self_attn.v_proj", hiddenSize, kv, true);
    s.linear(prefix + "self_attn.o_proj", q, hiddenSize, false);
    s.add(prefix + "post_attention_layernorm.weight", Init.NEAR_ONE, hiddenSize);
    s.linear(prefix + "mlp.gate_proj", hiddenSize, intermediateSize, false);
    s.linear(prefix + "mlp.up_proj", hiddenSize, intermediateSize, false);
    s.linear(prefix + "mlp.down_proj", intermediateSize, hiddenSize, false);
  }

  /**
   * Runs the layer.
   *
   * @param x the input (B, L, hiddenSize)
   * @param p the weights holding the layer's parameters
   * @param prefix the layer's prefix
   * @param rope cos and sin (1 or B, L, headDim), as {@link #rope} makes them
   * @param causal whether a position sees only itself and earlier ones (else every position sees all)
   * @param scope the manager of the intermediates (keep it open through a backward pass)
   * @return the output (B, L, hiddenSize)
   */
  public NDArray forward(NDArray x, ModelWeights p, String prefix, NDArray[] rope, boolean causal, NDManager scope) {
    long b = x.getShape().get(0);
    long len = x.getShape().get(1);
    int rep = heads / kvHeads;
    NDArray h = rmsNorm(x, f32(p, prefix + "input_layernorm.weight", scope), rmsNormEps);
    NDArray q = heads(linear(h, p, prefix + "self_attn.q_proj", scope), heads);
    NDArray k = heads(linear(h, p, prefix + "self_attn.k_proj", scope), kvHeads);
    NDArray v = heads(linear(h, p, prefix + "self_attn.v_proj", scope), kvHeads);
    NDArray[] r = {rope[0].expandDims(1), rope[1].expandDims(1)};
    q = rotate(q, r);
    k = rotate(k, r);
    if (rep > 1) {
      k = k.expandDims(2).broadcast(b, kvHeads, rep, len, headDim).reshape(b, heads, len, headDim);
      v = v.expandDims(2).broadcast(b, kvHeads, rep, len, headDim).reshape(b, heads, len, headDim);
    }
    NDArray a = (causal ? causalAttention(q, k, v, scope) : attention(q, k, v, null))
        .transpose(0, 2, 1, 3).reshape(b, len, (long) heads * headDim);
    x = x.add(linear(a, p, prefix + "self_attn.o_proj", scope));
    h = rmsNorm(x, f32(p, prefix + "post_attention_layernorm.weight", scope), rmsNormEps);
    NDArray gate = silu(linear(h, p, prefix + "mlp.gate_proj", scope));
    NDArray up = linear(h, p, prefix + "mlp.up_proj", scope);
    return x.add(linear(gate.mul(up), p, prefix + "mlp.down_proj", scope));
  }

  /**
   * Qwen2's rotary cos and sin for positions {@code 0 .. length - 1}: frequency {@code j} of a head is
   * {@code theta^(-2j / headDim)}, repeated over both halves.
   *
   * @param length the sequence length
   * @param headDim the head width (even)
   * @param theta the rotary base
   * @param scope the manager of the result
   * @return cos and sin, each (1, length, headDim)
   */
  public static NDArray[] rope(int length, int headDim, double theta, NDManager scope) {
    int half = headDim / 2;
    float[] cos = new float[length * headDim];
    float[] sin = new float[length * headDim];
    for (int j = 0; j < half; j++) {
      float inv = (float) (1.0 / Math.pow(theta, (float) (2 * j) / headDim));
      for (int i = 0; i < length; i++) {
        float angle = i * inv;
        float c = (float) Math.cos(angle);
        float s = (float) Math.sin(angle);
        cos[i * headDim + j] = c;
        cos[i * headDim + half + j] = c;
        sin[i * headDim + j] = s;
        sin[i * headDim + half + j] = s;
      }
    }
    return new NDArray[] {
      scope.create(cos, new Shape(1, length, headDim)), scope.create(sin, new Shape(1, length, headDim))
    };
  }

  /** (B, L, n * headDim) to (B, n, L, headDim). */
  private NDArray heads(NDArray x, int n) {
    Shape s = x.getShape();
    return x.reshape(s.get(0), s.get(1), n, headDim).transpose(0, 2, 1, 3);
  }

  /** {@code x cos + rotate_half(x) sin} over the last axis. */
  private static NDArray rotate(NDArray x, NDArray[] rope) {
    long d = x.getShape().get(x.getShape().dimension() - 1);
    NDArray x1 = x.get("..., :" + d / 2);
    NDArray x2 = x.get("..., " + d / 2 + ":");
    NDArray rotated = NDArrays.concat(new NDList(x2.neg(), x1), -1);
    return x.mul(rope[0]).add(rotated.mul(rope[1]));
  }

  /** Causal attention in query chunks, each against the keys up to its last query. */
  private static NDArray causalAttention(NDArray q, NDArray k, NDArray v, NDManager scope) {
    int len = (int) q.getShape().get(2);
    NDList parts = new NDList();
    for (int s = 0; s < len; s += QUERY_CHUNK) {
      int e = Math.min(len, s + QUERY_CHUNK);
      float[] mask = new float[(e - s) * e];
      for (int r = s; r < e; r++) {
        for (int c = r + 1; c < e; c++) {
          mask[(r - s) * e + c] = MASKED;
        }
      }
      NDArray bias = scope.create(mask, new Shape(1, 1, e - s, e));
      parts.add(attention(q.get(":, :, " + s + ":" + e), k.get(":, :, :" + e), v.get(":, :, :" + e), bias));
    }
    return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 2);
  }

  private static NDArray attention(NDArray q, NDArray k, NDArray v, NDArray bias) {
    long d = q.getShape().get(q.getShape().dimension() - 1);
    NDArray scores = q.matMul(k.swapAxes(-1, -2)).mul((float) (1 / Math.sqrt(d)));
    if (bias != null) {
      scores = scores.add(bias);
    }
    return scores.softmax(-1).matMul(v);
  }

  private static NDArray f32(ModelWeights p, String name, NDManager scope) {
    NDArray w = p.get(name);
    return w.getDataType() == DataType.FLOAT32 ? w : scope.zeros(new Shape(1)).add(w);
  }

  private static NDArray linear(NDArray x, ModelWeights p, String prefix, NDManager scope) {
    NDArray w = f32(p, prefix + ".weight", scope);
    NDArray bias = p.has(prefix + ".bias") ? f32(p, prefix + ".bias", scope) : null;
    return x.getNDArrayInternal().linear(x, w, bias).singletonOrThrow();
  }
}
