package io.gptedit.examples.lab;

import static io.gptedit.models.nn.Layers.linear;
import static io.gptedit.models.nn.Layers.silu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gptedit.models.editor.SiglipTokenEditor;
import io.gptedit.models.flux.FluxInput;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.flux.LatentPacking;
import io.gptedit.models.nn.ModelWeights;
import java.util.Map;

/**
 * The UniWorld-style token-wise paradigm ({@code SiglipTokenEditor} in miniature): a frozen
 * {@link TinyVisionEncoder} turns the input image into a few pooled tokens, a trained projector
 * ({@link SiglipTokenEditor#projectorSpec}: {@code siglip_projector.0}, SiLU, {@code siglip_projector.2}) maps them
 * to the text size, and they go in front of the text tokens with zero position ids. The image stream holds the
 * noisy tokens only; the input image reaches the backbone through those tokens alone.
 */
final class SiglipDenoiser implements LabDenoiser {
  private static final int VISION_DIM = 32;
  private static final int PROJECTOR_HIDDEN = 64;

  private final FluxTransformer flux;
  private final TinyVisionEncoder vision;
  private final ModelWeights projector;
  private final int side;
  private final int[][] imageIds;
  private final int[][] textIds;

  SiglipDenoiser(LabConfig config, int textDim, int textTokens) {
    this.flux = LabDenoiser.flux(config, 12, textDim);
    this.vision = new TinyVisionEncoder(VISION_DIM, config.seed() ^ 0x516L);
    this.projector =
        ModelWeights.random(
            SiglipTokenEditor.projectorSpec(VISION_DIM, PROJECTOR_HIDDEN, textDim), config.seed() ^ 0x9A0FL);
    this.side = config.size();
    int half = side / 2;
    this.imageIds = LatentPacking.imageIds(0, half, half);
    this.textIds = FluxInput.zeroTextIds(vision.tokens() + textTokens);
  }

  @Override
  public FluxTransformer flux() {
    return flux;
  }

  @Override
  public Map<String, NDArray> extraParameters() {
    return projector.asMap();
  }

  /** Vision tokens per sample. */
  int visionTokens() {
    return vision.tokens();
  }

  @Override
  public NDArray forward(
      NDManager m, NDArray noisy, NDArray cond, LabText.Conditioning text, LabExample[] batch, float[] t) {
    int b = batch.length;
    int n = vision.tokens();
    float[] features = new float[b * n * VISION_DIM];
    for (int i = 0; i < b; i++) {
      System.arraycopy(vision.encode(batch[i].inputPixels(), side), 0, features, i * n * VISION_DIM, n * VISION_DIM);
    }
    NDArray tokens =
        linear(
            silu(linear(m.create(features, new Shape(b, n, VISION_DIM)), projector, "siglip_projector.0")),
            projector,
            "siglip_projector.2");
    return flux.forward(
        new FluxInput(noisy, tokens.concat(text.tokens(), 1), text.pooled(), t, null, imageIds, textIds), m);
  }

  @Override
  public void close() {
    projector.close();
    flux.close();
  }
}
