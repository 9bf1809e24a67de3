package io.gptedit.examples;

import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.train.MemoryPlanner;
import io.gptedit.models.train.ParameterSelection;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Prints the memory planner's estimate for fine-tuning FLUX.1-Kontext-dev with the release's connector. */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = "Estimate the peak device memory of a Kontext-dev fine-tuning step (stage 1, stage 2 or LoRA) "
        + "with the release's MLP connector: weights, fp32 masters, gradients, optimizer state, activations with "
        + "and without block checkpointing, and the largest batch per resolution that fits. Estimates, not "
        + "measurements (docs/benchmarks.md).")
final class PlanCommand implements Callable<Integer> {
  /** The release's connector: Linear(3584, 12288) -> SiLU -> Linear(12288, 4096). */
  static final long CONNECTOR = 3584L * 12288 + 12288 + 12288L * 4096 + 4096;

  enum Stage { STAGE1, STAGE2, LORA }

  @Option(names = "--stage", description = "STAGE1 (connector), STAGE2 (connector + image branch) or LORA "
      + "(default ${DEFAULT-VALUE}).")
  Stage stage = Stage.STAGE2;

  @Option(names = "--lora-rank", description = "LoRA rank on every attention and MLP projection (default ${DEFAULT-VALUE}).")
  int loraRank = 16;

  @Option(names = "--memory-gb", description = "Device memory in GB (default ${DEFAULT-VALUE}).")
  double memoryGb = 80;

  @Option(names = "--optimizer", description = "ADAMW_FP32, ADAMW_8BIT or ADAMW_FP32_SHARDED (default ${DEFAULT-VALUE}).")
  MemoryPlanner.OptimizerState optimizer = MemoryPlanner.OptimizerState.ADAMW_FP32;

  @Option(names = "--gpus", description = "GPUs sharing sharded optimizer state (default ${DEFAULT-VALUE}).")
  int gpus = 8;

  @Option(names = "--text-tokens", description = "Text tokens in the sequence (default ${DEFAULT-VALUE}).")
  int textTokens = 512;

  @Override
  public Integer call() {
    FluxConfig c = FluxConfig.flux1KontextDev();
    long transformer = MemoryPlanner.parameters(c);
    long total = transformer + CONNECTOR;
    long trainable =
        switch (stage) {
          case STAGE1 -> CONNECTOR;
          case STAGE2 -> CONNECTOR
              + MemoryPlanner.parameters(FluxTransformer.spec(c), ParameterSelection.paperStage2("c.").predicate());
          case LORA -> loraParameters(c, loraRank);
        };
    if (stage == Stage.LORA) {
      total += trainable;
    }
    int shards = optimizer == MemoryPlanner.OptimizerState.ADAMW_FP32_SHARDED ? gpus : 1;
    long memory = (long) (memoryGb * 1e9);
    System.out.printf(Locale.ROOT, "FLUX.1-Kontext-dev %s: %.2f B trainable of %.2f B parameters, fp16 weights, %s%n",
        stage, trainable / 1e9, total / 1e9, optimizer + (shards > 1 ? " over " + shards + " GPUs" : ""));
    MemoryPlanner.Plan fixed = MemoryPlanner.plan(new MemoryPlanner.Setup(total, trainable, true, optimizer, shards, 0), 1);
    System.out.println(fixed);
    if (fixed.beforeActivations() > memory) {
      System.out.printf(Locale.ROOT, "does not fit %.0f GB before activations: shard the optimizer state "
          + "(--optimizer ADAMW_FP32_SHARDED) or use 8-bit moments (--optimizer ADAMW_8BIT), or train LoRA%n",
          memoryGb);
    }
    System.out.printf(Locale.ROOT, "%-10s %7s %14s %14s %22s%n", "resolution", "tokens", "acts plain", "acts ckpt",
        "largest batch " + (long) memoryGb + " GB");
    for (int side : new int[] {512, 768, 1024}) {
      long tokens = MemoryPlanner.kontextTokens(side, textTokens);
      long plain = MemoryPlanner.fluxActivationsPerSample(c, tokens, 2, false);
      long ckpt = MemoryPlanner.fluxActivationsPerSample(c, tokens, 2, true);
      int bPlain = MemoryPlanner.largestBatch(
          new MemoryPlanner.Setup(total, trainable, true, optimizer, shards, plain), memory);
      int bCkpt = MemoryPlanner.largestBatch(
          new MemoryPlanner.Setup(total, trainable, true, optimizer, shards, ckpt), memory);
      System.out.printf(Locale.ROOT, "%-10s %7d %11.1f GB %11.1f GB %12d / %d (ckpt)%n", side + "x" + side, tokens,
          plain / 1e9, ckpt / 1e9, bPlain, bCkpt);
    }
    return 0;
  }

  /** LoRA A and B on every attention projection and MLP projection of the 57 blocks. */
  static long loraParameters(FluxConfig c, int rank) {
    long d = (long) c.heads() * c.headDim();
    long mlp = d * c.mlpRatio();
    // double block: 6 q/k/v projections + 2 output projections (d x d), 2 MLPs (d -> mlp -> d)
    long dbl = 8 * rank * (d + d) + 2 * rank * ((d + mlp) + (mlp + d));
    // single block: q/k/v (d x d), proj_mlp (d -> mlp), proj_out (d + mlp -> d)
    long sgl = 3 * rank * (d + d) + rank * (d + mlp) + rank * (d + mlp + d);
    return c.numLayers() * dbl + c.numSingleLayers() * sgl;
  }
}
