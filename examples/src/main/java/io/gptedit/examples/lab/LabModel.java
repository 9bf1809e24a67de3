package io.gptedit.examples.lab;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gptedit.models.flow.SeededNoise;
import io.gptedit.models.flow.TimestepSampling;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.flux.LatentPacking;
import io.gptedit.models.train.FlowMatchingLoss;
import io.gptedit.models.train.FineTuner;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The lab's tiny editor: a {@link FluxTransformer} over pixel-space "latents" (RGB in [-1, 1], packed 2x2 into
 * 12 channels; no VAE at this size), conditioned on text through {@link LabText} (a frozen {@link TinyTextEncoder}
 * and, for the MLLM fusions, a frozen {@link TinyMllm}). How the condition image enters is the paradigm's
 * ({@link LabDenoiser}): by default Kontext's sequence {@code [noisy tokens ; condition tokens]} with the output
 * sliced to the noisy part. The loss and the sampler here are the same for every paradigm.
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
  private final LabText text;
  private final LabDenoiser denoiser;

  LabModel(LabConfig config, TinyTextEncoder encoder) {
    this.config = config;
    this.side = config.size();
    this.text = new LabText(config, encoder);
    this.denoiser = LabDenoiser.create(config, text.dim(), text.tokens());
    this.flux = denoiser.flux();
    if (config.zeroHead()) {
      for (String name : new String[] {"proj_out.weight", "proj_out.bias"}) {
        NDArray p = flux.parameters().get(name);
        p.subi(p);
      }
    }
  }

  FluxTransformer flux() {
    return flux;
  }

  /**
   * Every trainable parameter: the backbone's, the paradigm's projector (SIGLIP) and the text connector (MLLM
   * fusions), by name. The frozen encoders are not here.
   */
  Map<String, NDArray> parameters() {
    Map<String, NDArray> all = new LinkedHashMap<>(flux.parameters().asMap());
    for (Map<String, NDArray> extra : List.of(denoiser.extraParameters(), text.parameters())) {
      extra.forEach(
          (name, p) -> {
            if (all.putIfAbsent(name, p) != null) {
              throw new IllegalStateException("two parameters named " + name);
            }
          });
    }
    return all;
  }

  /** The text side (for tests). */
  LabText text() {
    return text;
  }

  long parameterCount() {
    long n = 0;
    for (NDArray p : parameters().values()) {
      n += p.size();
    }
    return n;
  }

  /** One micro-batch of the training loss over the given examples; noise and flow times come from the step's random source. */
  NDArray loss(List<LabExample> examples, FineTuner.StepContext ctx) {
    NDManager m = ctx.manager();
    SplittableRandom r = ctx.random();
    LabExample[] batch = examples.toArray(new LabExample[0]);
    int b = batch.length;
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
    return denoiser.forward(m, noisy, cond, text.condition(m, batch), batch, t);
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
    denoiser.close();
    text.close();
  }
}
