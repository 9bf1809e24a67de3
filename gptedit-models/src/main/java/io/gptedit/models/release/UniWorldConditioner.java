package io.gptedit.models.release;

import static io.gptedit.models.nn.Layers.linear;
import static io.gptedit.models.nn.Layers.silu;
import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.conditioning.Conditioner;
import io.gptedit.models.conditioning.ImageFeatures;
import io.gptedit.models.conditioning.TextConditioning;
import io.gptedit.models.editor.SiglipTokenDenoiser;
import io.gptedit.models.mllm.QwenVlEncoder;
import io.gptedit.models.mllm.SiglipVisionTower;
import io.gptedit.models.nn.DeviceException;
import io.gptedit.models.nn.Devices;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.nn.ParameterSpec;
import io.gptedit.models.text.EncodedText;
import io.gptedit.models.text.TextEncoder;
import java.util.List;

/**
 * UniWorld-V1's SigLIP variant of the MLLM conditioning: the MLLM's last hidden states through the connector
 * ({@code connector.0}, SiLU, {@code connector.2}: 3584 to 12288 to 4096), the SigLIP features of the input image
 * through their own MLP ({@code siglip_projector.{0,2}}: 1152 to 12288 to 4096, as {@link SiglipTokenDenoiser}
 * declares it) inserted into that token stream right after each {@code <|vision_end|>} token, then the T5 tokens;
 * the pooled vector is the text encoder's (CLIP-L's). With one image the tokens are
 * {@code [VLM(..vision_end) ; SigLIP ; VLM(rest) ; T5]}.
 *
 * <p>Written from the architecture notes and GPT-Image-Edit's {@code _insert_img_to_vlm} (which places the image
 * features at the given token positions, shifting the rest); UniWorld-V1's own SigLIP code is not installable on
 * this project's machines, so this class is checked piece by piece (each segment equals the projections computed
 * alone), not against a Python run. The connector and the SigLIP projector are the trainable parts; the MLLM, SigLIP
 * and the text encoder are frozen and not owned.
 *
 * <p>The trainable parts live on one device with the MLLM (and the SigLIP tower when it is a
 * {@link SiglipVisionTower}); {@link #random(QwenVlEncoder, SiglipVisionTower, TextEncoder, int, int, long, Device)}
 * creates them there, and {@link #encode} works under the caller's manager, which must be on that device.
 *
 * @since 0.1
 */
public final class UniWorldConditioner implements Conditioner, AutoCloseable {
  private final QwenVlEncoder mllm;
  private final ImageFeatures siglip;
  private final TextEncoder text;
  private final ModelWeights params;
  private final int pooledDim;

  /**
   * Creates the conditioner.
   *
   * @param mllm the frozen MLLM
   * @param siglip the frozen SigLIP tower (features (1, S, visionDim))
   * @param text the frozen text encoder (T5 tokens and, when it has one of {@code pooledDim}, the pooled vector)
   * @param params parameters declared by {@link #spec}; owned by this conditioner
   * @param pooledDim the denoiser's pooled size
   * @throws DeviceException if the MLLM's or the SigLIP tower's weights are not on the parameters' device
   */
  public UniWorldConditioner(QwenVlEncoder mllm, ImageFeatures siglip, TextEncoder text, ModelWeights params,
      int pooledDim) {
    this.mllm = requireNonNull(mllm, "mllm");
    this.siglip = requireNonNull(siglip, "siglip");
    this.text = requireNonNull(text, "text");
    this.params = requireNonNull(params, "params");
    requireOn(params.device(), mllm.model().parameters(), "the MLLM");
    if (siglip instanceof SiglipVisionTower tower) {
      requireOn(params.device(), tower.parameters(), "the SigLIP tower");
    }
    if (pooledDim <= 0) {
      throw new IllegalArgumentException("pooledDim must be positive, got " + pooledDim);
    }
    this.pooledDim = pooledDim;
  }

  private static void requireOn(Device device, ModelWeights frozen, String what) {
    if (!frozen.device().equals(device)) {
      throw new DeviceException(what + "'s weights are on " + Devices.name(frozen.device())
          + " but the connector's are on " + Devices.name(device) + ": load every part on one device");
    }
  }

