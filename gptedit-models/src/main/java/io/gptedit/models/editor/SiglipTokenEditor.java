package io.gptedit.models.editor;

import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.editor.ImageEditor;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.codec.LatentCodec;
import io.gptedit.models.conditioning.Conditioner;
import io.gptedit.models.conditioning.ImageFeatures;
import io.gptedit.models.flow.EulerSampler;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.nn.ParameterSpec;

/**
 * Token-wise editing through the text stream (UniWorld-style Flux + SigLIP; {@link SiglipTokenDenoiser}): vision
 * features of the input image are projected into the text-token space by an MLP and put in front of the text
 * tokens, so only noise tokens flow through the image stream.
 *
 * <p>Sampling: BFL schedule, Euler, seeded noise, Flux guidance embedding when the transformer has one. Calls are
 * serialised. The editor owns the projector parameters (closed by {@link #close()}) but not the other components.
 *
 * @since 0.1
 */
public final class SiglipTokenEditor implements ImageEditor {
  private final ModelWeights projector;
  private final SiglipTokenDenoiser denoiser;
  private final DiffusionEditor editor;

  /**
   * Creates the editor.
   *
   * @param transformer the Flux denoiser
   * @param codec the VAE (decoding only)
   * @param conditioner the text conditioner
   * @param siglip the vision features of the input image
   * @param projector parameters declared by {@link #projectorSpec}
   * @param resolution the working-resolution policy
   * @param listener progress callback, called after every sampling step
   */
  public SiglipTokenEditor(
      FluxTransformer transformer,
      LatentCodec codec,
      Conditioner conditioner,
      ImageFeatures siglip,
      ModelWeights projector,
      Resolution resolution,
      EulerSampler.StepListener listener) {
    this.projector = projector;
    this.denoiser = new SiglipTokenDenoiser(transformer, projector, siglip);
    this.editor =
        DiffusionEditor.builder()
            .setDenoiser(denoiser)
            .setCodec(codec)
            .setConditioner(conditioner)
            .optResolution(resolution)
            .optListener(listener)
            .optName("flux-siglip")
            .build();
  }

  /**
   * Declares the projector MLP.
   *
   * @param visionDim the vision feature size (1152 for SigLIP so400m)
   * @param hiddenDim the MLP hidden size (12288 in UniWorld)
   * @param textDim the denoiser's text-token size (4096)
   * @return the spec
   */
  public static ParameterSpec projectorSpec(int visionDim, int hiddenDim, int textDim) {
    return SiglipTokenDenoiser.projectorSpec(visionDim, hiddenDim, textDim);
  }

  /**
   * Returns the SigLIP-token denoiser (the forward that fine-tuning trains).
   *
   * @return the denoiser (it shares the editor's transformer and projector)
   */
  public SiglipTokenDenoiser denoiser() {
    return denoiser;
  }

  @Override
  public String name() {
    return editor.name();
  }

  @Override
  public RgbImage edit(RgbImage input, String instruction, EditOptions options) {
    return editor.edit(input, instruction, options);
  }

  @Override
  public void close() {
    projector.close();
  }
}
