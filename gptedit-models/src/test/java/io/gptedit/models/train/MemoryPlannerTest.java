package io.gptedit.models.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.sd3.Sd3Config;
import org.junit.jupiter.api.Test;

class MemoryPlannerTest {
  /** The paper's connector: Linear(3584, 12288) -> SiLU -> Linear(12288, 4096), with biases. */
  private static final long CONNECTOR = 3584L * 12288 + 12288 + 12288L * 4096 + 4096;

  @Test
  void kontextDevStage2MatchesTheIssuesArithmeticAndDoesNotFitOne80GbGpuWithFp32AdamW() {
    FluxConfig c = FluxConfig.flux1KontextDev();
    long transformer = MemoryPlanner.parameters(c);
    assertThat(transformer / 1e9).isCloseTo(11.9, within(0.05));
    ParameterSelection stage2 = ParameterSelection.paperStage2("connector.");
    long trainable =
        MemoryPlanner.parameters(FluxTransformer.spec(c), stage2.predicate())
            + CONNECTOR;
    assertThat(trainable / 1e9).isCloseTo(4.0, within(0.1));
    MemoryPlanner.Setup s =
        new MemoryPlanner.Setup(
            transformer + CONNECTOR, trainable, true, MemoryPlanner.OptimizerState.ADAMW_FP32, 1, 0);
    MemoryPlanner.Plan p = MemoryPlanner.plan(s, 1);
    // The issue: fp16 weights 23.8 GB + fp32 masters 16.2 + gradients 16.2 + AdamW moments 32.3 = about 88 GB; this
    // library's fp16 path also keeps the float16 gradients of the compute copies (2 bytes per trainable value,
    // 8.1 GB; measured on an H200), so its gradients are 24.3 GB and the total 96.7 GB, plus the optimizer's buffer.
    assertThat(transformer * 2 / 1e9).isCloseTo(23.8, within(0.1)); // plus 0.19 GB for the connector
    assertThat(p.weights() / 1e9).isCloseTo(24.0, within(0.1));
    assertThat(p.masters() / 1e9).isCloseTo(16.2, within(0.1));
    assertThat(p.gradients() / 1e9).isCloseTo(24.3, within(0.1));
    assertThat(p.gradients()).isEqualTo(6 * trainable);
    assertThat(p.optimizer() / 1e9).isCloseTo(32.3, within(0.2));
    // The bucketed AdamW's update buffer (one bucket of 2^26 float32 values) is kept; one more bucket is a
    // temporary of the step; fp16's gradient accumulators are already flat, so no gradient copy.
    assertThat(p.stepBuffers()).isEqualTo(4L << 26);
    assertThat(p.stepTemporaries()).isEqualTo(4L << 26);
    assertThat(p.beforeActivations() / 1e9).isCloseTo(97.0, within(0.1)).isGreaterThan(80);
    assertThat(p.total()).isEqualTo(p.beforeActivations() + p.stepTemporaries());
    // What an 80 GB GPU needs instead: moments sharded over 8 GPUs, or 8-bit moments.
    MemoryPlanner.Setup sharded =
        new MemoryPlanner.Setup(
            transformer + CONNECTOR, trainable, true, MemoryPlanner.OptimizerState.ADAMW_FP32_SHARDED, 8, 0);
    assertThat(MemoryPlanner.plan(sharded, 1).beforeActivations() / 1e9).isLessThan(80);
    MemoryPlanner.Setup eightBit =
        new MemoryPlanner.Setup(
            transformer + CONNECTOR, trainable, true, MemoryPlanner.OptimizerState.ADAMW_8BIT, 1, 0);
    assertThat(MemoryPlanner.plan(eightBit, 1).beforeActivations() / 1e9).isLessThan(80);
  }

