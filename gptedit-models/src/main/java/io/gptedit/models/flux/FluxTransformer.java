package io.gptedit.models.flux;

import static io.gptedit.models.nn.Layers.geluTanh;
import static io.gptedit.models.nn.Layers.layerNorm;
import static io.gptedit.models.nn.Layers.linear;
import static io.gptedit.models.nn.Layers.modulate;
import static io.gptedit.models.nn.Layers.rmsNorm;
import static io.gptedit.models.nn.Layers.silu;
import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.gptedit.models.nn.ActivationCheckpointing;
import io.gptedit.models.nn.DeviceException;
import io.gptedit.models.nn.Devices;
import io.gptedit.models.nn.Layers;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.nn.ParameterSpec.Init;
import io.gptedit.models.nn.ParameterSpec;
import io.gptedit.models.nn.Rope;
import io.gptedit.models.nn.WeightLoadException;
import io.gptedit.models.safetensors.SafetensorsFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The FLUX.1 transformer (diffusers {@code FluxTransformer2DModel}): embeddings, double-stream (MMDiT) blocks over
 * separate text and image streams with joint attention, single-stream blocks over {@code [text ; image]}, and the
 * AdaLayerNorm-Continuous output layer. Parameters use the diffusers names, so real checkpoints load directly.
 *
 * <p>Each {@link #forward} runs in its own sub-manager of the caller's manager and returns only the result; the
 * parameters are never used as the first operand of an op, so nothing attaches to (and leaks into) the
 * parameters' manager.
 *
 * @since 0.1
 */
public final class FluxTransformer implements AutoCloseable {
  /** Query rows per attention score matrix: bounds memory for 1024x1024 Kontext (about 8.7k tokens). */
  public static final int DEFAULT_QUERY_CHUNK = 1024;

  /** The largest finite float16 value, the bound of {@link #fp16Guard}. */
  private static final float FP16_MAX = 65504f;

  private final FluxConfig config;
  private final ModelWeights params;
  private int queryChunk = DEFAULT_QUERY_CHUNK;
  private boolean checkpointing;

  /**
   * Wraps parameters that match a config.
   *
   * @param config the hyper-parameters
   * @param params parameters declared by {@link #spec(FluxConfig)}
   */
  public FluxTransformer(FluxConfig config, ModelWeights params) {
    this.config = requireNonNull(config, "config");
    this.params = requireNonNull(params, "params");
  }

  /**
   * Creates a model with seeded random weights.
   *
   * @param config the hyper-parameters
   * @param seed the weight seed
   * @return the model
   */
  public static FluxTransformer random(FluxConfig config, long seed) {
    return random(config, seed, Devices.defaultDevice());
  }

  /**
   * Creates a model with seeded random weights on a device (the same values on every device).
   *
   * @param config the hyper-parameters
   * @param seed the weight seed
   * @param device where the weights live ({@link Devices#require checked} first)
   * @return the model
   * @throws DeviceException if the engine does not have the device
   */
  public static FluxTransformer random(FluxConfig config, long seed, Device device) {
    return new FluxTransformer(config, ModelWeights.random(spec(config), seed, device));
  }

  /**
   * Loads a model from safetensors shards, strictly: diffusers naming loads directly; Black Forest Labs'
   * original naming (fused {@code qkv}, {@code img_attn}, {@code single_blocks.N.linear1}, ...) is converted.
   *
   * @param config the hyper-parameters
   * @param shards the checkpoint shards
   * @param prefix the key prefix ({@code ""} for a plain diffusers transformer, {@code denoise_tower.denoiser.}
   *     for the paper's released checkpoint)
   * @return the model
   * @throws WeightLoadException if the naming is not recognised, or tensors are missing, unexpected or misshapen
   */
  public static FluxTransformer load(FluxConfig config, List<SafetensorsFile> shards, String prefix) {
    return load(config, shards, prefix, Devices.defaultDevice());
  }

  /**
   * Loads a model like {@link #load(FluxConfig, List, String)} onto a device.
   *
   * @param config the hyper-parameters
   * @param shards the checkpoint shards
   * @param prefix the key prefix
   * @param device where the weights live ({@link Devices#require checked} first)
   * @return the model
   * @throws DeviceException if the engine does not have the device (before any tensor is read)
   * @throws WeightLoadException if the naming is not recognised, or tensors are missing, unexpected or misshapen
   */
  public static FluxTransformer load(FluxConfig config, List<SafetensorsFile> shards, String prefix, Device device) {
    Devices.require(device);
    FluxCheckpointFormat format = FluxCheckpointFormat.detect(shards, prefix);
    return switch (format) {
      case DIFFUSERS -> new FluxTransformer(
          config, ModelWeights.load(spec(config), shards, prefix, true, 0, DataType.FLOAT32, device));
      case BFL_ORIGINAL -> new FluxTransformer(config, BflFluxNames.load(config, shards, prefix, device));
      case UNKNOWN -> throw new WeightLoadException(format.rejection(shards));
    };
  }

  /**
   * Declares every parameter of a config in diffusers naming.
   *
   * @param c the config
   * @return the parameter spec
   */
  public static ParameterSpec spec(FluxConfig c) {
    long d = c.hidden();
    long mlp = d * c.mlpRatio();
    ParameterSpec s = new ParameterSpec();
    s.linear("x_embedder", c.inChannels(), d, true);
    s.linear("context_embedder", c.jointAttentionDim(), d, true);
    s.linear("time_text_embed.timestep_embedder.linear_1", FluxConfig.TIMESTEP_PROJECTION_DIM, d, true);
    s.linear("time_text_embed.timestep_embedder.linear_2", d, d, true);
    if (c.guidanceEmbeds()) {
      s.linear("time_text_embed.guidance_embedder.linear_1", FluxConfig.TIMESTEP_PROJECTION_DIM, d, true);
      s.linear("time_text_embed.guidance_embedder.linear_2", d, d, true);
    }
    s.linear("time_text_embed.text_embedder.linear_1", c.pooledProjectionDim(), d, true);
    s.linear("time_text_embed.text_embedder.linear_2", d, d, true);
    for (int i = 0; i < c.numLayers(); i++) {
      String b = "transformer_blocks." + i + ".";
      s.linear(b + "norm1.linear", d, 6 * d, true);
      s.linear(b + "norm1_context.linear", d, 6 * d, true);
      for (String proj : List.of("to_q", "to_k", "to_v", "add_q_proj", "add_k_proj", "add_v_proj")) {
        s.linear(b + "attn." + proj, d, d, true);
      }
      for (String norm : List.of("norm_q", "norm_k", "norm_added_q", "norm_added_k")) {
        s.add(b + "attn." + norm + ".weight", Init.NEAR_ONE, c.headDim());
      }
      s.linear(b + "attn.to_out.0", d, d, true);
      s.linear(b + "attn.to_add_out", d, d, true);
      s.linear(b + "ff.net.0.proj", d, mlp, true);
      s.linear(b + "ff.net.2", mlp, d, true);
      s.linear(b + "ff_context.net.0.proj", d, mlp, true);
      s.linear(b + "ff_context.net.2", mlp, d, true);
    }
    for (int i = 0; i < c.numSingleLayers(); i++) {
      String b = "single_transformer_blocks." + i + ".";
      s.linear(b + "norm.linear", d, 3 * d, true);
      for (String proj : List.of("to_q", "to_k", "to_v")) {
        s.linear(b + "attn." + proj, d, d, true);
      }
      s.add(b + "attn.norm_q.weight", Init.NEAR_ONE, c.headDim());
      s.add(b + "attn.norm_k.weight", Init.NEAR_ONE, c.headDim());
      s.linear(b + "proj_mlp", d, mlp, true);
      s.linear(b + "proj_out", d + mlp, d, true);
    }
    s.linear("norm_out.linear", d, 2 * d, true);
    s.linear("proj_out", d, c.outChannels(), true);
    return s;
  }

  /**
   * Returns the config.
   *
   * @return the config
   */
  public FluxConfig config() {
    return config;
  }

  /**
   * Returns the parameters.
   *
   * @return the parameter store
   */
  public ModelWeights parameters() {
    return params;
  }

  /**
   * Returns this transformer over other arrays for some or all of its parameters, such as a trainer's float16
   * compute copies: {@code model.withParameters(ctx.parameters())} inside a {@code FineTuner} loss runs the
   * transformer in the trainer's precision, so gradients reach the trainer's copies. Same config, query chunk and
   * checkpointing setting; closing the result closes nothing.
   *
   * @param replacements arrays by parameter name (same shapes)
   * @return the transformer over {@link ModelWeights#withValues the view}
   */
  public FluxTransformer withParameters(Map<String, NDArray> replacements) {
    FluxTransformer t = new FluxTransformer(config, params.withValues(replacements));
    t.queryChunk = queryChunk;
    t.checkpointing = checkpointing;
    return t;
  }

  /**
   * Sets how many query rows one attention score matrix may have.
   *
   * @param rows at least 1
   */
  public void setQueryChunk(int rows) {
    if (rows < 1) {
      throw new IllegalArgumentException("query chunk must be >= 1, got " + rows);
    }
    this.queryChunk = rows;
  }

  /**
   * Switches block-wise activation checkpointing on or off for training forward passes (those where a parameter
   * requires gradients; inference is unaffected). When on, the double and single blocks run without recording and
   * keep only their inputs; the backward pass recomputes one block at a time (see {@link ActivationCheckpointing}),
   * so the loss must be back-propagated with {@link ActivationCheckpointing#backward} ({@code FineTuner} does).
   * Gradients equal the plain pass's up to float rounding.
   *
   * @param on whether to checkpoint
   */
  public void setActivationCheckpointing(boolean on) {
    this.checkpointing = on;
  }

  /**
   * Returns whether training forward passes checkpoint their blocks.
   *
   * @return true if {@link #setActivationCheckpointing} switched it on
   */
  public boolean activationCheckpointing() {
    return checkpointing;
  }

  /**
   * Predicts the flow-matching velocity for the image tokens.
   *
   * @param in the inputs
   * @param out the manager that will own the result (when a parameter requires gradients, also the intermediate
   *     arrays made outside the blocks, which the backward pass may read, so close it only after the backward pass)
   * @return the velocity (B, image tokens, outChannels)
   */
  public NDArray forward(FluxInput in, NDManager out) {
    if (params.asMap().values().stream().anyMatch(NDArray::hasGradient)) {
      // Training: autograd saves intermediate tensors for the backward pass, among them arrays DJL made from Java
      // memory (RoPE tables, timestep features) that a closed array no longer keeps alive. So what is made outside
      // the blocks is not closed before the backward pass: the scope is a child of out and closes with it. A
      // block's own arrays are all the engine's results, so its scope closes after it (see forwardInScope).
      NDManager scope = out.newSubManager();
      NDArray result = checkpointing ? forwardCheckpointed(in, scope) : forwardInScope(in, scope);
      result.attach(out);
      return result;
    }
    try (NDManager scope = out.newSubManager()) {
      // Inputs join the scope for the call (ops attach to their first operand's manager) and go back after.
      new NDList(in.hidden(), in.encoderHidden(), in.pooled()).tempAttach(scope);
      NDArray result = forwardInScope(in, scope);
      result.attach(out);
      return result;
    }
  }

  /**
   * Runs the transformer with every intermediate outside the blocks owned by {@code scope}. Each block runs in a
   * sub-scope that is closed after it, so the allocator reuses the same memory block to block instead of taking
   * fresh memory for every intermediate. That holds in training too: closing an array releases Java's handle, while
   * a tensor autograd saved for the backward pass stays alive in the engine, so only what the backward pass does
   * not read is freed early (as PyTorch frees an intermediate when its last reference goes). Inside a block every
   * array is an op's result; the arrays made from Java memory (RoPE tables, timestep features) are made here, in
   * {@code scope}, and constant operands are cached for the process ({@link Layers#scalar}).
   */
  private NDArray forwardInScope(FluxInput in, NDManager scope) {
    long txtLen = in.textIds().length;
    NDArray hidden = linear(in.hidden(), params, "x_embedder");
    NDArray context = linear(in.encoderHidden(), params, "context_embedder");
    NDArray temb = silu(timeTextEmbedding(in, scope)); // every block and the output read silu(temb)
    NDArray[] rope = rope(in, scope);
    FluxConfig c = config;
    for (int i = 0; i < c.numLayers(); i++) {
      NDArray[] streams = doubleBlockInScope(i, hidden, context, temb, rope, scope);
      hidden = streams[0];
      context = streams[1];
    }
    NDArray joint = context.concat(hidden, 1);
    for (int i = 0; i < c.numSingleLayers(); i++) {
      joint = singleBlockInScope(i, joint, temb, rope, scope);
    }
    return output(joint, temb, txtLen);
  }

  /**
   * The final AdaLayerNorm-Continuous and projection over the image tokens of the joint sequence; {@code siluTemb}
   * is {@code silu(temb)}.
   */
  private NDArray output(NDArray joint, NDArray siluTemb, long txtLen) {
    NDArray hidden = joint.get(":, " + txtLen + ":, :");
    NDList scaleShift = linear(siluTemb, params, "norm_out.linear").expandDims(1).split(2, 2);
    hidden = modulate(layerNorm(hidden, FluxConfig.EPS), scaleShift.get(1), scaleShift.get(0));
    return linear(hidden, params, "proj_out");
  }

  /** temb = timestep(t * 1000) + guidance(g * 1000) + text(pooled). */
  private NDArray timeTextEmbedding(FluxInput in, NDManager scope) {
    int batch = in.timesteps().length;
    NDArray temb =
        embed(computeType(Layers.timestepEmbedding(scope, scaled(in.timesteps()), 256)), "timestep_embedder");
    if (config.guidanceEmbeds()) {
      if (in.guidance() == null) {
        throw new IllegalArgumentException("this Flux model has a guidance embedding: guidance is required");
      }
      temb = temb.add(
          embed(computeType(Layers.timestepEmbedding(scope, scaled(in.guidance()), 256)), "guidance_embedder"));
    }
    temb = temb.add(embed(in.pooled(), "text_embedder"));
    if (temb.getShape().get(0) != batch) {
      throw new IllegalArgumentException("pooled batch does not match the timesteps' batch " + batch);
    }
    return temb;
  }

  private NDArray[] rope(FluxInput in, NDManager scope) {
    int[][] ids = new int[in.textIds().length + in.imageIds().length][];
    System.arraycopy(in.textIds(), 0, ids, 0, in.textIds().length);
    System.arraycopy(in.imageIds(), 0, ids, in.textIds().length, in.imageIds().length);
    NDArray[] cs = Rope.cosSin(scope, ids, config.axesDims(), config.theta());
    return new NDArray[] {computeType(cs[0]), computeType(cs[1])};
  }

  /**
   * Casts a table made in float32 from Java values (timestep features, RoPE) to the weights' type: FLOAT16 weights
   * (stored so with {@code ModelWeights.load(..., DataType.FLOAT16)}) then compute in float16 throughout.
   */
  private NDArray computeType(NDArray table) {
    DataType type = params.get("x_embedder.weight").getDataType();
    if (table.getDataType() == type) {
      return table;
    }
    NDArray cast = ModelWeights.convertGuarded(table, type);
    cast.attach(table.getManager());
    return cast;
  }

  /**
   * The training forward pass with activation checkpointing: embeddings recorded; blocks run without recording,
   * each keeping its input; the last block's output becomes a leaf the output layer is recorded from; the blocks'
   * backward pass is deferred to {@link ActivationCheckpointing}, which recomputes them one at a time.
   */
  private NDArray forwardCheckpointed(FluxInput in, NDManager scope) {
    FluxConfig c = config;
    long txtLen = in.textIds().length;
    NDArray hidden0 = linear(in.hidden(), params, "x_embedder");
    NDArray context0 = linear(in.encoderHidden(), params, "context_embedder");
    NDArray temb0 = timeTextEmbedding(in, scope);
    NDArray[] rope = rope(in, scope);
    // Block inputs: (hidden, context) per double block, then the joint sequence per single block.
    List<NDArray[]> inputs = new ArrayList<>();
    NDArray joint =
        ActivationCheckpointing.withoutRecording(
            params.asMap().values(),
            () -> {
              NDArray temb = silu(temb0.stopGradient());
              NDArray hidden = hidden0.stopGradient();
              NDArray context = context0.stopGradient();
              for (int i = 0; i < c.numLayers(); i++) {
                inputs.add(new NDArray[] {hidden, context});
                NDArray[] streams = doubleBlockInScope(i, hidden, context, temb, rope, scope);
                hidden = streams[0];
                context = streams[1];
              }
              NDArray j = context.concat(hidden, 1);
              for (int i = 0; i < c.numSingleLayers(); i++) {
                inputs.add(new NDArray[] {j});
                j = singleBlockInScope(i, j, temb, rope, scope);
              }
              return j;
            });
    NDArray bodyOut = joint.stopGradient();
    bodyOut.setRequiresGradient(true);
    // temb feeds the output layer and every block: one leaf collects its gradient from all of them, and the
    // embeddings' graph is back-propagated once, at the end.
    NDArray tembLeaf = temb0.stopGradient();
    tembLeaf.setRequiresGradient(true);
    NDArray result = output(bodyOut, silu(tembLeaf), txtLen);
    ActivationCheckpointing.defer(
        gc -> backwardBlocks(gc, bodyOut, inputs, hidden0, context0, temb0, tembLeaf, rope, txtLen, scope),
        scope);
    return result;
  }

  /** Recomputes the blocks last to first, each with recording, and back-propagates through the embeddings. */
  private void backwardBlocks(
      GradientCollector gc,
      NDArray bodyOut,
      List<NDArray[]> inputs,
      NDArray hidden0,
      NDArray context0,
      NDArray temb0,
      NDArray tembLeaf,
      NDArray[] rope,
      long txtLen,
      NDManager scope) {
    FluxConfig c = config;
    NDArray g = ActivationCheckpointing.gradientOrNull(bodyOut);
    for (int i = c.numSingleLayers() - 1; i >= 0; i--) {
      NDArray[] in = inputs.get(c.numLayers() + i);
      try (NDManager block = scope.newSubManager()) {
        NDArray x = in[0].stopGradient();
        x.attach(block);
        x.setRequiresGradient(true);
        NDArray out = singleBlock("single_transformer_blocks." + i + ".", x, silu(tembLeaf), rope);
        ActivationCheckpointing.backwardWith(gc, java.util.Map.of(out, g));
        g = ActivationCheckpointing.gradientOrNull(x);
        if (g != null) {
          g.attach(scope);
        }
      }
      in[0].close();
      if (g == null) {
        break;
      }
    }
    // g is the gradient of the joint sequence [context ; hidden] the single blocks started from.
    for (int i = c.numLayers() - 1; i >= 0 && g != null; i--) {
      NDArray[] in = inputs.get(i);
      try (NDManager block = scope.newSubManager()) {
        NDArray h = in[0].stopGradient();
        NDArray ctx = in[1].stopGradient();
        h.attach(block);
        ctx.attach(block);
        h.setRequiresGradient(true);
        ctx.setRequiresGradient(true);
        NDArray[] streams = doubleBlock("transformer_blocks." + i + ".", h, ctx, silu(tembLeaf), rope);
        ActivationCheckpointing.backwardWith(gc, java.util.Map.of(streams[1].concat(streams[0], 1), g));
        NDArray gh = ActivationCheckpointing.gradientOrNull(h);
        NDArray gc2 = ActivationCheckpointing.gradientOrNull(ctx);
        g = gh == null || gc2 == null ? null : gc2.concat(gh, 1);
        if (g != null) {
          g.attach(scope);
        }
      }
    }
    java.util.Map<NDArray, NDArray> head = new java.util.LinkedHashMap<>();
    if (g != null) {
      head.put(context0, g.get(":, :" + txtLen + ", :"));
      head.put(hidden0, g.get(":, " + txtLen + ":, :"));
    }
    head.put(temb0, ActivationCheckpointing.gradientOrNull(tembLeaf));
    ActivationCheckpointing.backwardWith(gc, head);
  }

  private static float[] scaled(float[] t) {
    float[] s = new float[t.length];
    for (int i = 0; i < t.length; i++) {
      s[i] = t[i] * 1000f;
    }
    return s;
  }

  private NDArray embed(NDArray x, String name) {
    String p = "time_text_embed." + name;
    return linear(silu(linear(x, params, p + ".linear_1")), params, p + ".linear_2");
  }

  /** Splits (B, S, H*D) into (B, H, S, D). */
  private NDArray heads(NDArray x) {
    Shape s = x.getShape();
    return x.reshape(s.get(0), s.get(1), config.heads(), config.headDim()).transpose(0, 2, 1, 3);
  }

  /** Merges (B, H, S, D) into (B, S, H*D). */
  private static NDArray merge(NDArray x) {
    Shape s = x.getShape();
    return x.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), s.get(1) * s.get(3));
  }

  private NDArray qk(NDArray x, String proj, String norm) {
    return rmsNorm(heads(linear(x, params, proj)), params.get(norm + ".weight"), FluxConfig.EPS);
  }

  /**
   * Double block {@code i} in a scope of its own, closed after it: its two output streams join {@code scope}, its
   * other arrays are freed (what autograd saved stays alive in the engine). The inputs and {@code temb} join the block
   * for the call, so that what is made from them is the block's (ops attach to their first operand's manager); they
   * go back when it closes.
   */
  private NDArray[] doubleBlockInScope(
      int i, NDArray hidden, NDArray context, NDArray temb, NDArray[] rope, NDManager scope) {
    try (NDManager block = scope.newSubManager()) {
      new NDList(hidden, context, temb).tempAttach(block);
      NDArray[] streams = doubleBlock("transformer_blocks." + i + ".", hidden, context, temb, rope);
      streams[0].attach(scope);
      streams[1].attach(scope);
      return streams;
    }
  }

  /** Single block {@code i} in a scope of its own, as {@link #doubleBlockInScope}: its output joins {@code scope}. */
  private NDArray singleBlockInScope(int i, NDArray x, NDArray temb, NDArray[] rope, NDManager scope) {
    try (NDManager block = scope.newSubManager()) {
      new NDList(x, temb).tempAttach(block);
      NDArray next = singleBlock("single_transformer_blocks." + i + ".", x, temb, rope);
      next.attach(scope);
      return next;
    }
  }

  /** A double block; {@code siluTemb} is {@code silu(temb)}, which every block's modulation reads. */
  private NDArray[] doubleBlock(String b, NDArray hidden, NDArray context, NDArray siluTemb, NDArray[] rope) {
    // Modulation chunks shaped (B, 1, D), so that they broadcast over the sequence as they are.
    NDList m = linear(siluTemb, params, b + "norm1.linear").expandDims(1).split(6, 2);
    NDList mc = linear(siluTemb, params, b + "norm1_context.linear").expandDims(1).split(6, 2);
    // chunks: shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp
    NDArray x = modulate(layerNorm(hidden, FluxConfig.EPS), m.get(0), m.get(1));
    NDArray cx = modulate(layerNorm(context, FluxConfig.EPS), mc.get(0), mc.get(1));

    String a = b + "attn.";
    NDArray q = qk(cx, a + "add_q_proj", a + "norm_added_q").concat(qk(x, a + "to_q", a + "norm_q"), 2);
    NDArray k = qk(cx, a + "add_k_proj", a + "norm_added_k").concat(qk(x, a + "to_k", a + "norm_k"), 2);
    NDArray v = heads(linear(cx, params, a + "add_v_proj")).concat(heads(linear(x, params, a + "to_v")), 2);
    q = Rope.apply(q, rope[0], rope[1]);
    k = Rope.apply(k, rope[0], rope[1]);
    NDArray attn = merge(Layers.attention(q, k, v, queryChunk));
    long txtLen = context.getShape().get(1);
    NDArray ctxAttn = linear(attn.get(":, :" + txtLen + ", :"), params, a + "to_add_out");
    NDArray imgAttn = linear(attn.get(":, " + txtLen + ":, :"), params, a + "to_out.0");

    hidden = hidden.add(imgAttn.mul(m.get(2)));
    NDArray h = modulate(layerNorm(hidden, FluxConfig.EPS), m.get(3), m.get(4));
    hidden = hidden.add(mlp(h, b + "ff.net").mul(m.get(5)));

    context = context.add(ctxAttn.mul(mc.get(2)));
    NDArray ch = modulate(layerNorm(context, FluxConfig.EPS), mc.get(3), mc.get(4));
    context = context.add(mlp(ch, b + "ff_context.net").mul(mc.get(5)));
    return new NDArray[] {hidden, fp16Guard(context)};
  }

  /**
   * The reference pipelines' float16 overflow guard (diffusers clips the double blocks' text stream and the single
   * blocks' output to the float16 range): an overflowed value becomes the largest finite one instead of spreading
   * infinities through the next norm. Float32 values pass unchanged.
   */
  static NDArray fp16Guard(NDArray x) {
    return x.getDataType() == DataType.FLOAT16 ? x.clip(-FP16_MAX, FP16_MAX) : x;
  }

  private NDArray mlp(NDArray x, String net) {
    return linear(geluTanh(linear(x, params, net + ".0.proj")), params, net + ".2");
  }

  /** A single block; {@code siluTemb} is {@code silu(temb)}. */
  private NDArray singleBlock(String b, NDArray x, NDArray siluTemb, NDArray[] rope) {
    NDList m = linear(siluTemb, params, b + "norm.linear").expandDims(1).split(3, 2);
    // chunks: shift, scale, gate
    NDArray h = modulate(layerNorm(x, FluxConfig.EPS), m.get(0), m.get(1));
    String a = b + "attn.";
    NDArray q = Rope.apply(qk(h, a + "to_q", a + "norm_q"), rope[0], rope[1]);
    NDArray k = Rope.apply(qk(h, a + "to_k", a + "norm_k"), rope[0], rope[1]);
    NDArray v = heads(linear(h, params, a + "to_v"));
    NDArray attn = merge(Layers.attention(q, k, v, queryChunk));
    NDArray mlpHidden = geluTanh(linear(h, params, b + "proj_mlp"));
    NDArray out = linear(attn.concat(mlpHidden, 2), params, b + "proj_out");
    return fp16Guard(x.add(out.mul(m.get(2))));
  }

  /**
   * Returns the names of the parameters the paper's stage 2 trains in the image branch of every block
   * ({@code attn.norm_q/k}, {@code attn.to_q/k/v}, {@code attn.to_out} and {@code norm1.linear} in double blocks;
   * {@code attn.norm_q/k}, {@code attn.to_q/k/v} and {@code norm.linear} in single blocks).
   *
   * @return the trainable parameter names
   */
  public Set<String> imageBranchParameterNames() {
    Set<String> out = new java.util.TreeSet<>();
    for (String name : params.asMap().keySet()) {
      boolean dbl =
          name.startsWith("transformer_blocks.")
              && name.matches(
                  "transformer_blocks\\.\\d+\\.(attn\\.(norm_q|norm_k|to_q|to_k|to_v|to_out\\.0)|norm1\\.linear)\\..*");
      boolean single =
          name.matches(
              "single_transformer_blocks\\.\\d+\\.(attn\\.(norm_q|norm_k|to_q|to_k|to_v)|norm\\.linear)\\..*");
      if (dbl || single) {
        out.add(name);
      }
    }
    return out;
  }

  @Override
  public void close() {
    params.close();
  }
}
