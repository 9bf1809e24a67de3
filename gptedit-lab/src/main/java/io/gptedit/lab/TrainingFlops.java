package io.gptedit.lab;

import io.gptedit.models.flux.FluxConfig;

/**
 * Analytic floating-point operation count of a Flux transformer's training step, for throughput figures.
 *
 * <p>Counted: every matrix product, at {@code 2 m n k} FLOPs (one multiply and one add per multiply-add): all linear
 * layers (image and text embedders, the timestep, guidance and pooled-text MLPs, the AdaLN modulation projections,
 * q/k/v/out projections, MLPs, the output layer's modulation and projection) and the two attention products
 * {@code Q K^T} and {@code A V} ({@code 2 S^2 d} multiply-adds per block over all heads). The output projection is
 * counted over all image tokens (noisy and condition), as the lab computes it before slicing. A training step is
 * counted as three forward passes (the backward pass computes two products per forward product: the gradient of
 * the input and of the weight), times the batch. Ignored: norms, activations, softmax, RoPE, modulation and
 * residual arithmetic, bias adds, the loss and the optimizer update (all elementwise, linear in the activations
 * or the parameters), and the backward products the graph could skip (the input gradient of the first layers).
 *
 * @since 0.1
 */
public final class TrainingFlops {
  private TrainingFlops() {}

  /**
   * One forward pass's matrix-product FLOPs for one sample, split by kind.
   *
   * @param linear FLOPs of the linear layers
   * @param attention FLOPs of {@code Q K^T} and {@code A V}
   */
  public record Forward(double linear, double attention) {
    /**
     * Returns linear plus attention FLOPs.
     *
     * @return the sum
     */
    public double total() {
      return linear + attention;
    }
  }

  /**
   * Counts one sample's forward pass.
   *
   * @param c the transformer
   * @param textTokens text tokens per sample
   * @param imageTokens image tokens per sample (noisy plus condition)
   * @return the FLOPs
   */
  public static Forward forward(FluxConfig c, long textTokens, long imageTokens) {
    if (textTokens < 0 || imageTokens < 1) {
      throw new IllegalArgumentException(
          "need text tokens >= 0 and image tokens >= 1, got " + textTokens + " and " + imageTokens);
    }
    double d = c.hidden();
    double mlp = d * c.mlpRatio();
    double s = textTokens + imageTokens;
    int t = FluxConfig.TIMESTEP_PROJECTION_DIM;
    // Multiply-adds: (rows the layer is applied to) x in x out, summed.
    double macs = imageTokens * c.inChannels() * d + textTokens * c.jointAttentionDim() * d;
    macs += t * d + d * d + c.pooledProjectionDim() * d + d * d;
    if (c.guidanceEmbeds()) {
      macs += t * d + d * d;
    }
    // Double block: two AdaLN projections (once per sample), q/k/v and the output projection over both streams,
    // and an MLP per stream.
    double dbl = 2 * d * 6 * d + s * 3 * d * d + s * d * d + s * 2 * d * mlp;
    // Single block: one AdaLN projection, q/k/v, the MLP input and the fused output projection.
    double single = d * 3 * d + s * 3 * d * d + s * d * mlp + s * (d + mlp) * d;
    macs += c.numLayers() * dbl + c.numSingleLayers() * single;
    macs += d * 2 * d + imageTokens * d * c.outChannels();
    double attentionMacs = (c.numLayers() + c.numSingleLayers()) * 2 * s * s * d;
    return new Forward(2 * macs, 2 * attentionMacs);
  }

  /**
   * Counts one training step: forward and backward of a batch, three forward passes' worth.
   *
   * @param c the transformer
   * @param textTokens text tokens per sample
   * @param imageTokens image tokens per sample (noisy plus condition)
   * @param batch samples per step
   * @return the FLOPs of the step
   */
  public static double trainingStep(FluxConfig c, long textTokens, long imageTokens, int batch) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be >= 1, got " + batch);
    }
    return 3.0 * batch * forward(c, textTokens, imageTokens).total();
  }
}
