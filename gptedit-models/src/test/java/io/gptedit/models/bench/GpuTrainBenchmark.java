package io.gptedit.models.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.gptedit.models.flow.SeededNoise;
import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.flux.FluxInput;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.flux.LatentPacking;
import io.gptedit.models.nn.Devices;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.train.AdamWOptimizer;
import io.gptedit.models.train.FineTuner;
import io.gptedit.models.train.FlowMatchingLoss;
import io.gptedit.models.train.LossScaler;
import io.gptedit.models.train.LrSchedule;
import io.gptedit.models.train.MemoryPlanner;
import io.gptedit.models.train.ParameterSelection;
import io.gptedit.models.train.Precision;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The Java side of {@code tools/gpu/run.sh}: trains a random-weight Kontext transformer (weights made on the device
 * by {@link ModelWeights#randomOnEngine}) for a few steps through {@link FineTuner}, stage-2 selection or LoRA, fp16
 * compute with fp32 masters, optionally with block checkpointing, and prints one {@code result ...} line (samples/s,
 * ms/step) in the key=value format {@code tools/gpu/torch_step.py} prints for PyTorch eager.
 *
 * <p>Flags: {@code --device gpu:0} (cpu), {@code --config kontext-dev|small} (small: 2+4 blocks, 8 x 64), {@code
 * --side 512} (image side in pixels; tokens = 2 (side/16)^2 + text), {@code --text 512}, {@code --mode stage2|lora16}
 * (any rank after {@code lora}), {@code --batch 1}, {@code --steps 6}, {@code --warmup 2}, {@code --ckpt true}, {@code
 * --precision fp16|fp32}.
 */
public final class GpuTrainBenchmark {
  private GpuTrainBenchmark() {}

  public static void main(String[] args) {
    Map<String, String> a = new LinkedHashMap<>(Map.of(
        "--device", "cpu", "--config", "small", "--side", "512", "--text", "512", "--mode", "stage2",
        "--batch", "1", "--steps", "6", "--warmup", "2", "--ckpt", "true", "--precision", "fp16"));
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!a.containsKey(args[i])) {
        throw new IllegalArgumentException("unknown flag " + args[i] + " (know " + a.keySet() + ")");
      }
      a.put(args[i], args[i + 1]);
    }
    Device device = Devices.require(Devices.parse(a.get("--device")));
    FluxConfig c = switch (a.get("--config")) {
      case "kontext-dev" -> FluxConfig.flux1KontextDev();
      case "small" -> new FluxConfig(64, 64, 2, 4, 8, 64, 512, 768, true, new int[] {16, 24, 24}, 10000, 4);
      default -> throw new IllegalArgumentException("--config kontext-dev or small");
    };
    int side = Integer.parseInt(a.get("--side"));
    int text = Integer.parseInt(a.get("--text"));
    int batch = Integer.parseInt(a.get("--batch"));
    int steps = Integer.parseInt(a.get("--steps"));
    int warmup = Integer.parseInt(a.get("--warmup"));
    boolean ckpt = Boolean.parseBoolean(a.get("--ckpt"));
    boolean fp16 = a.get("--precision").equals("fp16");
    String mode = a.get("--mode");
    int grid = side / 16; // 8x VAE downsampling, then 2x2 packing
    int total = warmup + steps;

    long t0 = System.nanoTime();
    ModelWeights w = ModelWeights.randomOnEngine(
        FluxTransformer.spec(c), 1, device, fp16 ? DataType.FLOAT16 : DataType.FLOAT32);
    ParameterSelection selection;
    if (mode.startsWith("lora")) {
      int rank = Integer.parseInt(mode.substring(4));
      w.addLora(loraLayers(w.asMap().keySet()), rank, rank, 3);
      selection = ParameterSelection.loraOnly();
    } else if (mode.equals("stage2")) {
      selection = ParameterSelection.paperStage2("connector.");
    } else {
      throw new IllegalArgumentException("--mode stage2 or loraN");
    }
    try (FluxTransformer model = new FluxTransformer(c, w)) {
      model.setActivationCheckpointing(ckpt);
      // Trainable parameters as float32 masters (the trainer keeps their float16 compute copies); frozen as made.
      Map<String, NDArray> params = new LinkedHashMap<>();
      List<NDArray> masters = new ArrayList<>();
      for (Map.Entry<String, NDArray> e : w.asMap().entrySet()) {
        NDArray p = e.getValue();
        if (selection.predicate().test(e.getKey()) && p.getDataType() != DataType.FLOAT32) {
          p = p.toType(DataType.FLOAT32, true);
          masters.add(p);
        }
        params.put(e.getKey(), p);
      }
      double setup = (System.nanoTime() - t0) / 1e9;
      long[] ends = new long[total];
      FineTuner.Builder b = FineTuner.builder();
      if (fp16) {
        b.optPrecision(Precision.FP16).optLossScaling(LossScaler.Config.defaults());
      }
      int[][] ids = ids(grid);
      try (FineTuner t = b.setParameters(params)
          .optSelection(selection)
          .setOptimizer(new AdamWOptimizer(0.9, 0.999, 1e-8, 0.0).create())
          .setSchedule(new LrSchedule.Cosine(1e-5, 1e-6, 0, total))
          .setSteps(total)
          .optSeed(1)
          .optSamplesPerMicroBatch(batch)
          .optListener(m -> ends[(int) m.step() - 1] = System.nanoTime())
          .build()) {
        t.train(ctx -> {
          NDManager m = ctx.manager();
          FluxTransformer compute = model.withParameters(ctx.parameters());
          long image = 2L * grid * grid;
          NDArray x = ctx.toComputeType(m.randomNormal(new Shape(batch, image, c.inChannels())));
          NDArray target = m.randomNormal(new Shape(batch, image, c.outChannels()));
          NDArray txt = ctx.toComputeType(m.randomNormal(new Shape(batch, text, c.jointAttentionDim())));
          NDArray pooled = ctx.toComputeType(m.randomNormal(new Shape(batch, c.pooledProjectionDim())));
          float[] sigma = new float[batch];
          float[] guidance = new float[batch];
          Arrays.fill(sigma, 0.5f);
          Arrays.fill(guidance, 2.5f);
          NDArray v = compute.forward(
              new FluxInput(x, txt, pooled, sigma, guidance, ids, FluxInput.zeroTextIds(text)), m);
          return FlowMatchingLoss.loss(ctx.toFloat32(v), target, null);
        });
      }
      masters.forEach(NDArray::close);
      double seconds = (ends[total - 1] - ends[warmup - 1]) / 1e9;
      double[] ms = new double[steps];
      for (int i = 0; i < steps; i++) {
        ms[i] = (ends[warmup + i] - ends[warmup + i - 1]) / 1e6;
      }
      Arrays.sort(ms);
      long trainable = params.keySet().stream().filter(selection.predicate()).mapToLong(n -> params.get(n).size()).sum();
      System.out.printf(Locale.ROOT,
          "result impl=java engine=%s device=%s config=%s side=%d tokens=%d mode=%s precision=%s ckpt=%s batch=%d"
              + " params=%d trainable=%d setup_s=%.1f steps=%d step_ms=%.1f step_ms_median=%.1f samples_per_s=%.3f"
              + " planned_gb=%.1f%n",
          Engine.getInstance().getVersion(), Devices.name(device), a.get("--config"), side,
          MemoryPlanner.kontextTokens(side, text), mode, a.get("--precision"), ckpt, batch,
          MemoryPlanner.parameters(c), trainable, setup, steps, 1e3 * seconds / steps, ms[steps / 2],
          steps * batch / seconds, planned(c, trainable, fp16, ckpt, side, text, batch) / 1e9);
    }
  }

  /** Every attention and MLP projection of the blocks (as {@link MemoryPlanner#loraParameters} counts them). */
  static List<String> loraLayers(Set<String> names) {
    List<String> out = new ArrayList<>();
    for (String n : names) {
      if (n.endsWith(".weight")
          && n.matches("(transformer_blocks\\.\\d+\\.(attn\\.(to_q|to_k|to_v|add_q_proj|add_k_proj|add_v_proj|"
              + "to_out\\.0|to_add_out)|ff\\.net\\.(0\\.proj|2)|ff_context\\.net\\.(0\\.proj|2))"
              + "|single_transformer_blocks\\.\\d+\\.(attn\\.(to_q|to_k|to_v)|proj_mlp|proj_out))\\.weight")) {
        out.add(n.substring(0, n.length() - ".weight".length()));
      }
    }
    return out;
  }

  private static int[][] ids(int grid) {
    int[][] noisy = LatentPacking.imageIds(0, grid, grid);
    int[][] cond = LatentPacking.imageIds(1, grid, grid);
    int[][] ids = new int[noisy.length + cond.length][];
    System.arraycopy(noisy, 0, ids, 0, noisy.length);
    System.arraycopy(cond, 0, ids, noisy.length, cond.length);
    return ids;
  }

  private static long planned(FluxConfig c, long trainable, boolean fp16, boolean ckpt, int side, int text, int batch) {
    long act = MemoryPlanner.fluxActivationsPerSample(c, MemoryPlanner.kontextTokens(side, text), fp16 ? 2 : 4, ckpt);
    MemoryPlanner.Setup s = new MemoryPlanner.Setup(
        MemoryPlanner.parameters(c), trainable, fp16, MemoryPlanner.OptimizerState.ADAMW_FP32, 1, act);
    return MemoryPlanner.plan(s, batch).total();
  }
}
