package io.gptedit.models.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.LayerNorm;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The functional layers the models are written with, each the textbook formula on NDArrays.
 *
 * <p>Every operation takes the activation as its first operand, so results attach to the activation's manager
 * (the caller's per-call scope) and never to the parameters' manager.
 *
 * @since 0.1
 */
public final class Layers {
  /** sqrt(2 / pi), the constant of the tanh approximation of GELU. */
  private static final double GELU_TANH_C = Math.sqrt(2 / Math.PI);

  /** At most this many cached constants; beyond it a constant is made per call (as DJL's own scalar ops do). */
  private static final int MAX_CONSTANTS = 4096;

  /** Cached constant arrays: scalars by value, ones and zeros by length; each per device and type. */
  private static final Map<ConstantKey, NDArray> CONSTANTS = new ConcurrentHashMap<>();

  /** The managers that own the cached constants, one per device; never closed. */
  private static final Map<Device, NDManager> CONSTANT_MANAGERS = new ConcurrentHashMap<>();

  private record ConstantKey(Device device, DataType type, char kind, long value) {}

  private Layers() {}

  /**
   * A linear layer {@code x W^T + b} with parameters {@code prefix.weight} and, if declared, {@code prefix.bias}.
   *
   * @param x the input, features last
   * @param p the parameters
   * @param prefix the layer name
   * @return the output, plus the LoRA update when the layer carries an adapter (see
   *     {@link ModelWeights#addLora})
   */
  public static NDArray linear(NDArray x, ModelWeights p, String prefix) {
    NDArray w = p.get(prefix + ".weight");
    NDArray b = p.has(prefix + ".bias") ? p.get(prefix + ".bias") : null;
    NDArray y = x.getNDArrayInternal().linear(x, w, b).singletonOrThrow();
    double lora = p.loraScale(prefix);
    if (lora == 0) {
      return y;
    }
    NDArray down = x.getNDArrayInternal().linear(x, p.get(prefix + ".lora_A.weight"), null).singletonOrThrow();
    NDArray up = down.getNDArrayInternal().linear(down, p.get(prefix + ".lora_B.weight"), null).singletonOrThrow();
    return y.add(up.mul(scalar(up, lora)));
  }

  /**
   * SiLU: {@code x * sigmoid(x)}.
   *
   * @param x the input
   * @return the output
   */
  public static NDArray silu(NDArray x) {
    return x.mul(Activation.sigmoid(x));
  }

  /**
   * GELU with the tanh approximation: {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}, computed as the
   * identical {@code x sigmoid(x (2 sqrt(2/pi) + 2 sqrt(2/pi) 0.044715 x^2))} (since {@code (1 + tanh u) / 2 =
   * sigmoid(2u)}): six elementwise ops, and no power with a tensor exponent, whose backward pass also differentiates
   * the exponent (it cost a third of a small training step).
   *
   * @param x the input
   * @return the output
   */
  public static NDArray geluTanh(NDArray x) {
    NDArray inner = x.square().mul(scalar(x, 2 * GELU_TANH_C * 0.044715)).add(scalar(x, 2 * GELU_TANH_C)).mul(x);
    return x.mul(Activation.sigmoid(inner));
  }

  /**
   * Layer normalisation over the last axis without affine parameters: {@code (x - mean) / sqrt(var + eps)}.
   *
   * @param x the input
   * @param eps the epsilon
   * @return the output
   */
  public static NDArray layerNorm(NDArray x, float eps) {
    // The engine's fused layer norm (one op forward, one backward), with a constant unit scale and zero shift.
    long width = x.getShape().get(x.getShape().dimension() - 1);
    return LayerNorm.layerNorm(x, new Shape(width), filled(x, 'o', width), filled(x, 'z', width), eps)
        .singletonOrThrow();
  }

  /**
   * RMS normalisation over the last axis with a learned scale: {@code x / sqrt(mean(x^2) + eps) * weight}.
   *
   * @param x the input
   * @param weight the scale, shaped like the last axis
   * @param eps the epsilon
   * @return the output
   */
  public static NDArray rmsNorm(NDArray x, NDArray weight, float eps) {
    NDArray ms = x.square().mean(new int[] {-1}, true);
    return x.div(ms.add(scalar(ms, eps)).sqrt()).mul(weight);
  }

  /**
   * Modulation {@code x * (1 + scale) + shift} with per-sample vectors broadcast over the sequence.
   *
   * @param x the input (B, S, D)
   * @param shift the shift (B, D), or (B, 1, D) already shaped to broadcast
   * @param scale the scale, shaped like {@code shift}
   * @return the modulated input
   */
  public static NDArray modulate(NDArray x, NDArray shift, NDArray scale) {
    if (scale.getShape().dimension() == 2) {
      return x.mul(scale.expandDims(1).add(scalar(scale, 1))).add(shift.expandDims(1));
    }
    return x.mul(scale.add(scalar(scale, 1))).add(shift);
  }

  /**
   * A 2-D convolution with parameters {@code prefix.weight} (out, in, k, k) and {@code prefix.bias}.
   *
   * @param x the input (B, C, H, W)
   * @param p the parameters
   * @param prefix the layer name
   * @param stride the stride
   * @param padding zero padding on every side
   * @return the output
   */
  public static NDArray conv2d(NDArray x, ModelWeights p, String prefix, int stride, int padding) {
    return Conv2d.conv2d(
            x,
            p.get(prefix + ".weight"),
            p.get(prefix + ".bias"),
            new Shape(stride, stride),
            new Shape(padding, padding),
            new Shape(1, 1),
            1)
        .singletonOrThrow();
  }

  /**
   * Group normalisation of (B, C, H, W) with learned per-channel {@code prefix.weight} and {@code prefix.bias}.
   *
   * @param x the input
   * @param p the parameters
   * @param prefix the layer name
   * @param groups the number of groups (divides C)
   * @param eps the epsilon
   * @return the output
   */
  public static NDArray groupNorm(NDArray x, ModelWeights p, String prefix, int groups, float eps) {
    Shape s = x.getShape();
    NDArray g = x.reshape(s.get(0), groups, -1);
    NDArray centered = g.sub(g.mean(new int[] {-1}, true));
    NDArray var = centered.square().mean(new int[] {-1}, true);
    NDArray normed = centered.div(var.add(scalar(var, eps)).sqrt()).reshape(s);
    // Channels last so the 1-D affine parameters broadcast without reshaping (a parameter-first op).
    NDArray last = normed.transpose(0, 2, 3, 1);
    return last.mul(p.get(prefix + ".weight")).add(p.get(prefix + ".bias")).transpose(0, 3, 1, 2);
  }

  /**
   * Sinusoidal timestep embedding of dimension {@code dim}, cosine half first, no frequency shift, max period
   * 10000: for {@code j < dim/2}, {@code f_j = exp(-ln(10000) j / (dim/2))} and the row is
   * {@code [cos(t f_j) ; sin(t f_j)]}.
   *
   * @param manager the manager of the result
   * @param timesteps the (already scaled) timesteps, one per sample
   * @param dim the embedding dimension (even)
   * @return a (B, dim) array
   */
  public static NDArray timestepEmbedding(NDManager manager, float[] timesteps, int dim) {
    int half = dim / 2;
    float[] out = new float[timesteps.length * dim];
    for (int b = 0; b < timesteps.length; b++) {
      for (int j = 0; j < half; j++) {
        // Mirror the reference's float32 arithmetic: exponent and product are rounded to float.
        float exponent = (float) (-Math.log(10000.0)) * j / half;
        float freq = (float) Math.exp(exponent);
        float arg = timesteps[b] * freq;
        out[b * dim + j] = (float) Math.cos(arg);
        out[b * dim + half + j] = (float) Math.sin(arg);
      }
    }
    return manager.create(out, new Shape(timesteps.length, dim));
  }

  /**
   * Scaled dot-product attention over (B, H, S, D) arrays, computed over query chunks so that the score matrix
   * never exceeds {@code queryChunk} rows.
   *
   * @param q queries (B, H, Sq, D)
   * @param k keys (B, H, Sk, D)
   * @param v values (B, H, Sk, D)
   * @param queryChunk the largest number of query rows per score matrix
   * @return the attention output (B, H, Sq, D)
   */
  public static NDArray attention(NDArray q, NDArray k, NDArray v, int queryChunk) {
    long sq = q.getShape().get(2);
    // The scale goes on the queries (Sq x D values per head), not on the scores (Sq x Sk): the same product up to
    // float rounding (exactly the same where 1/sqrt(D) is a power of two), at a fraction of the elementwise work
    // forward and backward.
    NDArray qs = q.mul(scalar(q, 1.0 / Math.sqrt(q.getShape().get(3))));
    NDArray kt = k.swapAxes(2, 3);
    if (sq <= queryChunk) {
      return qs.matMul(kt).softmax(-1).matMul(v);
    }
    NDList parts = new NDList();
    for (long start = 0; start < sq; start += queryChunk) {
      long end = Math.min(sq, start + queryChunk);
      NDArray qc = qs.get(":, :, " + start + ":" + end + ", :");
      parts.add(qc.matMul(kt).softmax(-1).matMul(v));
    }
    return NDArrays.concat(parts, 2);
  }

  /**
   * Returns a constant scalar operand for arithmetic with {@code like} (its device and type), cached for the life of
   * the process. Use it as the second operand ({@code x.mul(scalar(x, 0.5))}), so that the result belongs to
   * {@code x}'s manager. Two reasons not to use DJL's {@code mul(Number)}: it makes the scalar from Java memory for
   * every call (about 6 microseconds, more than the op on a small tensor), and it closes it right after the op,
   * although autograd may have saved it for the backward pass (nondeterministic NaN or wrong gradients). The
   * cached constant lives as long as the process, so autograd may keep it. The value is rounded to the type of
   * {@code like}, which is what the engine does with a scalar operand anyway.
   *
   * @param like an array of the device and type the operand is for
   * @param value the value
   * @return a 0-dimensional array; never close it
   */
  public static NDArray scalar(NDArray like, double value) {
    return constant(like, 's', Double.doubleToLongBits(value), value);
  }

  /** Cached ones ({@code kind = 'o'}) or zeros ({@code 'z'}) of length {@code width}, on like's device and type. */
  private static NDArray filled(NDArray like, char kind, long width) {
    return constant(like, kind, width, kind == 'o' ? 1 : 0);
  }

  private static NDArray constant(NDArray like, char kind, long key, double value) {
    ConstantKey k = new ConstantKey(like.getDevice(), like.getDataType(), kind, key);
    NDArray c = CONSTANTS.get(k);
    if (c != null) {
      return c;
    }
    if (CONSTANTS.size() >= MAX_CONSTANTS) {
      return make(like.getManager(), like, kind, key, value); // lives with like's manager
    }
    NDManager owner =
        CONSTANT_MANAGERS.computeIfAbsent(like.getDevice(), d -> NDManager.newBaseManager(d));
    return CONSTANTS.computeIfAbsent(k, x -> make(owner, like, kind, key, value));
  }

  private static NDArray make(NDManager owner, NDArray like, char kind, long key, double value) {
    if (kind == 's') {
      // Made from Java memory, then copied into the engine's own memory: the result may be closed (with like's
      // manager, when the cache is full) while autograd still holds it.
      NDArray wide = owner.create(value);
      NDArray c = wide.toType(like.getDataType(), true);
      wide.close();
      return c;
    }
    return owner.full(new Shape(key), (float) value, like.getDataType());
  }
}