  @Test
  void checkpointingCutsKontextActivationsAt1024ByMoreThanAnOrderOfMagnitude() {
    FluxConfig c = FluxConfig.flux1KontextDev();
    long tokens = MemoryPlanner.kontextTokens(1024, 512);
    assertThat(tokens).isEqualTo(2 * 4096 + 512);
    long plain = MemoryPlanner.fluxActivationsPerSample(c, tokens, 2, false);
    long ckpt = MemoryPlanner.fluxActivationsPerSample(c, tokens, 2, true);
    assertThat(plain / 1e9).isGreaterThan(100); // "hundreds of GB"
    assertThat(ckpt * 10).isLessThan(plain);
  }

  @Test
  void largestBatchIsTheLastBatchWhosePlanFits() {
    MemoryPlanner.Setup s =
        new MemoryPlanner.Setup(1_000, 100, false, MemoryPlanner.OptimizerState.ADAMW_FP32, 1, 500);
    long fixed = MemoryPlanner.plan(s, 1).beforeActivations();
    // weights, gradients, moments, and the optimizer's one-bucket buffer (the 100 trainable values)
    assertThat(fixed).isEqualTo(1_000 * 4 + 100 * 4 + 100 * 8 + 100 * 4);
    int b = MemoryPlanner.largestBatch(s, fixed + 500 * 7 + 499);
    assertThat(b).isEqualTo(7);
    assertThat(MemoryPlanner.plan(s, b).total()).isLessThanOrEqualTo(fixed + 500 * 7 + 499);
    assertThat(MemoryPlanner.plan(s, b + 1).total()).isGreaterThan(fixed + 500 * 7 + 499);
    assertThat(MemoryPlanner.largestBatch(s, fixed + 499)).isZero();
  }

  @Test
  void float32StepPeaksAtTheOptimizerWhenItsGradientCopyOutweighsTheActivations() {
    // float32 training: FineTuner gathers the per-tensor gradients into flat buckets (4 bytes per trainable
    // value) and AdamW holds one bucket-sized temporary, after the backward pass has released the activations.
    MemoryPlanner.Setup s =
        new MemoryPlanner.Setup(1_000, 100, false, MemoryPlanner.OptimizerState.ADAMW_FP32, 1, 300);
    long fixed = MemoryPlanner.plan(s, 1).beforeActivations();
    assertThat(MemoryPlanner.plan(s, 1).stepTemporaries()).isEqualTo(100 * 4 + 100 * 4);
    assertThat(MemoryPlanner.plan(s, 2).total()).isEqualTo(fixed + 800); // the step's 800 > 2 x 300
    assertThat(MemoryPlanner.plan(s, 3).total()).isEqualTo(fixed + 900); // 3 x 300 > 800
    // One sample's 300 bytes fit in 799 spare bytes, the step's temporaries do not.
    assertThat(MemoryPlanner.largestBatch(s, fixed + 799)).isZero();
    assertThat(MemoryPlanner.largestBatch(s, fixed + 800)).isEqualTo(2);
    // Buckets hold at most 2^26 values: a larger selection's buffer and temporary stay at one bucket.
    MemoryPlanner.Plan big = MemoryPlanner.plan(
        new MemoryPlanner.Setup(1L << 30, 1L << 28, true, MemoryPlanner.OptimizerState.ADAMW_FP32, 1, 0), 1);
    assertThat(big.stepBuffers()).isEqualTo(4L << 26);
    assertThat(big.stepTemporaries()).isEqualTo(4L << 26);
  }

