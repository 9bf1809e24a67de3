package io.gptedit.models.train;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.mllm.QwenVlConfig;
import io.gptedit.models.mllm.QwenVlModel;
import io.gptedit.models.sd3.Sd3Config;
import io.gptedit.models.sd3.Sd3Transformer;
import io.gptedit.models.nn.ParameterSpec;
import io.gptedit.models.text.T5Config;
import io.gptedit.models.text.T5Encoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An analytic estimate of a Flux/Kontext or SD3 fine-tuning step's peak device memory, and the largest batch that
 * fits. The description below is Flux's; SD3's activation model has its own measured constants ({@link
 * #sd3ActivationsPerSample}).
 *
 * <p>The estimate adds up: the weights (every parameter, in the storage type), float32 master copies of the
 * trainable parameters when the weights are float16, their float32 gradients (and then the float16 gradients of
 * their compute copies, which {@code FineTuner}'s fp16 path keeps), the optimizer state (AdamW's two
 * float32 moments, 8-bit moments, or the float32 moments sharded over the GPUs of a node) with the bucketed
 * optimizer's one-bucket update buffer, and the larger of two things that are never held at once: the activations
 * the backward pass keeps, and the optimizer step's temporaries (one bucket, and in float32 training the flat copy
 * of every gradient that the bucketed update works on; see {@link Plan}). Activations are those of this library's
 * transformer as its engine records them (unfused ops: every modulation, RMS norm, RoPE and the GELU keep their
 * inputs; the layer norm is fused). A block runs in a scope of its own that closes after it, so once it has run it
 * keeps only what autograd saved: per sample {@link #SAVED_VALUES_PER_TOKEN} values of width {@code hidden} per
 * token plus {@link #SAVED_ATTENTION_MAPS} attention map ({@code heads x tokens^2}); while a block runs with
 * recording it holds every intermediate ({@link #RECORDED_VALUES_PER_TOKEN} values, {@link
 * #RECORDED_ATTENTION_MAPS} maps); the backward pass of one block holds {@link #BACKWARD_ATTENTION_MAPS} maps of
 * temporaries. Without checkpointing the peak is every other block's saved tensors plus the larger of the last
 * block running and one block's backward pass; with activation checkpointing every block's input is kept, plus one
 * block recomputed with recording and its backward temporaries. Framework overhead (allocator fragmentation,
 * workspaces, the CUDA context) is not modelled.
 *
 * <p><b>Measured.</b> The five constants were fitted to the peak resident memory of CPU training steps of one
 * small config (2 double + 2 single blocks, 4 heads x 16, 144 and 528 tokens, batch 2 to 8; AdamW, float32; a
 * least-squares fit of the eight predicted peaks, the saved maps held at the one softmax output) and then checked,
 * unchanged, on two others: 1 + 3 blocks of 8 x 32 and 2 + 4 blocks of 8 x 64 (37 M parameters, 576 tokens),
 * plain and checkpointed, batch 1 to 4: every predicted peak within 4.3 % of the measured one
 * ({@code MemoryPlannerMeasuredTest}, docs/benchmarks.md). Refitted on 2026-12-04, when blocks began to free their
 * unsaved intermediates in training too and the attention's scale moved to the queries (the previous constants,
 * 69 values and 2.75 maps per block with everything held to the end of the step, then over-predicted plain steps by
 * up to 2.2x). On a GPU the same ops keep the same values (in float16 with fp16 compute); a fused attention kernel,
 * which this engine does not offer, would remove most of the attention terms.
 *
 * @since 0.1
 */
public final class MemoryPlanner {
  /**
   * Values of width {@code hidden} per token a recorded Flux block keeps for the backward pass once it has run (what
   * autograd saved; the block's other intermediates are freed with its scope) (measured).
   */
  public static final double SAVED_VALUES_PER_TOKEN = 27;

  /**
   * Attention maps ({@code heads x tokens^2}) a recorded Flux block keeps for the backward pass once it has run: the
   * softmax's output (measured).
   */
  public static final double SAVED_ATTENTION_MAPS = 1;

  /**
   * Values of width {@code hidden} per token a Flux block holds while it runs with recording, every intermediate
   * until its scope closes: the last block of a forward pass, and the block being recomputed under activation
   * checkpointing (measured).
   */
  public static final double RECORDED_VALUES_PER_TOKEN = 76;

  /** Attention maps a Flux block holds while it runs with recording (measured; see the values above). */
  public static final double RECORDED_ATTENTION_MAPS = 1.6;

  /** Attention maps of temporaries the backward pass of one block holds at its peak (measured). */
  public static final double BACKWARD_ATTENTION_MAPS = 2.2;

  private static final double GB = 1e9;

  /** How the optimizer's state is held. */
  public enum OptimizerState {
    /** AdamW's two float32 moments per trainable parameter on every GPU (8 bytes). */
    ADAMW_FP32,
    /** AdamW with 8-bit moments (2 bytes per trainable parameter, block-wise quantised). */
    ADAMW_8BIT,
    /** AdamW's float32 moments sharded over the GPUs of a node (8 bytes / GPUs). */
    ADAMW_FP32_SHARDED
  }

  /**
   * A training setup.
   *
   * @param totalParameters every parameter (frozen and trainable)
   * @param trainableParameters the trained ones
   * @param fp16Weights whether weights are stored and computed in float16 (then trainable ones get float32
   *     masters); false means float32 weights, gradients and no separate masters
   * @param optimizer how the optimizer state is held
   * @param gpus GPUs sharing the sharded optimizer state (1 unless {@link OptimizerState#ADAMW_FP32_SHARDED})
   * @param activationBytesPerSample the activations one sample keeps
   */
  public record Setup(
      long totalParameters,
      long trainableParameters,
      boolean fp16Weights,
      OptimizerState optimizer,
      int gpus,
      long activationBytesPerSample) {
    /** Validates the setup. */
    public Setup {
      checkArgument(totalParameters > 0, "totalParameters must be positive");
      checkArgument(
          trainableParameters >= 0 && trainableParameters <= totalParameters,
          "trainableParameters must be in [0, totalParameters]");
      requireNonNull(optimizer, "optimizer");
      checkArgument(gpus >= 1, "gpus must be >= 1");
      checkArgument(activationBytesPerSample >= 0, "activationBytesPerSample must be >= 0");
    }
  }

  /**
   * A plan's terms in bytes.
   *
   * <p>The peak is {@link #total}: the terms held through the whole step ({@link #beforeActivations}) plus the
   * larger of the activations, held from the forward pass to the end of the backward pass, and the optimizer
   * step's temporaries, held after the backward pass has released the activations.
   *
   * @param weights every parameter in its storage type
   * @param masters float32 masters of the trainable parameters (fp16 weights only)
   * @param gradients gradients of the trainable parameters: float32, plus the float16 gradients of their compute
   *     copies when the weights are float16
   * @param optimizer the optimizer state on one GPU
   * @param stepBuffers the optimizer's own buffer, kept from its first step on: one flat bucket of float32 that the
   *     updates are computed into
   * @param activations the activations of the batch
   * @param stepTemporaries what the optimizer step holds on top, after the backward pass: one bucket-sized
   *     temporary, and with float32 weights the flat copy of every gradient the bucketed update works on (with
   *     float16 weights the gradient accumulators are already flat, so no copy)
   */
  public record Plan(
      long weights, long masters, long gradients, long optimizer, long stepBuffers, long activations,
      long stepTemporaries) {
    /** Validates the terms. */
    public Plan {
      checkArgument(weights >= 0 && masters >= 0 && gradients >= 0 && optimizer >= 0 && stepBuffers >= 0
          && activations >= 0 && stepTemporaries >= 0, "terms must be >= 0");
    }

    /**
     * Returns the peak: the terms held through the step plus the larger of the activations and the optimizer
     * step's temporaries.
     *
     * @return bytes
     */
    public long total() {
      return beforeActivations() + Math.max(activations, stepTemporaries);
    }

    /**
     * Returns the terms held through the whole step: weights, masters, gradients, optimizer state and buffer.
     *
     * @return bytes
     */
    public long beforeActivations() {
      return weights + masters + gradients + optimizer + stepBuffers;
    }

    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "weights %.1f GB + masters %.1f GB + gradients %.1f GB + optimizer %.1f GB + its buffer %.1f GB = %.1f GB"
              + " before activations; activations %.1f GB (optimizer step's temporaries %.1f GB); total %.1f GB",
          weights / GB, masters / GB, gradients / GB, optimizer / GB, stepBuffers / GB, beforeActivations() / GB,
          activations / GB, stepTemporaries / GB, total() / GB);
    }
  }

  private MemoryPlanner() {}

  /**
   * Plans one step.
   *
   * @param s the setup
   * @param batch samples per micro-batch, at least 1
   * @return the plan
   */
  public static Plan plan(Setup s, int batch) {
    checkArgument(batch >= 1, "batch must be >= 1");
    long weights = s.totalParameters() * (s.fp16Weights() ? 2 : 4);
    long masters = s.fp16Weights() ? s.trainableParameters() * 4 : 0;
    // float32 gradients (the accumulators), and with fp16 weights the float16 gradients that autograd keeps on the
    // compute copies (FineTuner's fp16 path: 2 bytes per trainable value, measured on a GPU in docs/benchmarks.md)
    long gradients = s.trainableParameters() * (s.fp16Weights() ? 6 : 4);
    long optimizer =
        switch (s.optimizer()) {
          case ADAMW_FP32 -> s.trainableParameters() * 8;
          case ADAMW_8BIT -> s.trainableParameters() * 2;
          case ADAMW_FP32_SHARDED -> (s.trainableParameters() * 8 + s.gpus() - 1) / s.gpus();
        };
    // The bucketed optimizer (ParameterBuckets): one bucket of float32 is its update buffer, one more a temporary
    // of the step, and in float32 training FineTuner gathers autograd's per-tensor gradients into flat buckets.
    long bucket = Math.min(s.trainableParameters(), ParameterBuckets.DEFAULT_CAPACITY) * 4;
    long temporaries = bucket + (s.fp16Weights() ? 0 : s.trainableParameters() * 4);
    return new Plan(weights, masters, gradients, optimizer, bucket, s.activationBytesPerSample() * batch, temporaries);
  }

  /**
   * Returns the largest batch whose plan fits a memory size.
   *
   * @param s the setup
   * @param memoryBytes the device memory
   * @return the largest batch, or 0 if not even one sample fits
   */
  public static int largestBatch(Setup s, long memoryBytes) {
    Plan one = plan(s, 1);
    if (one.total() > memoryBytes) {
      return 0;
    }
    long free = memoryBytes - one.beforeActivations();
    return s.activationBytesPerSample() == 0 ? Integer.MAX_VALUE
        : (int) Math.min(Integer.MAX_VALUE, free / s.activationBytesPerSample());
  }

  /**
   * Counts the parameters a Flux config declares.
   *
   * @param c the config
   * @return the number of values
   */
  public static long parameters(FluxConfig c) {
    return parameters(FluxTransformer.spec(c), n -> true);
  }

  /**
   * Counts the parameters of a spec whose names a predicate accepts.
   *
   * @param spec the spec
   * @param names which names to count
   * @return the number of values
   */
  public static long parameters(ParameterSpec spec, java.util.function.Predicate<String> names) {
    long n = 0;
    for (ParameterSpec.Entry e : spec.entries().values()) {
      if (names.test(e.name())) {
        n += e.shape().size();
      }
    }
    return n;
  }

  /**
   * Estimates the activations one sample of a Flux/Kontext step keeps for the backward pass.
   *
   * @param c the config
   * @param tokens the sequence length inside the blocks (text + noisy image + condition image tokens)
   * @param bytesPerValue 2 for float16 compute, 4 for float32
   * @param checkpointing whether blocks are checkpointed
   * @return bytes per sample
   */
  public static long fluxActivationsPerSample(FluxConfig c, long tokens, int bytesPerValue, boolean checkpointing) {
    checkArgument(tokens > 0, "tokens must be positive, got %s", tokens);
    checkArgument(bytesPerValue == 2 || bytesPerValue == 4, "bytesPerValue must be 2 or 4, got %s", bytesPerValue);
    double d = (double) c.heads() * c.headDim();
    double maps = (double) c.heads() * tokens * tokens;
    double saved = SAVED_VALUES_PER_TOKEN * tokens * d + SAVED_ATTENTION_MAPS * maps;
    double recorded = RECORDED_VALUES_PER_TOKEN * tokens * d + RECORDED_ATTENTION_MAPS * maps;
    double backward = BACKWARD_ATTENTION_MAPS * maps;
    long blocks = c.numLayers() + c.numSingleLayers();
    double values = checkpointing
        ? blocks * tokens * d + recorded + backward // every block's input, and one block recomputed with recording
        // every other block's saved tensors, and the larger of the last block running and one block's backward
        : (blocks - 1) * saved + Math.max(recorded, saved + backward);
    return (long) Math.ceil(values * bytesPerValue);
  }


  /**
   * Values of width {@code hidden} per token (both streams) an SD3 joint block keeps for the backward pass once it
   * has run, its other intermediates freed with its scope (measured; see {@link #sd3ActivationsPerSample}).
   */
  public static final double SD3_SAVED_VALUES_PER_TOKEN = 24;

  /** Attention maps ({@code heads x tokens^2}) an SD3 joint block keeps once it has run (measured). */
  public static final double SD3_SAVED_ATTENTION_MAPS = 0.75;

  /**
   * Values of width {@code hidden} per token (both streams) an SD3 joint block holds while it is recomputed with
   * recording under activation checkpointing, every intermediate until its backward pass ends (measured).
   */
  public static final double SD3_RECORDED_VALUES_PER_TOKEN = 45;

  /** Attention maps an SD3 joint block holds while it is recomputed with recording (measured). */
  public static final double SD3_RECORDED_ATTENTION_MAPS = 2.0;

  /** Attention maps of temporaries the backward pass of one SD3 joint block holds at its peak (measured). */
  public static final double SD3_BACKWARD_ATTENTION_MAPS = 2.25;

  /**
   * Values of width {@code hidden} per token an SD3 step keeps once, outside the joint blocks: the patch and text
   * embeddings, the output layer, and the gradient passed between blocks (measured).
   */
  public static final double SD3_STEP_VALUES_PER_TOKEN = 7.8;

  /**
   * SD3's text sequence in diffusers' {@code StableDiffusion3Pipeline} defaults: 77 CLIP tokens and {@code
   * max_sequence_length} 256 T5 tokens.
   */
  public static final int SD3_TEXT_TOKENS = 77 + 256;

  /**
   * Counts the parameters an SD3 config declares.
   *
   * @param c the config
   * @return the number of values
   */
  public static long parameters(Sd3Config c) {
    return parameters(Sd3Transformer.spec(c), n -> true);
  }

  /**
   * Estimates the activations one sample of an SD3 MMDiT training step keeps for the backward pass: per joint block,
   * once it has run (its scope closed, what autograd saved kept), {@link #SD3_SAVED_VALUES_PER_TOKEN} values of
   * width {@code hidden} per token and {@link #SD3_SAVED_ATTENTION_MAPS} attention maps; once per step {@link
   * #SD3_STEP_VALUES_PER_TOKEN} values per token and {@link #SD3_BACKWARD_ATTENTION_MAPS} maps of backward
   * temporaries. With checkpointing every block's input (both streams: {@code tokens x hidden}) is kept, plus one
   * block recomputed with recording ({@link #SD3_RECORDED_VALUES_PER_TOKEN} values, {@link
   * #SD3_RECORDED_ATTENTION_MAPS} maps).
   *
   * <p><b>Measured.</b> The constants were fitted to CPU training steps of 2-block configs (4 x 16 at 160 and 528
   * tokens, 2 x 64 at 160 tokens; AdamW, float32, batch 1 to 8) and checked, unchanged, on 3-, 4- and 6-block
   * configs of 6 x 32, 8 x 32 and 2 x 64 at 160 to 440 tokens ({@code Sd3MemoryProbe}, {@code
   * MemoryPlannerMeasuredTest}, docs/benchmarks.md). The per-step constants were refitted on 2026-12-04 (from 29
   * values and 1.5 maps), when the patch embedding stopped running as a convolution, whose engine kernel had
   * allocated several megabytes per sample at every new batch shape. Later that evening the attention's scale moved
   * from the scores to the queries (the recomputed block's 44 values and 3.0 maps became 45 and 2.0: one held map
   * traded for one held query-sized array) and the plain pass began to close each block's scope after it, so a
   * block that has run keeps only what autograd saved: 24 values and 0.75 maps, a least-squares fit of the fit set's
   * plain peaks; every predicted peak of fit and check set, plain and checkpointed, then within 9.3 % of the
   * measured one.
   *
   * @param c the config
   * @param tokens the joint sequence length inside the blocks (image patches + text tokens)
   * @param bytesPerValue 2 for float16 compute, 4 for float32
   * @param checkpointing whether blocks are checkpointed
   * @return bytes per sample
   */
  public static long sd3ActivationsPerSample(Sd3Config c, long tokens, int bytesPerValue, boolean checkpointing) {
    requireNonNull(c, "c");
    checkArgument(tokens > 0, "tokens must be positive, got %s", tokens);
    checkArgument(bytesPerValue == 2 || bytesPerValue == 4, "bytesPerValue must be 2 or 4, got %s", bytesPerValue);
    double d = c.hidden();
    double maps = (double) c.heads() * tokens * tokens;
    double saved = SD3_SAVED_VALUES_PER_TOKEN * tokens * d + SD3_SAVED_ATTENTION_MAPS * maps;
    double recorded = SD3_RECORDED_VALUES_PER_TOKEN * tokens * d + SD3_RECORDED_ATTENTION_MAPS * maps;
    double values = checkpointing
        ? c.layers() * tokens * d + recorded // every block's input (both streams), and one block recomputed
        : c.layers() * saved;
    values += SD3_STEP_VALUES_PER_TOKEN * tokens * d + SD3_BACKWARD_ATTENTION_MAPS * maps;
    return (long) Math.ceil(values * bytesPerValue);
  }

  /**
   * Returns the tokens inside SD3's joint blocks at a square resolution: one image token per 2 x 2 patch of the
   * VAE's 8x latents ({@code (side / 16)^2}; InstructPix2Pix's source latents are extra channels, not tokens) and
   * the text tokens.
   *
   * @param side image side in pixels, a multiple of 16
   * @param textTokens text tokens ({@link #SD3_TEXT_TOKENS} by default)
   * @return the sequence length
   */
  public static long sd3Tokens(int side, int textTokens) {
    checkArgument(side > 0 && side % 16 == 0, "side must be a positive multiple of 16, got %s", side);
    checkArgument(textTokens >= 0, "textTokens must be >= 0, got %s", textTokens);
    return (long) (side / 16) * (side / 16) + textTokens;
  }

  /**
   * The estimate for fully fine-tuning SD3-Medium as an InstructPix2Pix model (32 input channels; every transformer
   * parameter trained, float16 weights with float32 masters), as the paper's SD3 InstructPix2Pix run does. The
   * frozen text encoders and the VAE are not counted (their outputs cached, or run on another device).
   *
   * @param parameters the transformer's parameters, all trained
   * @param optimizer how the optimizer state is held
   * @param gpus GPUs sharing the optimizer state
   * @param memoryBytes the device memory planned for
   * @param textTokens text tokens in the sequence
   * @param fixed the plan of batch 1 before activations
   * @param resolutions the activation terms and largest batches per resolution
   */
  public record Sd3MediumPlan(
      long parameters, OptimizerState optimizer, int gpus, long memoryBytes, int textTokens, Plan fixed,
      List<Resolution> resolutions) {
    /** Validates and copies. */
    public Sd3MediumPlan {
      checkArgument(parameters > 0, "parameters must be positive");
      requireNonNull(optimizer, "optimizer");
      requireNonNull(fixed, "fixed");
      resolutions = List.copyOf(resolutions);
    }

    /**
     * Returns whether the weights, masters, gradients, optimizer state and buffer fit the memory with the
     * optimizer step's temporaries.
     *
     * @return false when nothing is left for activations
     */
    public boolean fitsBeforeActivations() {
      return fixed.total() <= memoryBytes;
    }
  }

  /**
   * Plans a full fine-tuning step of SD3-Medium InstructPix2Pix ({@link Sd3Config#sd3MediumInstructPix2Pix()}) with
   * float16 weights and float32 masters at square resolutions.
   *
   * @param optimizer how the optimizer state is held
   * @param gpus GPUs sharing a sharded optimizer state (ignored unless {@link OptimizerState#ADAMW_FP32_SHARDED})
   * @param memoryBytes the device memory
   * @param textTokens text tokens in the sequence ({@link #SD3_TEXT_TOKENS} in diffusers' default)
   * @param sides square sides in pixels, multiples of 16
   * @return the plan
   */
  public static Sd3MediumPlan sd3MediumInstructPix2Pix(
      OptimizerState optimizer, int gpus, long memoryBytes, int textTokens, int... sides) {
    requireNonNull(optimizer, "optimizer");
    checkArgument(memoryBytes > 0, "memoryBytes must be positive, got %s", memoryBytes);
    Sd3Config c = Sd3Config.sd3MediumInstructPix2Pix();
    long params = parameters(c);
    int shards = optimizer == OptimizerState.ADAMW_FP32_SHARDED ? gpus : 1;
    Plan fixed = plan(new Setup(params, params, true, optimizer, shards, 0), 1);
    List<Resolution> rows = resolutions(params, params, optimizer, shards, memoryBytes, sides,
        side -> sd3Tokens(side, textTokens), (tokens, ckpt) -> sd3ActivationsPerSample(c, tokens, 2, ckpt));
    return new Sd3MediumPlan(params, optimizer, shards, memoryBytes, textTokens, fixed, rows);
  }

  /**
   * Returns the tokens inside Kontext's blocks at a square resolution: noisy and condition image tokens (one per 16
   * pixels squared each) and the text tokens.
   *
   * @param side image side in pixels, a multiple of 16
   * @param textTokens text tokens (512 for T5 in Flux; the release adds the projected VLM tokens)
   * @return the sequence length
   */
  public static long kontextTokens(int side, int textTokens) {
    checkArgument(side > 0 && side % 16 == 0, "side must be a positive multiple of 16, got %s", side);
    long image = (long) (side / 16) * (side / 16);
    return 2 * image + textTokens;
  }

  /** The release's MLP connector, Linear(3584, 12288) -> SiLU -> Linear(12288, 4096) with biases: its parameters. */
  public static final long RELEASE_CONNECTOR = 3584L * 12288 + 12288 + 12288L * 4096 + 4096;

  /** What a Kontext-dev fine-tuning run trains. */
  public enum FineTune {
    /** The connector only (the paper's stage 1). */
    STAGE1,
    /** The connector and the transformer's image branch ({@link ParameterSelection#paperStage2}). */
    STAGE2,
    /** LoRA adapters on every attention and MLP projection of the 57 blocks (the base frozen). */
    LORA
  }

  /**
   * One resolution of a {@link KontextDevPlan} or an {@link Sd3MediumPlan}.
   *
   * @param side the square image side in pixels
   * @param tokens the sequence length inside the blocks
   * @param activationsPlain activation bytes per sample without checkpointing
   * @param activationsCheckpointed activation bytes per sample with block checkpointing
   * @param batchPlain the largest batch that fits without checkpointing (0: none)
   * @param batchCheckpointed the largest batch that fits with checkpointing (0: none)
   */
  public record Resolution(
      int side, long tokens, long activationsPlain, long activationsCheckpointed, int batchPlain,
      int batchCheckpointed) {}

  /**
   * The estimate for fine-tuning FLUX.1-Kontext-dev with the release's connector, fp16 weights.
   *
   * @param stage what is trained
   * @param trainable trainable parameters
   * @param total all parameters (base, connector and any adapters)
   * @param optimizer how the optimizer state is held
   * @param gpus GPUs sharing the optimizer state
   * @param memoryBytes the device memory planned for
   * @param fixed the plan of batch 1 before activations
   * @param resolutions the activation terms and largest batches per resolution
   */
  public record KontextDevPlan(
      FineTune stage, long trainable, long total, OptimizerState optimizer, int gpus, long memoryBytes, Plan fixed,
      List<Resolution> resolutions) {
    /** Validates and copies. */
    public KontextDevPlan {
      requireNonNull(stage, "stage");
      requireNonNull(optimizer, "optimizer");
      requireNonNull(fixed, "fixed");
      resolutions = List.copyOf(resolutions);
    }

    /**
     * Returns whether the weights, masters, gradients, optimizer state and buffer fit the memory with the
     * optimizer step's temporaries.
     *
     * @return false when nothing is left for activations
     */
    public boolean fitsBeforeActivations() {
      return fixed.total() <= memoryBytes;
    }
  }

  /**
   * Which frozen text encoders share the device with the transformer during training. The release conditions on
   * Qwen2.5-VL-7B (MLLM projection) and optionally T5-XXL (MLLM+T5); with their outputs cached beside the shards
   * ({@code EmbeddingStore}) neither needs to be on the device.
   */
  public enum Encoders {
    /** Embeddings read from a cache: no encoder weights on the device. */
    CACHED,
    /** Qwen2.5-VL-7B resident in float16 (its vision tower included). */
    QWEN,
    /** Qwen2.5-VL-7B and the T5-XXL encoder resident in float16. */
    QWEN_T5;

    /**
     * Returns the encoders' parameters, counted from the real configs' declared tensors.
     *
     * @return 0 for {@link #CACHED}
     */
    public long parameters() {
      long qwen = this == CACHED ? 0 : MemoryPlanner.parameters(
          QwenVlModel.spec(QwenVlConfig.qwen25Vl7bInstruct()), n -> true);
      long t5 = this == QWEN_T5 ? MemoryPlanner.parameters(T5Encoder.spec(T5Config.xxl()), n -> true) : 0;
      return qwen + t5;
    }
  }

  /**
   * Plans as {@link #kontextDev(FineTune, int, OptimizerState, int, long, int, Encoders, int...)} with no encoder
   * on the device
   * ({@link Encoders#CACHED}).
   *
   * @param stage what is trained
   * @param loraRank the LoRA rank (used for {@link FineTune#LORA})
   * @param optimizer how the optimizer state is held
   * @param gpus GPUs sharing a sharded optimizer state (ignored unless {@link OptimizerState#ADAMW_FP32_SHARDED})
   * @param memoryBytes the device memory
   * @param textTokens text tokens in the sequence
   * @param sides square sides in pixels, multiples of 16
   * @return the plan
   */
  public static KontextDevPlan kontextDev(
      FineTune stage, int loraRank, OptimizerState optimizer, int gpus, long memoryBytes, int textTokens,
      int... sides) {
    return kontextDev(stage, loraRank, optimizer, gpus, memoryBytes, textTokens, Encoders.CACHED, sides);
  }

  /**
   * Plans a FLUX.1-Kontext-dev fine-tuning step with the release's connector and fp16 weights at square
   * resolutions.
   *
   * @param stage what is trained
   * @param loraRank the LoRA rank (used for {@link FineTune#LORA})
   * @param optimizer how the optimizer state is held
   * @param gpus GPUs sharing a sharded optimizer state (ignored unless {@link OptimizerState#ADAMW_FP32_SHARDED})
   * @param memoryBytes the device memory
   * @param textTokens text tokens in the sequence
   * @param encoders the frozen text encoders resident on the device (float16 weights, counted as frozen
   *     parameters; their inference activations are small next to the transformer's and not counted)
   * @param sides square sides in pixels, multiples of 16
   * @return the plan
   */
  public static KontextDevPlan kontextDev(
      FineTune stage, int loraRank, OptimizerState optimizer, int gpus, long memoryBytes, int textTokens,
      Encoders encoders, int... sides) {
    requireNonNull(stage, "stage");
    requireNonNull(encoders, "encoders");
    checkArgument(memoryBytes > 0, "memoryBytes must be positive, got %s", memoryBytes);
    FluxConfig c = FluxConfig.flux1KontextDev();
    long total = parameters(c) + RELEASE_CONNECTOR;
    long trainable =
        switch (stage) {
          case STAGE1 -> RELEASE_CONNECTOR;
          case STAGE2 -> RELEASE_CONNECTOR
              + parameters(FluxTransformer.spec(c), ParameterSelection.paperStage2("c.").predicate());
          case LORA -> loraParameters(c, loraRank);
        };
    if (stage == FineTune.LORA) {
      total += trainable;
    }
    total += encoders.parameters();
    int shards = optimizer == OptimizerState.ADAMW_FP32_SHARDED ? gpus : 1;
    Plan fixed = plan(new Setup(total, trainable, true, optimizer, shards, 0), 1);
    List<Resolution> rows = resolutions(total, trainable, optimizer, shards, memoryBytes, sides,
        side -> kontextTokens(side, textTokens), (tokens, ckpt) -> fluxActivationsPerSample(c, tokens, 2, ckpt));
    return new KontextDevPlan(stage, trainable, total, optimizer, shards, memoryBytes, fixed, rows);
  }

  /** fp16 activation bytes per sample of a sequence length, plain or checkpointed. */
  @FunctionalInterface
  private interface Activations {
    long perSample(long tokens, boolean checkpointing);
  }

  /** The activation terms and largest batches per square side, for an fp16-weight setup. */
  private static List<Resolution> resolutions(
      long total, long trainable, OptimizerState optimizer, int shards, long memoryBytes, int[] sides,
      java.util.function.IntToLongFunction tokensOf, Activations activations) {
    List<Resolution> rows = new ArrayList<>();
    for (int side : sides) {
      long tokens = tokensOf.applyAsLong(side);
      long plain = activations.perSample(tokens, false);
      long ckpt = activations.perSample(tokens, true);
      rows.add(new Resolution(side, tokens, plain, ckpt,
          largestBatch(new Setup(total, trainable, true, optimizer, shards, plain), memoryBytes),
          largestBatch(new Setup(total, trainable, true, optimizer, shards, ckpt), memoryBytes)));
    }
    return rows;
  }

  /**
   * Counts LoRA's A and B matrices on every attention and MLP projection of a Flux config's blocks: per double
   * block the six q/k/v projections, the two output projections and the two MLPs of both streams; per single block
   * q/k/v, {@code proj_mlp} and {@code proj_out}.
   *
   * @param c the config
   * @param rank the LoRA rank
   * @return the adapter parameters
   */
  public static long loraParameters(FluxConfig c, int rank) {
    checkArgument(rank > 0, "rank must be positive, got %s", rank);
    long d = (long) c.heads() * c.headDim();
    long mlp = d * c.mlpRatio();
    long dbl = 8L * rank * (d + d) + 2L * rank * ((d + mlp) + (mlp + d));
    long sgl = 3L * rank * (d + d) + rank * (d + mlp) + rank * (d + mlp + d);
    return c.numLayers() * dbl + c.numSingleLayers() * sgl;
  }
}
