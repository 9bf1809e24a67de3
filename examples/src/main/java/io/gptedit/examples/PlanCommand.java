package io.gptedit.examples;

import io.gptedit.models.train.MemoryPlanner;
import io.gptedit.models.train.MemoryPlanner.FineTune;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Prints {@link MemoryPlanner#kontextDev}'s estimate for fine-tuning FLUX.1-Kontext-dev with the release's connector,
 * or {@link MemoryPlanner#sd3MediumInstructPix2Pix}'s for fully fine-tuning SD3-Medium InstructPix2Pix.
 */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = "Estimate the peak device memory of a Kontext-dev fine-tuning step (stage 1, stage 2 or LoRA) "
        + "with the release's MLP connector, or of a full SD3-Medium InstructPix2Pix fine-tuning step (--model "
        + "sd3-medium): weights, fp32 masters, gradients, optimizer state, activations with and without block "
        + "checkpointing, and the largest batch per resolution that fits. Estimates, not measurements "
        + "(docs/benchmarks.md).")
final class PlanCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", description = "kontext-dev (FLUX.1-Kontext-dev with the release's connector) or "
      + "sd3-medium (SD3-Medium InstructPix2Pix, every transformer parameter trained) (default ${DEFAULT-VALUE}).")
  String model = "kontext-dev";

  @Option(names = "--stage", description = "Kontext-dev: STAGE1 (connector), STAGE2 (connector + image branch) or "
      + "LORA (default ${DEFAULT-VALUE}).")
  FineTune stage = FineTune.STAGE2;

  @Option(names = "--lora-rank", description = "LoRA rank on every attention and MLP projection (default ${DEFAULT-VALUE}).")
  int loraRank = 16;

  @Option(names = "--memory-gb", description = "Device memory in GB (default ${DEFAULT-VALUE}).")
  double memoryGb = 80;

  @Option(names = "--optimizer", description = "ADAMW_FP32, ADAMW_8BIT or ADAMW_FP32_SHARDED (default ${DEFAULT-VALUE}).")
  MemoryPlanner.OptimizerState optimizer = MemoryPlanner.OptimizerState.ADAMW_FP32;

  @Option(names = "--gpus", description = "GPUs sharing sharded optimizer state (default ${DEFAULT-VALUE}).")
  int gpus = 8;

  @Option(names = "--text-tokens", description = "Text tokens in the sequence (default 512 for kontext-dev, "
      + "77 CLIP + 256 T5 = 333 for sd3-medium).")
  Integer textTokens;

  @Option(names = "--encoders", description = "Kontext-dev: frozen text encoders on the device: CACHED (embeddings read from a "
      + "cache), QWEN (Qwen2.5-VL-7B) or QWEN_T5 (and T5-XXL), fp16 (default ${DEFAULT-VALUE}).")
  MemoryPlanner.Encoders encoders = MemoryPlanner.Encoders.CACHED;

  @Override
  public Integer call() {
    switch (model) {
      case "kontext-dev":
        return kontextDev();
      case "sd3-medium":
        if (encoders != MemoryPlanner.Encoders.CACHED) {
          throw new ParameterException(spec.commandLine(),
              "--encoders applies to kontext-dev; the sd3-medium plan counts no encoder (embeddings cached)");
        }
        return sd3Medium();
      default:
        throw new ParameterException(spec.commandLine(),
            "--model must be kontext-dev or sd3-medium, got '" + model + "'");
    }
  }

  private int sd3Medium() {
    MemoryPlanner.Sd3MediumPlan p = MemoryPlanner.sd3MediumInstructPix2Pix(optimizer, gpus, (long) (memoryGb * 1e9),
        textTokens == null ? MemoryPlanner.SD3_TEXT_TOKENS : textTokens, 512, 768, 1024);
    System.out.printf(Locale.ROOT, "SD3-Medium InstructPix2Pix full fine-tune: %.2f B parameters, all trained, fp16 "
        + "weights, %s, %d text tokens%n", p.parameters() / 1e9,
        optimizer + (p.gpus() > 1 ? " over " + p.gpus() + " GPUs" : ""), p.textTokens());
    System.out.println(p.fixed());
    if (!p.fitsBeforeActivations()) {
      System.out.printf(Locale.ROOT, "does not fit %.0f GB before activations: shard the optimizer state "
          + "(--optimizer ADAMW_FP32_SHARDED) or use 8-bit moments (--optimizer ADAMW_8BIT)%n", memoryGb);
    }
    printResolutions(p.resolutions());
    return 0;
  }

  private int kontextDev() {
    MemoryPlanner.KontextDevPlan p = MemoryPlanner.kontextDev(stage, loraRank, optimizer, gpus,
        (long) (memoryGb * 1e9), textTokens == null ? 512 : textTokens, encoders, 512, 768, 1024);
    System.out.printf(Locale.ROOT, "FLUX.1-Kontext-dev %s: %.2f B trainable of %.2f B parameters, fp16 weights, %s%n",
        stage, p.trainable() / 1e9, p.total() / 1e9, optimizer + (p.gpus() > 1 ? " over " + p.gpus() + " GPUs" : ""));
    if (encoders != MemoryPlanner.Encoders.CACHED) {
      System.out.printf(Locale.ROOT, "frozen encoders on the device (%s): %.2f B parameters, %.1f GB in fp16%n",
          encoders, encoders.parameters() / 1e9, encoders.parameters() * 2 / 1e9);
    }
    System.out.println(p.fixed());
    if (!p.fitsBeforeActivations()) {
      System.out.printf(Locale.ROOT, "does not fit %.0f GB before activations: shard the optimizer state "
          + "(--optimizer ADAMW_FP32_SHARDED) or use 8-bit moments (--optimizer ADAMW_8BIT), or train LoRA%n",
          memoryGb);
    }
    printResolutions(p.resolutions());
    return 0;
  }

  private void printResolutions(java.util.List<MemoryPlanner.Resolution> rows) {
    System.out.printf(Locale.ROOT, "%-10s %7s %14s %14s %22s%n", "resolution", "tokens", "acts plain", "acts ckpt",
        "largest batch " + (long) memoryGb + " GB");
    for (MemoryPlanner.Resolution r : rows) {
      System.out.printf(Locale.ROOT, "%-10s %7d %11.1f GB %11.1f GB %12d / %d (ckpt)%n", r.side() + "x" + r.side(),
          r.tokens(), r.activationsPlain() / 1e9, r.activationsCheckpointed() / 1e9, r.batchPlain(),
          r.batchCheckpointed());
    }
  }
}
