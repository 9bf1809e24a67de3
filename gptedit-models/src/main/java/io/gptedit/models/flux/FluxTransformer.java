package io.gptedit.models.flux;

import static io.gptedit.models.nn.Layers.geluTanh;
import static io.gptedit.models.nn.Layers.layerNorm;
import static io.gptedit.models.nn.Layers.linear;
import static io.gptedit.models.nn.Layers.modulate;
import static io.gptedit.models.nn.Layers.rmsNorm;
import static io.gptedit.models.nn.Layers.silu;
import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gptedit.models.nn.Layers;
import io.gptedit.models.nn.ParameterSpec;
import io.gptedit.models.nn.ParameterSpec.Init;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.nn.Rope;
import io.gptedit.models.nn.WeightLoadException;
import io.gptedit.models.safetensors.SafetensorsFile;
import java.util.List;
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

  private final FluxConfig config;
  private final ModelWeights params;
  private int queryChunk = DEFAULT_QUERY_CHUNK;

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
    return new FluxTransformer(config, ModelWeights.random(spec(config), seed));
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
    FluxCheckpointFormat format = FluxCheckpointFormat.detect(shards, prefix);
    return switch (format) {
      case DIFFUSERS -> new FluxTransformer(config, ModelWeights.load(spec(config), shards, prefix, true, 0));
      case BFL_ORIGINAL -> new FluxTransformer(config, BflFluxNames.load(config, shards, prefix));
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
   * Predicts the flow-matching velocity for the image tokens.
   *
   * @param in the inputs
   * @param out the manager that will own the result (when a parameter requires gradients, also every
   *     intermediate array, so close it only after the backward pass)
   * @return the velocity (B, image tokens, outChannels)
   */
  public NDArray forward(FluxInput in, NDManager out) {
    if (params.asMap().values().stream().anyMatch(NDArray::hasGradient)) {
      // Training: autograd saves intermediate tensors for the backward pass, among them arrays DJL made from Java
      // memory (RoPE tables, timestep features, scalar operands) that a closed array no longer keeps alive. So
      // nothing made here may be closed before the backward pass: the scope is a child of out and closes with it.
      NDManager scope = out.newSubManager();
      NDArray result = forwardInScope(in, scope, false);
      result.attach(out);
      return result;
    }
    try (NDManager scope = out.newSubManager()) {
      // Inputs join the scope for the call (ops attach to their first operand's manager) and go back after.
      new NDList(in.hidden(), in.encoderHidden(), in.pooled()).tempAttach(scope);
      NDArray result = forwardInScope(in, scope, true);
      result.attach(out);
      return result;
    }
  }

  /**
   * Runs the transformer with every intermediate owned by {@code scope}. With {@code blockScopes} (inference) each
   * block gets a sub-scope that is closed after it, so the allocator reuses memory block to block; without (training)
   * nothing is closed early, because autograd may still read what a block made (see {@link #forward}).
   */
  private NDArray forwardInScope(FluxInput in, NDManager scope, boolean blockScopes) {
    FluxConfig c = config;
    int batch = in.timesteps().length;
    long txtLen = in.textIds().length;
    NDArray hidden = linear(in.hidden(), params, "x_embedder");
    NDArray context = linear(in.encoderHidden(), params, "context_embedder");

    // temb = timestep(t * 1000) + guidance(g * 1000) + text(pooled).
    NDArray temb = embed(Layers.timestepEmbedding(scope, scaled(in.timesteps()), 256), "timestep_embedder");
    if (c.guidanceEmbeds()) {
      if (in.guidance() == null) {
        throw new IllegalArgumentException("this Flux model has a guidance embedding: guidance is required");
      }
      temb = temb.add(embed(Layers.timestepEmbedding(scope, scaled(in.guidance()), 256), "guidance_embedder"));
    }
    temb = temb.add(embed(in.pooled(), "text_embedder"));
    if (temb.getShape().get(0) != batch) {
      throw new IllegalArgumentException("pooled batch does not match the timesteps' batch " + batch);
    }

    int[][] ids = new int[in.textIds().length + in.imageIds().length][];
    System.arraycopy(in.textIds(), 0, ids, 0, in.textIds().length);
    System.arraycopy(in.imageIds(), 0, ids, in.textIds().length, in.imageIds().length);
    NDArray[] rope = Rope.cosSin(scope, ids, c.axesDims(), c.theta());

    // Each block runs in its own sub-scope, so its intermediates are freed before the next block allocates:
    // the allocator reuses the same memory instead of faulting in fresh pages for every block.
    for (int i = 0; i < c.numLayers(); i++) {
      String name = "transformer_blocks." + i + ".";
      if (!blockScopes) {
        NDArray[] streams = doubleBlock(name, hidden, context, temb, rope);
        hidden = streams[0];
        context = streams[1];
        continue;
      }
      try (NDManager block = scope.newSubManager()) {
        new NDList(hidden, context).tempAttach(block);
        NDArray[] streams = doubleBlock(name, hidden, context, temb, rope);
        streams[0].attach(scope);
        streams[1].attach(scope);
        hidden = streams[0];
        context = streams[1];
      }
    }
    NDArray joint = context.concat(hidden, 1);
    for (int i = 0; i < c.numSingleLayers(); i++) {
      String name = "single_transformer_blocks." + i + ".";
      if (!blockScopes) {
        joint = singleBlock(name, joint, temb, rope);
        continue;
      }
      try (NDManager block = scope.newSubManager()) {
        joint.tempAttach(block);
        NDArray next = singleBlock(name, joint, temb, rope);
        next.attach(scope);
        joint = next;
      }
    }
    hidden = joint.get(":, " + txtLen + ":, :");

    NDList scaleShift = linear(silu(temb), params, "norm_out.linear").split(2, 1);
    hidden = modulate(layerNorm(hidden, FluxConfig.EPS), scaleShift.get(1), scaleShift.get(0));
    return linear(hidden, params, "proj_out");
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

  private NDArray[] doubleBlock(String b, NDArray hidden, NDArray context, NDArray temb, NDArray[] rope) {
    NDList m = linear(silu(temb), params, b + "norm1.linear").split(6, 1);
    NDList mc = linear(silu(temb), params, b + "norm1_context.linear").split(6, 1);
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

    hidden = hidden.add(imgAttn.mul(m.get(2).expandDims(1)));
    NDArray h = modulate(layerNorm(hidden, FluxConfig.EPS), m.get(3), m.get(4));
    hidden = hidden.add(mlp(h, b + "ff.net").mul(m.get(5).expandDims(1)));

    context = context.add(ctxAttn.mul(mc.get(2).expandDims(1)));
    NDArray ch = modulate(layerNorm(context, FluxConfig.EPS), mc.get(3), mc.get(4));
    context = context.add(mlp(ch, b + "ff_context.net").mul(mc.get(5).expandDims(1)));
    return new NDArray[] {hidden, context};
  }

  private NDArray mlp(NDArray x, String net) {
    return linear(geluTanh(linear(x, params, net + ".0.proj")), params, net + ".2");
  }

  private NDArray singleBlock(String b, NDArray x, NDArray temb, NDArray[] rope) {
    NDList m = linear(silu(temb), params, b + "norm.linear").split(3, 1);
    // chunks: shift, scale, gate
    NDArray h = modulate(layerNorm(x, FluxConfig.EPS), m.get(0), m.get(1));
    String a = b + "attn.";
    NDArray q = Rope.apply(qk(h, a + "to_q", a + "norm_q"), rope[0], rope[1]);
    NDArray k = Rope.apply(qk(h, a + "to_k", a + "norm_k"), rope[0], rope[1]);
    NDArray v = heads(linear(h, params, a + "to_v"));
    NDArray attn = merge(Layers.attention(q, k, v, queryChunk));
    NDArray mlpHidden = geluTanh(linear(h, params, b + "proj_mlp"));
    NDArray out = linear(attn.concat(mlpHidden, 2), params, b + "proj_out");
    return x.add(out.mul(m.get(2).expandDims(1)));
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
