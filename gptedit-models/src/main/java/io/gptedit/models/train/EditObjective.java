package io.gptedit.models.train;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.gptedit.models.conditioning.TextConditioning;
import io.gptedit.models.conditioning.TextFusion;
import io.gptedit.models.editor.EditDenoiser;
import io.gptedit.models.flow.SeededNoise;
import io.gptedit.models.flow.TimestepSampling;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The rectified-flow training objective of an editor, for every paradigm: draw noise and flow times from the
 * step's random source, noise the target latents, predict the velocity with the paradigm's own {@link
 * EditDenoiser#velocity} (the forward the editor samples with) given the input's condition and the fused text, and
 * compare with {@code noise - x0}: a plain mean squared error, or the mask-balanced error that weighs the edited
 * and kept pixels of each sample equally ({@link FlowMatchingLoss#maskBalanced}).
 *
 * <p>In a {@link Precision#FP16} step the denoiser and the fusion run over the step's float16 parameter copies
 * ({@link EditDenoiser#withParameters}, {@link TextFusion#withParameters} over {@link
 * FineTuner.StepContext#parameters()}), the noisy latents, the condition and the text features are cast to float16,
 * and the predicted velocity is up-cast ({@link FineTuner.StepContext#toFloat32}) so that the loss is computed in
 * float32 against the float32 target. An FP32 step reads the models' own parameters as before.
 *
 * @since 0.1
 */
public final class EditObjective implements FineTuner.LossFunction {
  /** The loss over the latents. */
  public enum Loss {
    /** Mean squared error over every latent value (the paper's released training). */
    MSE,
    /**
     * Per sample, the edited and kept pixels' mean errors weighted {@code editShare : 1 - editShare}, the kept part
     * split once more between the input's structure and its flat regions by {@code structureShare}.
     */
    MASK_BALANCED
  }

  /**
   * The objective's settings.
   *
   * @param loss the loss
   * @param editShare the edited half's weight for {@link Loss#MASK_BALANCED}, in [0, 1]
   * @param density how flow times are drawn
   * @param timeMean the logit-normal mean (0 in the paper; above 0 trains more at high noise)
   * @param timeStd the logit-normal standard deviation
   * @param shiftByResolution whether drawn times are shifted with mu from the image token count, as the paper's
   *     released training does ({@link TimestepSampling#shiftForResolution})
   * @param guidance the guidance-embedding input during training for backbones that have one (1.0 in the release)
   * @param structureShare for {@link Loss#MASK_BALANCED}: the part of the kept weight on the input's structure (its
   *     colour edges, {@link io.gptedit.core.image.EditMask#edges}; {@link FlowMatchingLoss#maskBalanced(
   *     ai.djl.ndarray.NDArray, ai.djl.ndarray.NDArray, ai.djl.ndarray.NDArray, double, ai.djl.ndarray.NDArray,
   *     double)}), in [0, 1]; 0 weighs every kept pixel alike
   */
  public record Config(
      Loss loss,
      double editShare,
      TimestepSampling.Density density,
      double timeMean,
      double timeStd,
      boolean shiftByResolution,
      double guidance,
      double structureShare) {
    /** Validates the settings. */
    public Config {
      requireNonNull(loss, "loss");
      requireNonNull(density, "density");
      checkArgument(editShare >= 0 && editShare <= 1, "editShare must be in [0, 1], got %s", editShare);
      checkArgument(timeStd > 0, "timeStd must be positive, got %s", timeStd);
      checkArgument(structureShare >= 0 && structureShare <= 1, "structureShare must be in [0, 1], got %s",
          structureShare);
    }

    /**
     * The paper's released recipe: plain MSE, logit-normal N(0, 1) times shifted by resolution, guidance 1.0.
     *
     * @return the config
     */
    public static Config paper() {
      return new Config(Loss.MSE, 0.5, TimestepSampling.Density.LOGIT_NORMAL, 0, 1, true, 1.0, 0);
    }
  }

  private final EditDenoiser denoiser;
  private final TextFusion text;
  private final EditCollator collator;
  private final EditBatchSource batches;
  private final Config config;

  /**
   * Creates the objective.
   *
   * @param denoiser the paradigm's denoiser (its parameters are what trains, with the fusion's connector)
   * @param text the text fusion
   * @param collator turns samples into tensors (it must use the same denoiser and fusion)
   * @param batches each step's examples
   * @param config the settings
   */
  public EditObjective(
      EditDenoiser denoiser, TextFusion text, EditCollator collator, EditBatchSource batches, Config config) {
    this.denoiser = requireNonNull(denoiser, "denoiser");
    this.text = requireNonNull(text, "text");
    this.collator = requireNonNull(collator, "collator");
    this.batches = requireNonNull(batches, "batches");
    this.config = requireNonNull(config, "config");
  }

  /**
   * Returns the settings.
   *
   * @return the config
   */
  public Config config() {
    return config;
  }

  @Override
  public NDArray loss(FineTuner.StepContext context) {
    NDManager m = context.manager();
    SplittableRandom r = context.random();
    EditBatchSource.MicroBatch mb = batches.batch(context.step(), context.micro());
    EditCollator.Batch batch = collator.collate(mb.samples(), mb.size(), m);
    NDArray x0 = batch.target();
    int b = Math.toIntExact(x0.getShape().get(0));
    NDArray noise = SeededNoise.gaussian(m, r.nextLong(), x0.getShape());
    double[] s = TimestepSampling.sample(config.density(), config.timeMean(), config.timeStd(), r, b);
    int tokens =
        Math.toIntExact(x0.getShape().get(2) * x0.getShape().get(3))
            / (denoiser.patchSize() * denoiser.patchSize());
    float[] sigma = new float[b];
    for (int i = 0; i < b; i++) {
      sigma[i] = (float) (config.shiftByResolution() ? TimestepSampling.shiftForResolution(s[i], tokens) : s[i]);
    }
    NDArray xt = FlowMatchingLoss.noisy(x0, noise, m.create(sigma));
    float[] guidance = null;
    if (denoiser.guidanceEmbedded()) {
      guidance = new float[b];
      Arrays.fill(guidance, (float) config.guidance());
    }
    NDArray v;
    if (context.precision() == Precision.FP16) {
      // The step's float16 copies (views: closing them closes nothing), float16 data, a float32 loss.
      Map<String, NDArray> half = context.parameters();
      TextConditioning t = text.withParameters(half).fuse(batch.text(), m);
      t = new TextConditioning(context.toComputeType(t.tokens()), context.toComputeType(t.pooled()));
      NDArray v16 =
          denoiser.withParameters(half).velocity(
              context.toComputeType(xt), context.toComputeType(batch.condition()), t, sigma, guidance, m);
      v = context.toFloat32(v16);
    } else {
      TextConditioning t = text.fuse(batch.text(), m);
      v = denoiser.velocity(xt, batch.condition(), t, sigma, guidance, m);
    }
    NDArray target = FlowMatchingLoss.target(x0, noise);
    if (config.loss() == Loss.MASK_BALANCED) {
      checkArgument(
          batch.mask() != null,
          "the mask-balanced loss needs an edit mask for every sample (step %s has samples without one)",
          context.step());
      return FlowMatchingLoss.maskBalanced(
          v, target, batch.mask(), config.editShare(), batch.structure(), config.structureShare());
    }
    return FlowMatchingLoss.loss(v, target, null);
  }
}
