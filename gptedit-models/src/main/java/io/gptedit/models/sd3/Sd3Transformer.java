package io.gptedit.models.sd3;

import static io.gptedit.models.nn.Layers.geluTanh;
import static io.gptedit.models.nn.Layers.layerNorm;
import static io.gptedit.models.nn.Layers.linear;
import static io.gptedit.models.nn.Layers.modulate;
import static io.gptedit.models.nn.Layers.silu;
import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.gptedit.models.nn.ActivationCheckpointing;
import io.gptedit.models.nn.DeviceException;
import io.gptedit.models.nn.Devices;
import io.gptedit.models.nn.Layers;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.nn.ParameterSpec;
import io.gptedit.models.nn.WeightLoadException;
import io.gptedit.models.safetensors.SafetensorsFile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SD3 MMDiT (diffusers {@code SD3Transformer2DModel}, SD3-Medium: no QK norm): a patch embedding plus a 2-D
 * sin-cos position embedding cropped from the centre of a {@code posEmbedMaxSize} grid, joint-attention blocks
 * with AdaLayerNorm-Zero on both streams (the last block is context-pre-only: its text stream takes an
 * AdaLayerNorm-Continuous and is not updated), and an AdaLayerNorm-Continuous output with unpatchify in
 * (p, q, c) order.
 *
 * <p>{@link #forward} takes sigma in [0, 1] and embeds {@code sigma * 1000}, the timestep SD3 was trained with.
 *
 * @since 0.1
 */
public final class Sd3Transformer implements AutoCloseable {
  /** The position-embedding buffer that diffusers checkpoints store; recomputed here, so ignored on load. */
  private static final String POS_EMBED_BUFFER = "pos_embed.pos_embed";

  private final Sd3Config config;
  private final ModelWeights params;
  private boolean checkpointing;

  /**
   * Wraps parameters that match a config.
   *
   * @param config the hyper-parameters
   * @param params parameters declared by {@link #spec(Sd3Config)}
   */
  public Sd3Transformer(Sd3Config config, ModelWeights params) {
    this.config = requireNonNull(config, "config");
    this.params = requireNonNull(params, "params");
  }

  /**
   * Creates a model with seeded random weights.
   *
   * @param config the hyper-parameters
   * @param seed the seed
   * @return the model
   */
  public static Sd3Transformer random(Sd3Config config, long seed) {
    return random(config, seed, Devices.defaultDevice());
  }

  /**
   * Creates a model with seeded random weights on a device (the same values on every device).
   *
   * @param config the hyper-parameters
   * @param seed the seed
   * @param device where the weights live ({@link Devices#require checked} first)
   * @return the model
   * @throws DeviceException if the engine does not have the device
   */
  public static Sd3Transformer random(Sd3Config config, long seed, Device device) {
    return new Sd3Transformer(config, ModelWeights.random(spec(config), seed, device));
  }

  /**
   * Loads a model from diffusers-named shards; only the stored position-embedding buffer may be extra.
   *
   * @param config the hyper-parameters
   * @param shards the shards
   * @param prefix the key prefix
   * @return the model
   * @throws WeightLoadException if tensors are missing, unexpected or misshapen
   */
  public static Sd3Transformer load(Sd3Config config, List<SafetensorsFile> shards, String prefix) {
    return load(config, shards, prefix, Devices.defaultDevice());
  }

  /**
   * Loads a model like {@link #load(Sd3Config, List, String)} onto a device.
   *
   * @param config the hyper-parameters
   * @param shards the shards
   * @param prefix the key prefix
   * @param device where the weights live ({@link Devices#require checked} first)
   * @return the model
   * @throws DeviceException if the engine does not have the device (before any tensor is read)
   * @throws WeightLoadException if tensors are missing, unexpected or misshapen
   */
  public static Sd3Transformer load(Sd3Config config, List<SafetensorsFile> shards, String prefix, Device device) {
    ModelWeights p = ModelWeights.load(spec(config), shards, prefix, false, 0, DataType.FLOAT32, device);
    List<String> unexpected = p.loadReport().unexpected().stream().filter(n -> !n.equals(POS_EMBED_BUFFER)).toList();
    if (!p.loadReport().missing().isEmpty() || !unexpected.isEmpty()) {
      p.close();
      throw new WeightLoadException(
          "SD3 checkpoint does not match: missing " + p.loadReport().missing() + ", unexpected " + unexpected);
    }
    return new Sd3Transformer(config, p);
  }

  /**
   * Declares every parameter in diffusers naming.
   *
   * @param c the config
   * @return the spec
   */
  public static ParameterSpec spec(Sd3Config c) {
    long d = c.hidden();
    ParameterSpec s = new ParameterSpec();
    s.conv("pos_embed.proj", c.inChannels(), d, c.patchSize());
    s.linear("time_text_embed.timestep_embedder.linear_1", 256, d, true);
    s.linear("time_text_embed.timestep_embedder.linear_2", d, d, true);
    s.linear("time_text_embed.text_embedder.linear_1", c.pooledProjectionDim(), d, true);
    s.linear("time_text_embed.text_embedder.linear_2", d, d, true);
    s.linear("context_embedder", c.jointAttentionDim(), c.captionProjectionDim(), true);
    for (int i = 0; i < c.layers(); i++) {
      String b = "transformer_blocks." + i + ".";
      boolean pre = i == c.layers() - 1;
      s.linear(b + "norm1.linear", d, 6 * d, true);
      s.linear(b + "norm1_context.linear", d, (pre ? 2 : 6) * d, true);
      for (String proj : List.of("to_q", "to_k", "to_v", "add_q_proj", "add_k_proj", "add_v_proj", "to_out.0")) {
        s.linear(b + "attn." + proj, d, d, true);
      }
      s.linear(b + "ff.net.0.proj", d, 4 * d, true);
      s.linear(b + "ff.net.2", 4 * d, d, true);
      if (!pre) {
        s.linear(b + "attn.to_add_out", d, d, true);
        s.linear(b + "ff_context.net.0.proj", d, 4 * d, true);
        s.linear(b + "ff_context.net.2", 4 * d, d, true);
      }
    }
    s.linear("norm_out.linear", d, 2 * d, true);
    s.linear("proj_out", d, (long) c.patchSize() * c.patchSize() * c.outChannels(), true);
    return s;
  }

  /**
   * Returns the config.
   *
   * @return the config
   */
  public Sd3Config config() {
    return config;
  }

  /**
   * Returns the parameters.
   *
   * @return the store
   */
  public ModelWeights parameters() {
    return params;
  }

  /**
   * The cropped 2-D sin-cos position embedding for a patch grid, as diffusers builds it: positions scaled by
   * {@code (sampleSize / patch) / posEmbedMaxSize}, the first half of the channels from the column coordinate
   * and the second half from the row coordinate, each {@code [sin ; cos]} with frequencies
   * {@code 10000^(-j / (D/4))}; the grid is cut from the centre of the full one.
   *
   * @param rows patch rows
   * @param cols patch columns
   * @return {@code rows * cols} rows of D values
   */
  public float[][] positionEmbedding(int rows, int cols) {
    int max = config.posEmbedMaxSize();
    if (rows > max || cols > max) {
      throw new IllegalArgumentException("patch grid " + rows + "x" + cols + " exceeds the " + max + " grid");
    }
    int d = config.hidden();
    double base = (double) config.sampleSize() / config.patchSize();
    int top = (max - rows) / 2;
    int left = (max - cols) / 2;
    float[][] out = new float[rows * cols][d];
    int quarter = d / 4;
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        double rowPos = (top + r) / (max / base);
        double colPos = (left + c) / (max / base);
        float[] e = out[r * cols + c];
        for (int j = 0; j < quarter; j++) {
          double omega = 1.0 / Math.pow(10000, (double) j / quarter);
          e[j] = (float) Math.sin(colPos * omega);
          e[quarter + j] = (float) Math.cos(colPos * omega);
          e[2 * quarter + j] = (float) Math.sin(rowPos * omega);
          e[3 * quarter + j] = (float) Math.cos(rowPos * omega);
        }
      }
    }
    return out;
  }

  /**
   * Predicts the velocity.
   *
   * @param latents (B, inChannels, H, W) latents (noisy, plus source channels for InstructPix2Pix)
   * @param text (B, L, jointAttentionDim) text tokens
   * @param pooled (B, pooledProjectionDim) pooled text
   * @param sigmas flow time in [0, 1] per sample
   * @param out the manager of the result
   * @return (B, outChannels, H, W)
   */
  public NDArray forward(NDArray latents, NDArray text, NDArray pooled, float[] sigmas, NDManager out) {
    if (params.asMap().values().stream().anyMatch(NDArray::hasGradient)) {
      // Training: autograd keeps intermediates for the backward pass, among them arrays made from Java memory (the
      // position and timestep tables), so what is made outside the blocks is not closed before it: the scope is a
      // child of out and closes with it. Each block's own arrays go with its scope (as in FluxTransformer).
      NDManager scope = out.newSubManager();
      NDArray result = forwardInScope(latents, text, pooled, sigmas, scope, checkpointing);
      result.attach(out);
      return result;
    }
    try (NDManager scope = out.newSubManager()) {
      new NDList(latents, text, pooled).tempAttach(scope);
      NDArray result = forwardInScope(latents, text, pooled, sigmas, scope, false);
      result.attach(out);
      return result;
    }
  }

  /**
   * Returns this transformer over other arrays for some or all of its parameters, such as a trainer's float16
   * compute copies ({@code FineTuner.StepContext.parameters()}), as {@code FluxTransformer.withParameters} does:
   * same config and checkpointing setting; closing the result closes nothing.
   *
   * @param replacements arrays by parameter name (same shapes)
   * @return the transformer over {@link ModelWeights#withValues the view}
   * @throws IllegalArgumentException if a name is unknown or a shape differs
   */
  public Sd3Transformer withParameters(Map<String, NDArray> replacements) {
    Sd3Transformer t = new Sd3Transformer(config, params.withValues(replacements));
    t.checkpointing = checkpointing;
    return t;
  }

  /**
   * Switches block-wise activation checkpointing on or off for training forward passes, as {@code
   * FluxTransformer.setActivationCheckpointing} does: the joint blocks run without recording and are recomputed
   * one at a time in the backward pass ({@link ActivationCheckpointing#backward}, which {@code FineTuner} uses).
   *
   * @param on whether to checkpoint
   */
  public void setActivationCheckpointing(boolean on) {
    this.checkpointing = on;
  }

  private NDArray forwardInScope(
      NDArray latents, NDArray text, NDArray pooled, float[] sigmas, NDManager scope, boolean ckpt) {
    Shape s = latents.getShape();
    int p = config.patchSize();
    int rows = (int) s.get(2) / p;
    int cols = (int) s.get(3) / p;
    long d = config.hidden();
    // The patch embedding, a p x p convolution with stride p, is a linear map of each patch's values in (c, i, j)
    // order, run as one: the engine's convolution kernel allocated several MB per sample whenever a step ran at a
    // new batch shape (measured: docs/benchmarks.md), and SiglipVisionTower embeds its patches the same way.
    long channels = s.get(1);
    NDArray patches = latents.reshape(s.get(0), channels, rows, p, cols, p).transpose(0, 2, 4, 1, 3, 5)
        .reshape(s.get(0), (long) rows * cols, channels * p * p);
    NDArray proj = params.get("pos_embed.proj.weight");
    // reshaped as a copy in the step's scope: a view would belong to the parameters' manager, which is capped
    NDArray w = scope.zeros(new Shape(1), proj.getDataType()).add(proj).reshape(d, channels * p * p);
    NDArray x = patches.getNDArrayInternal().linear(patches, w, params.get("pos_embed.proj.bias")).singletonOrThrow();
    float[][] pe = positionEmbedding(rows, cols);
    float[] flat = new float[rows * cols * (int) d];
    for (int i = 0; i < pe.length; i++) {
      System.arraycopy(pe[i], 0, flat, i * (int) d, (int) d);
    }
    x = x.add(computeType(scope.create(flat, new Shape(1, (long) rows * cols, d))));

    float[] t = new float[sigmas.length];
    for (int i = 0; i < t.length; i++) {
      t[i] = sigmas[i] * 1000f;
    }
    NDArray temb = mlp2(computeType(Layers.timestepEmbedding(scope, t, 256)), "time_text_embed.timestep_embedder");
    temb = temb.add(mlp2(pooled, "time_text_embed.text_embedder"));
    NDArray ctx = linear(text, params, "context_embedder");

    if (ckpt) {
      NDArray[] leaves = checkpointedBlocks(x, ctx, temb, scope);
      x = leaves[0];
      temb = leaves[1];
    } else {
      // Each block runs in a scope closed after it, in training too (as in FluxTransformer): the engine keeps what
      // autograd saved and frees the rest; inside a block every array is an op's result.
      for (int i = 0; i < config.layers(); i++) {
        NDArray[] r = blockInScope(i, x, ctx, temb, scope);
        x = r[0];
        ctx = r[1];
      }
    }
    NDList scaleShift = linear(silu(temb), params, "norm_out.linear").split(2, 1);
    x = modulate(layerNorm(x, Sd3Config.EPS), scaleShift.get(1), scaleShift.get(0));
    x = linear(x, params, "proj_out"); // (B, N, p*p*C) in (p, q, c) order
    long c = config.outChannels();
    return x.reshape(s.get(0), rows, cols, p, p, c).transpose(0, 5, 1, 3, 2, 4).reshape(s.get(0), c, s.get(2), s.get(3));
  }

  /**
   * Joint block {@code i} in a scope of its own, closed after it: its two output streams join {@code scope}, its
   * other arrays are freed (what autograd saved stays alive in the engine). The inputs and {@code temb} join the block
   * for the call, so the modulation vectors made from temb close with it; they go back when it closes.
   */
  private NDArray[] blockInScope(int i, NDArray x, NDArray ctx, NDArray temb, NDManager scope) {
    try (NDManager block = scope.newSubManager()) {
      new NDList(x, ctx, temb).tempAttach(block);
      NDArray[] r = block("transformer_blocks." + i + ".", x, ctx, temb, i == config.layers() - 1);
      r[0].attach(scope);
      r[1].attach(scope);
      return r;
    }
  }

  /**
   * Runs the joint blocks without recording, keeping each block's inputs, and defers their recomputation; returns
   * the leaves the output layer reads: the last block's image stream and temb (whose gradient collects the output
   * layer's and every block's share before the embeddings are back-propagated once).
   */
  private NDArray[] checkpointedBlocks(NDArray x0, NDArray ctx0, NDArray temb0, NDManager scope) {
    int layers = config.layers();
    List<NDArray[]> inputs = new ArrayList<>();
    NDArray xEnd =
        ActivationCheckpointing.withoutRecording(
            params.asMap().values(),
            () -> {
              NDArray temb = temb0.stopGradient();
              NDArray x = x0.stopGradient();
              NDArray ctx = ctx0.stopGradient();
              for (int i = 0; i < layers; i++) {
                inputs.add(new NDArray[] {x, ctx});
                NDArray[] r = blockInScope(i, x, ctx, temb, scope);
                x = r[0];
                ctx = r[1];
              }
              return x;
            });
    NDArray bodyOut = xEnd.stopGradient();
    bodyOut.setRequiresGradient(true);
    NDArray tembLeaf = temb0.stopGradient();
    tembLeaf.setRequiresGradient(true);
    ActivationCheckpointing.defer(
        gc -> {
          NDArray gx = ActivationCheckpointing.gradientOrNull(bodyOut);
          NDArray gctx = null; // the last block does not update the text stream, and nothing reads it after
          for (int i = layers - 1; i >= 0; i--) {
            NDArray[] in = inputs.get(i);
            try (NDManager block = scope.newSubManager()) {
              NDArray x = in[0].stopGradient();
              NDArray ctx = in[1].stopGradient();
              x.attach(block);
              ctx.attach(block);
              x.setRequiresGradient(true);
              ctx.setRequiresGradient(true);
              // The modulation vectors made from temb close with the block (its gradient stays on the leaf).
              tembLeaf.tempAttach(block);
              NDArray[] r = block("transformer_blocks." + i + ".", x, ctx, tembLeaf, i == layers - 1);
              Map<NDArray, NDArray> up = new LinkedHashMap<>();
              up.put(r[0], gx);
              if (i < layers - 1) {
                up.put(r[1], gctx);
              }
              ActivationCheckpointing.backwardWith(gc, up);
              // This block's upstream gradients and saved inputs are spent: release them now rather than with
              // the step, so that the backward pass holds one gradient and the remaining blocks' inputs.
              if (i < layers - 1) {
                gx.close();
                gctx.close();
              }
              gx = ActivationCheckpointing.gradientOrNull(x);
              gctx = ActivationCheckpointing.gradientOrNull(ctx);
              gx.attach(scope);
              gctx.attach(scope);
            }
            if (i > 0) { // block 0's inputs are views of the recorded embeddings, closed with the step
              in[0].close();
              in[1].close();
            }
          }
          Map<NDArray, NDArray> head = new LinkedHashMap<>();
          head.put(x0, gx);
          head.put(ctx0, gctx);
          head.put(temb0, ActivationCheckpointing.gradientOrNull(tembLeaf));
          ActivationCheckpointing.backwardWith(gc, head);
        },
        scope);
    return new NDArray[] {bodyOut, tembLeaf};
  }

  /** Casts a table made in float32 from Java values to the weights' type (FLOAT16 weights compute in float16). */
  private NDArray computeType(NDArray table) {
    DataType type = params.get("context_embedder.weight").getDataType();
    if (table.getDataType() == type) {
      return table;
    }
    NDArray cast = ModelWeights.convertGuarded(table, type);
    cast.attach(table.getManager());
    return cast;
  }

  private NDArray mlp2(NDArray x, String p) {
    return linear(silu(linear(x, params, p + ".linear_1")), params, p + ".linear_2");
  }

  private NDArray heads(NDArray x) {
    Shape s = x.getShape();
    return x.reshape(s.get(0), s.get(1), config.heads(), config.headDim()).transpose(0, 2, 1, 3);
  }

  private NDArray ff(NDArray x, String net) {
    return linear(geluTanh(linear(x, params, net + ".0.proj")), params, net + ".2");
  }

  private NDArray[] block(String b, NDArray x, NDArray ctx, NDArray temb, boolean contextPreOnly) {
    NDList m = linear(silu(temb), params, b + "norm1.linear").split(6, 1);
    NDList mc = linear(silu(temb), params, b + "norm1_context.linear").split(contextPreOnly ? 2 : 6, 1);
    NDArray h = modulate(layerNorm(x, Sd3Config.EPS), m.get(0), m.get(1));
    NDArray ch =
        contextPreOnly
            ? modulate(layerNorm(ctx, Sd3Config.EPS), mc.get(1), mc.get(0)) // continuous: (scale, shift)
            : modulate(layerNorm(ctx, Sd3Config.EPS), mc.get(0), mc.get(1));
    String a = b + "attn.";
    long n = x.getShape().get(1);
    NDArray q = heads(linear(h, params, a + "to_q")).concat(heads(linear(ch, params, a + "add_q_proj")), 2);
    NDArray k = heads(linear(h, params, a + "to_k")).concat(heads(linear(ch, params, a + "add_k_proj")), 2);
    NDArray v = heads(linear(h, params, a + "to_v")).concat(heads(linear(ch, params, a + "add_v_proj")), 2);
    NDArray o = Layers.attention(q, k, v, 1024);
    Shape os = o.getShape();
    o = o.transpose(0, 2, 1, 3).reshape(os.get(0), os.get(2), os.get(1) * os.get(3));
    NDArray imgAttn = linear(o.get(":, :" + n + ", :"), params, a + "to_out.0");
    x = x.add(imgAttn.mul(m.get(2).expandDims(1)));
    x = x.add(ff(modulate(layerNorm(x, Sd3Config.EPS), m.get(3), m.get(4)), b + "ff.net").mul(m.get(5).expandDims(1)));
    if (contextPreOnly) {
      return new NDArray[] {x, ctx};
    }
    NDArray ctxAttn = linear(o.get(":, " + n + ":, :"), params, a + "to_add_out");
    ctx = ctx.add(ctxAttn.mul(mc.get(2).expandDims(1)));
    NDArray cff = ff(modulate(layerNorm(ctx, Sd3Config.EPS), mc.get(3), mc.get(4)), b + "ff_context.net");
    ctx = ctx.add(cff.mul(mc.get(5).expandDims(1)));
    return new NDArray[] {x, ctx};
  }

  @Override
  public void close() {
    params.close();
  }
}