  @Test
  void kontextDevPlanAddsTheReleaseConnectorAndLoraAdaptersToTheBase() {
    long base = MemoryPlanner.parameters(FluxConfig.flux1KontextDev());
    MemoryPlanner.KontextDevPlan stage1 = MemoryPlanner.kontextDev(MemoryPlanner.FineTune.STAGE1, 16,
        MemoryPlanner.OptimizerState.ADAMW_FP32, 8, 80_000_000_000L, 512, 512, 1024);
    assertThat(stage1.trainable()).isEqualTo(CONNECTOR).isEqualTo(MemoryPlanner.RELEASE_CONNECTOR);
    assertThat(stage1.total()).isEqualTo(base + CONNECTOR);
    assertThat(stage1.gpus()).isEqualTo(1); // not sharded: the GPU count does not divide the moments
    assertThat(stage1.resolutions()).extracting(MemoryPlanner.Resolution::side).containsExactly(512, 1024);
    MemoryPlanner.KontextDevPlan lora = MemoryPlanner.kontextDev(MemoryPlanner.FineTune.LORA, 16,
        MemoryPlanner.OptimizerState.ADAMW_FP32, 1, 48_000_000_000L, 512, 512, 1024);
    // Rank 16 on Kontext-dev's 19 double + 38 single blocks of width 3072: tens of millions of adapter values.
    assertThat(lora.trainable()).isEqualTo(MemoryPlanner.loraParameters(FluxConfig.flux1KontextDev(), 16));
    assertThat(lora.trainable() / 1e6).isBetween(20.0, 200.0);
    assertThat(MemoryPlanner.loraParameters(FluxConfig.flux1KontextDev(), 32)).isEqualTo(2 * lora.trainable());
    assertThat(lora.total()).isEqualTo(base + CONNECTOR + lora.trainable());
    assertThat(lora.fitsBeforeActivations()).isTrue();
    assertThat(lora.resolutions().get(0).batchCheckpointed()).isGreaterThanOrEqualTo(1);
    // At 1024x1024 (8,704 tokens) one checkpointed block's recomputation keeps 24 heads x 8,704^2 attention maps
    // several times over (this engine has no fused attention): about 20.9 GB per sample, so with rank 16's 25.6 GB
    // before activations one sample fits 48 GB and two do not.
    MemoryPlanner.Resolution r1024 = lora.resolutions().get(1);
    assertThat(r1024.activationsCheckpointed() / 1e9).isCloseTo(20.9, within(0.1));
    assertThat(r1024.batchCheckpointed()).isEqualTo(1);
  }

  @Test
  void residentReleaseEncodersAreCountedFromTheRealConfigsAndLeaveStageTwoAt1024NoSampleOn141Gb() {
    // Qwen2.5-VL-7B-Instruct (vision tower included) and the T5-XXL encoder, as published: 8.29 B and 4.76 B.
    assertThat(MemoryPlanner.Encoders.CACHED.parameters()).isZero();
    assertThat(MemoryPlanner.Encoders.QWEN.parameters() / 1e9).isCloseTo(8.29, within(0.01));
    assertThat((MemoryPlanner.Encoders.QWEN_T5.parameters() - MemoryPlanner.Encoders.QWEN.parameters()) / 1e9)
        .isCloseTo(4.76, within(0.01));
    MemoryPlanner.KontextDevPlan cached = MemoryPlanner.kontextDev(
        MemoryPlanner.FineTune.STAGE2, 16, MemoryPlanner.OptimizerState.ADAMW_FP32, 1, 141_000_000_000L, 512, 1024);
    MemoryPlanner.KontextDevPlan both = MemoryPlanner.kontextDev(
        MemoryPlanner.FineTune.STAGE2, 16, MemoryPlanner.OptimizerState.ADAMW_FP32, 1, 141_000_000_000L, 512,
        MemoryPlanner.Encoders.QWEN_T5, 1024);
    // Frozen fp16 weights only: 2 bytes per encoder parameter, nothing else changes.
    assertThat(both.fixed().weights() - cached.fixed().weights())
        .isEqualTo(2 * MemoryPlanner.Encoders.QWEN_T5.parameters());
    assertThat(both.trainable()).isEqualTo(cached.trainable());
    assertThat(both.fixed().beforeActivations() / 1e9).isCloseTo(123.1, within(0.1));
    // 141 GB - 97.0 leaves two checkpointed samples of 20.9 GB; with both encoders resident (123.1) none fits.
    assertThat(cached.resolutions().get(0).batchCheckpointed()).isEqualTo(2);
    assertThat(both.resolutions().get(0).batchCheckpointed()).isEqualTo(0);
  }

