package io.gptedit.examples.lab;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gptedit.models.flow.SeededNoise;
import io.gptedit.models.flow.TimestepSampling;
import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.flux.FluxInput;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.flux.LatentPacking;
import io.gptedit.models.train.FlowMatchingLoss;
import io.gptedit.models.train.Trainer;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The lab's tiny Kontext-style editor: a {@link FluxTransformer} over pixel-space "latents" (RGB in [-1, 1],
 * packed 2x2 into 12 channels; no VAE at this size), with the sequence {@code [noisy tokens ; condition tokens]}
 * and the output sliced to the noisy part, conditioned on a frozen {@link TinyTextEncoder}.
 *
 * <p>Two choices make copying the input easy (see {@code docs/lab.md}): condition tokens may share the noisy
 * tokens' position ids ({@link LabConfig.ConditionIds#SHARED}), and the output may be read as a residual over the
 * condition image ({@link LabConfig.Prediction#RESIDUAL}: {@code x0 = condition + output}, trained with the
 * clean-image MSE) instead of Flux's velocity ({@link LabConfig.Prediction#VELOCITY}).
 */
final class LabModel implements AutoCloseable {
  private final LabConfig config;
  private final FluxTransformer flux;
  private final int side;
  private final int tokens;
  private final int[][] imageIds;
  private final int[][] textIds;
  private final TinyTextEncoder encoder;

  LabModel(LabConfig config, TinyTextEncoder encoder) {
    this.config = config;
    this.encoder = encoder;
    this.side = config.size();
    FluxConfig fc =
        new FluxConfig(
            12, 12, config.doubleBlocks(), config.singleBlocks(), config.heads(), 16, encoder.dim(), encoder.dim(),
            false, new int[] {4, 6, 6}, 10000, 4);
    this.flux = FluxTransformer.random(fc, config.seed() ^ 0x5EEDL);
    if (config.zeroHead()) {
      for (String name : new String[] {"proj_out.weight", "proj_out.bias"}) {
        NDArray p = flux.parameters().get(name);
        p.subi(p);
      }
    }
    this.tokens = (side / 2) * (side / 2);
    int[][] noisy = LatentPacking.imageIds(0, side / 2, side / 2);
    int[][] cond =
        LatentPacking.imageIds(config.conditionIds() == LabConfig.ConditionIds.SHARED ? 0 : 1, side / 2, side / 2);
    this.imageIds = new int[2 * tokens][];
    System.arraycopy(noisy, 0, imageIds, 0, tokens);
    System.arraycopy(cond, 0, imageIds, tokens, tokens);
    this.textIds = FluxInput.zeroTextIds(encoder.tokens());
  }

  FluxTransformer flux() {
    return flux;
  }

  long parameterCount() {
    long n = 0;
    for (NDArray p : flux.parameters().asMap().values()) {
      n += p.size();
    }
    return n;
  }

  /** One micro-batch of the training loss, drawn from the step's random source. */
  NDArray loss(List<LabExample> train, Trainer.StepContext ctx) {
    NDManager m = ctx.manager();
    SplittableRandom r = ctx.random();
    int b = config.batch();
    LabExample[] batch = new LabExample[b];
    for (int i = 0; i < b; i++) {
      batch[i] = train.get(r.nextInt(train.size()));
    }
    NDArray x0 = pixels(m, batch, false);
    NDArray cond = pixels(m, batch, true);
    NDArray noise = SeededNoise.gaussian(m, r.nextLong(), x0.getShape());
    double[] s = TimestepSampling.sample(TimestepSampling.Density.LOGIT_NORMAL, config.timeMean(), 1, r, b);
    float[] sigma = new float[b];
    for (int i = 0; i < b; i++) {
      sigma[i] = (float) s[i];
    }
    NDArray xt = FlowMatchingLoss.noisy(x0, noise, m.create(sigma));
    NDArray out = forward(m, xt, cond, batch, sigma);
    NDArray prediction = config.prediction() == LabConfig.Prediction.RESIDUAL ? cond.add(out) : out;
    NDArray target =
        config.prediction() == LabConfig.Prediction.RESIDUAL ? x0 : FlowMatchingLoss.target(x0, noise);
    if (config.loss() == LabConfig.Loss.MASK_BALANCED) {
      return FlowMatchingLoss.maskBalanced(prediction, target, pack(m, batch, LabExample::maskPixels), config.editShare());
    }
    if (config.editWeight() == 0) {
      return FlowMatchingLoss.loss(prediction, target, null);
    }
    NDArray weight = pack(m, batch, LabExample::maskPixels).mul((float) config.editWeight()).add(1f);
    return prediction.sub(target).square().mul(weight).mean();
  }

  /**
   * Edits a batch with the Euler sampler from seeded noise.
   *
   * @return the edited images as CHW floats in [-1, 1], sample after sample
   */
  float[] edit(LabExample[] batch, int steps, long noiseSeed, NDManager parent) {
    try (NDManager m = parent.newSubManager()) {
      NDArray cond = pixels(m, batch, true);
      NDArray x = SeededNoise.gaussian(m, noiseSeed, cond.getShape());
      for (int k = 0; k < steps; k++) {
        float t = 1f - (float) k / steps;
        float tNext = 1f - (float) (k + 1) / steps;
        float[] ts = new float[batch.length];
        java.util.Arrays.fill(ts, t);
        NDArray out = forward(m, x, cond, batch, ts);
        NDArray v = config.prediction() == LabConfig.Prediction.RESIDUAL ? x.sub(cond.add(out)).div(t) : out;
        x = x.add(v.mul(tNext - t));
      }
      return LatentPacking.unpack(x, side, side).toFloatArray();
    }
  }

  private NDArray forward(NDManager m, NDArray noisy, NDArray cond, LabExample[] batch, float[] t) {
    int b = batch.length;
    int l = encoder.tokens();
    int d = encoder.dim();
    float[] text = new float[b * l * d];
    float[] pooled = new float[b * d];
    for (int i = 0; i < b; i++) {
      System.arraycopy(batch[i].text(), 0, text, i * l * d, l * d);
      System.arraycopy(batch[i].pooled(), 0, pooled, i * d, d);
    }
    NDArray out =
        flux.forward(
            new FluxInput(
                noisy.concat(cond, 1), m.create(text, new Shape(b, l, d)), m.create(pooled, new Shape(b, d)), t,
                null, imageIds, textIds),
            m);
    return out.get(":, 0:" + tokens + ", :");
  }

  private NDArray pixels(NDManager m, LabExample[] batch, boolean input) {
    return pack(m, batch, input ? LabExample::inputPixels : LabExample::targetPixels);
  }

  private NDArray pack(NDManager m, LabExample[] batch, java.util.function.Function<LabExample, float[]> field) {
    int n = 3 * side * side;
    float[] f = new float[batch.length * n];
    for (int i = 0; i < batch.length; i++) {
      System.arraycopy(field.apply(batch[i]), 0, f, i * n, n);
    }
    return LatentPacking.pack(m.create(f, new Shape(batch.length, 3, side, side)));
  }

  @Override
  public void close() {
    flux.close();
  }
}