  /**
   * Creates the conditioner with freshly initialized trainable parts (seeded, drawn in Java) on the engine's
   * default device, sized from the frozen parts: the MLLM's width in, SigLIP's width in, the text encoder's width
   * out.
   *
   * @param mllm the frozen MLLM
   * @param siglip the frozen SigLIP tower
   * @param text the frozen text encoder
   * @param hiddenDim the MLPs' hidden width (12288 in UniWorld-V1)
   * @param pooledDim the denoiser's pooled size
   * @param seed the seed of the trainable parts
   * @return the conditioner; it owns the new parameters
   * @throws DeviceException if the frozen parts are not on the default device
   */
  public static UniWorldConditioner random(QwenVlEncoder mllm, SiglipVisionTower siglip, TextEncoder text,
      int hiddenDim, int pooledDim, long seed) {
    return random(mllm, siglip, text, hiddenDim, pooledDim, seed, Devices.defaultDevice());
  }

  /**
   * Creates the conditioner like {@link #random(QwenVlEncoder, SiglipVisionTower, TextEncoder, int, int, long)},
   * with the trainable parts on a device.
   *
   * @param mllm the frozen MLLM, on {@code device}
   * @param siglip the frozen SigLIP tower, on {@code device}
   * @param text the frozen text encoder
   * @param hiddenDim the MLPs' hidden width
   * @param pooledDim the denoiser's pooled size
   * @param seed the seed of the trainable parts
   * @param device where the trainable parts live ({@link Devices#require checked} first)
   * @return the conditioner; it owns the new parameters
   * @throws DeviceException if the engine does not have the device, or the frozen parts are elsewhere
   */
  public static UniWorldConditioner random(QwenVlEncoder mllm, SiglipVisionTower siglip, TextEncoder text,
      int hiddenDim, int pooledDim, long seed, Device device) {
    Devices.require(device);
    requireNonNull(mllm, "mllm");
    requireNonNull(siglip, "siglip");
    requireNonNull(text, "text");
    ModelWeights params = ModelWeights.random(spec(mllm.model().config().text().hiddenSize(),
        siglip.config().hiddenSize(), hiddenDim, text.dim()), seed, device);
    try {
      return new UniWorldConditioner(mllm, siglip, text, params, pooledDim);
    } catch (RuntimeException e) {
      params.close();
      throw e;
    }
  }

  /**
   * Declares the trainable parts: the connector and the SigLIP projector.
   *
   * @param mllmDim the MLLM width (3584)
   * @param visionDim the SigLIP width (1152)
   * @param hiddenDim the MLPs' hidden width (12288)
   * @param textDim the denoiser's text-token width (4096)
   * @return the spec
   */
  public static ParameterSpec spec(int mllmDim, int visionDim, int hiddenDim, int textDim) {
    ParameterSpec s = new ParameterSpec()
        .linear("connector.0", mllmDim, hiddenDim, true)
        .linear("connector.2", hiddenDim, textDim, true);
    SiglipTokenDenoiser.projectorSpec(visionDim, hiddenDim, textDim).entries().values()
        .forEach(e -> s.add(e.name(), e.init(), e.shape().getShape()));
    return s;
  }

  /**
   * Returns the trainable parameters.
   *
   * @return the connector and SigLIP projector
   */
  public ModelWeights parameters() {
    return params;
  }

  @Override
  public TextConditioning encode(RgbImage image, String instruction, NDManager manager) {
    requireNonNull(image, "image");
    requireNonNull(instruction, "instruction");
    QwenVlEncoder.Prepared p = mllm.prepare(image, instruction);
    int[] ids = p.prompt().ids();
    int visionEnd = mllm.model().config().visionEndTokenId();
    NDArray states = mllm.model().hiddenStates(p.prompt(), List.of(p.pixels()), manager);
    NDArray vlm = linear(silu(linear(states, params, "connector.0")), params, "connector.2");
    NDArray sig = linear(silu(linear(siglip.features(image, manager), params, "siglip_projector.0")), params,
        "siglip_projector.2");
    NDList parts = new NDList();
    int start = 0;
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] == visionEnd) {
        parts.add(vlm.get(":, " + start + ":" + (i + 1) + ", :"));
        parts.add(sig);
        start = i + 1;
      }
    }
    if (start < ids.length) {
      parts.add(vlm.get(":, " + start + ":, :"));
    }
    EncodedText t = text.encode(instruction);
    parts.add(manager.create(t.tokens(), new Shape(1, t.length(), t.dim())));
    NDArray tokens = NDArrays.concat(parts, 1);
    NDArray pooled = t.pooled().length == pooledDim ? manager.create(t.pooled(), new Shape(1, pooledDim))
        : manager.zeros(new Shape(1, pooledDim));
    return new TextConditioning(tokens, pooled);
  }

  @Override
  public void close() {
    params.close();
  }
}