  @Test
  void sd3MediumCountsTheRealTransformersParametersAndItsInstructPix2PixPlanMatchesHandArithmeticAt1024() {
    // SD3-Medium's transformer: 2,028,328,000 parameters; the InstructPix2Pix patch embedding reads 32 channels
    // (16 more x 2 x 2 x 1536 weights).
    assertThat(MemoryPlanner.parameters(Sd3Config.sd3Medium())).isEqualTo(2_028_328_000L);
    long p = 2_028_328_000L + 16L * 2 * 2 * 1536;
    assertThat(MemoryPlanner.parameters(Sd3Config.sd3MediumInstructPix2Pix())).isEqualTo(p);

    MemoryPlanner.Sd3MediumPlan plan = MemoryPlanner.sd3MediumInstructPix2Pix(
        MemoryPlanner.OptimizerState.ADAMW_FP32, 8, 80_000_000_000L, MemoryPlanner.SD3_TEXT_TOKENS, 1024);
    assertThat(plan.parameters()).isEqualTo(p);
    assertThat(plan.gpus()).as("not sharded").isEqualTo(1);
    // fp16 weights 2 + fp32 masters 4 + gradients 4 + 2 (the compute copies' float16 ones) + AdamW moments 8 bytes
    // per parameter, and the optimizer's one-bucket buffer.
    assertThat(plan.fixed().weights()).isEqualTo(2 * p);
    assertThat(plan.fixed().masters()).isEqualTo(4 * p);
    assertThat(plan.fixed().gradients()).isEqualTo(6 * p);
    assertThat(plan.fixed().optimizer()).isEqualTo(8 * p);
    assertThat(plan.fixed().stepBuffers()).isEqualTo(4L << 26);
    assertThat(plan.fixed().beforeActivations()).isEqualTo(20 * p + (4L << 26));
    assertThat(plan.fitsBeforeActivations()).isTrue();

    MemoryPlanner.Resolution r = plan.resolutions().get(0);
    long tokens = 64 * 64 + 77 + 256; // (1024 / 16)^2 image tokens + 333 text tokens
    assertThat(r.tokens()).isEqualTo(tokens);
    double d = 1536;
    double maps = 24.0 * tokens * tokens;
    double saved = 24 * tokens * d + 0.75 * maps; // a block that has run
    double recorded = 45 * tokens * d + 2.0 * maps; // the block being recomputed
    double once = 7.8 * tokens * d + 2.25 * maps;
    assertThat(r.activationsPlain()).isEqualTo((long) Math.ceil((24 * saved + once) * 2));
    assertThat(r.activationsCheckpointed()).isEqualTo((long) Math.ceil((24 * tokens * d + recorded + once) * 2));
    assertThat(r.activationsCheckpointed()).isEqualTo(5_046_604_563L);
    // 80 GB - 40.8 GB leaves 39.2 GB: one plain sample (27.0 GB each), 7 checkpointed samples of 5.05 GB.
    assertThat(r.batchPlain()).isEqualTo(1);
    assertThat(r.batchCheckpointed()).isEqualTo(7);
  }

  @Test
  void sd3TokensArePatchesOfTheEightfoldLatentsPlusTextAndRejectSidesOffTheGrid() {
    assertThat(MemoryPlanner.sd3Tokens(512, 333)).isEqualTo(32 * 32 + 333);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> MemoryPlanner.sd3Tokens(520, 333))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("520");
  }

  @Test
  void shardedOptimizerStateLetsSd3MediumTrainMoreSamplesPerGpu() {
    MemoryPlanner.Sd3MediumPlan one = MemoryPlanner.sd3MediumInstructPix2Pix(
        MemoryPlanner.OptimizerState.ADAMW_FP32, 8, 80_000_000_000L, 333, 512);
    MemoryPlanner.Sd3MediumPlan sharded = MemoryPlanner.sd3MediumInstructPix2Pix(
        MemoryPlanner.OptimizerState.ADAMW_FP32_SHARDED, 8, 80_000_000_000L, 333, 512);
    assertThat(sharded.fixed().optimizer()).isEqualTo((one.fixed().optimizer() + 7) / 8);
    assertThat(sharded.resolutions().get(0).batchCheckpointed())
        .isGreaterThan(one.resolutions().get(0).batchCheckpointed());
  }
}
