package io.gptedit.models.editor;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gptedit.core.editor.EditException;
import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.editor.ImageEditor;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.Resampler;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.codec.LatentCodec;
import io.gptedit.models.conditioning.Conditioner;
import io.gptedit.models.conditioning.ImageTensors;
import io.gptedit.models.conditioning.TextConditioning;
import io.gptedit.models.flow.EulerSampler;
import io.gptedit.models.flow.SeededNoise;
import io.gptedit.models.nn.DeviceException;
import io.gptedit.models.nn.Devices;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An {@link ImageEditor} over any conditioning paradigm: a codec, an {@link EditDenoiser}, a text conditioner and
 * a sampling config. One edit: choose the working size, encode the input's condition, encode the instruction, draw
 * seeded noise in latent space, integrate with {@link EulerSampler} over the config's {@link
 * io.gptedit.models.flow.TimeSchedule} with its guidance, and decode. {@link KontextEditor}, {@link
 * ChannelWiseEditor} and {@link SiglipTokenEditor} are this editor with their paradigm's denoiser and defaults; a
 * fine-tuned checkpoint loads into it ({@code io.gptedit.models.train.EditorCheckpoint}).
 *
 * <p>An edit runs on one device ({@link Builder#optDevice}, default the engine's): every array of the edit is created
 * there, and the denoiser's parameters must already be there (load them with the models' device overloads, or build
 * the whole editor with {@code EditorSpec.build} / {@code EditorCheckpoint.load} on the device).
 *
 * <p>A seed reproduces an edit bit for bit on the same machine. Calls are serialised. The editor closes only the
 * resources handed to {@link Builder#optOwned}.
 *
 * @since 0.1
 */
public final class DiffusionEditor implements ImageEditor {
  private final EditDenoiser denoiser;
  private final LatentCodec codec;
  private final Conditioner conditioner;
  private final Resolution resolution;
  private final SamplingConfig sampling;
  private final EulerSampler.StepListener listener;
  private final String name;
  private final List<AutoCloseable> owned;
  private final long maxWorkingPixels;
  private final Device device;

  private DiffusionEditor(Builder b) {
    this.denoiser = requireNonNull(b.denoiser, "denoiser");
    this.codec = requireNonNull(b.codec, "codec");
    this.conditioner = requireNonNull(b.conditioner, "conditioner");
    this.resolution = b.resolution;
    this.sampling = b.sampling;
    this.listener = b.listener;
    this.name = b.name != null ? b.name : denoiser.paradigm().tag();
    this.owned = List.copyOf(b.owned);
    this.maxWorkingPixels = b.maxWorkingPixels > 0 ? b.maxWorkingPixels : codec.maxWorkingPixels();
    this.device = b.device != null ? b.device : Devices.defaultDevice();
    requireOn(device, denoiser.parameters(), "the " + denoiser.paradigm().tag() + " denoiser");
    checkArgument(
        codec.latentChannels() == denoiser.latentChannels(),
        "the codec has %s latent channels but the %s denoiser reads %s",
        codec.latentChannels(),
        denoiser.paradigm().tag(),
        denoiser.latentChannels());
    SamplingConfig.GuidanceKind kind = sampling.guidance().kind();
    checkArgument(
        denoiser.guidanceEmbedded() == (kind == SamplingConfig.GuidanceKind.EMBEDDED),
        denoiser.guidanceEmbedded()
            ? "the backbone has a guidance embedding: use embedded guidance"
            : "embedded guidance needs a backbone with a guidance embedding");
    checkArgument(
        kind != SamplingConfig.GuidanceKind.INSTRUCT_PIX2PIX || denoiser.paradigm() == Paradigm.CHANNEL_WISE,
        "InstructPix2Pix guidance is for the channel-wise paradigm");
  }

  /**
   * Returns a builder; denoiser, codec and conditioner are required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Checks that every parameter is on a device.
   *
   * @param device the device
   * @param parameters the parameters, by name
   * @param owner what owns them, for the message
   * @throws DeviceException naming the first parameter elsewhere and both devices
   */
  private static void requireOn(Device device, Map<String, NDArray> parameters, String owner) {
    for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
      Device at = e.getValue().getDevice();
      if (!at.equals(device)) {
        throw new DeviceException(
            owner + "'s parameter '" + e.getKey() + "' is on " + Devices.name(at) + " but the editor runs on "
                + Devices.name(device) + ": load the parts on the editor's device, or set optDevice to "
                + Devices.name(at));
      }
    }
  }

  /**
   * Returns the device every edit runs on.
   *
   * @return the device
   * @since 0.1
   */
  public Device device() {
    return device;
  }

  /**
   * Returns the denoiser (the network that fine-tuning trains).
   *
   * @return the denoiser
   */
  public EditDenoiser denoiser() {
    return denoiser;
  }

  /**
   * Returns the codec.
   *
   * @return the codec
   */
  public LatentCodec codec() {
    return codec;
  }

  /**
   * Returns the text conditioner.
   *
   * @return the conditioner
   */
  public Conditioner conditioner() {
    return conditioner;
  }

  /**
   * Returns the sampling defaults.
   *
   * @return the config
   */
  public SamplingConfig sampling() {
    return sampling;
  }

  /**
   * Returns the working-size policy.
   *
   * @return the policy
   */
  public Resolution resolution() {
    return resolution;
  }

  @Override
  public String name() {
    return name;
  }

  /**
   * Returns the working size this editor uses for an input size.
   *
   * @param width the input width
   * @param height the input height
   * @return the size the input is resized to before encoding (and the size of the edit)
   */
  public Size workingSize(int width, int height) {
    return resolution.choose(width, height, codec.spatialFactor() * denoiser.patchSize());
  }

  /**
   * Returns the largest working size, in pixels, this editor accepts.
   *
   * @return the limit ({@link Builder#optMaxWorkingPixels}, else the codec's {@link LatentCodec#maxWorkingPixels})
   * @since 0.1
   */
  public long maxWorkingPixels() {
    return maxWorkingPixels;
  }

  /**
   * {@inheritDoc}
   *
   * @throws EditException if the working size chosen for the input ({@link #workingSize}) is above {@link
   *     #maxWorkingPixels()} (nothing is allocated then), or the model fails (an engine error, a shape mismatch)
   */
  @Override
  public synchronized RgbImage edit(RgbImage input, String instruction, EditOptions options) {
    requireNonNull(input, "input");
    requireNonNull(instruction, "instruction");
    requireNonNull(options, "options");
    int steps = options.steps().orElse(sampling.steps());
    Size size = workingSize(input.width(), input.height());
    if ((long) size.width() * size.height() > maxWorkingPixels) {
      throw new EditException(
          name + ": the " + input.width() + "x" + input.height() + " input would be edited at " + size.width() + "x"
              + size.height() + " (Resolution." + resolution + "), " + (long) size.width() * size.height()
              + " pixels, above the " + maxWorkingPixels + " this editor handles in bounded memory (its codec "
              + codec.describe() + "); use Resolution.FLOOR_TO_MULTIPLE with a smaller input, or raise the limit"
              + " with optMaxWorkingPixels",
          false);
    }
    RgbImage work =
        size.width() == input.width() && size.height() == input.height()
            ? input
            : Resampler.bicubic(input, size.width(), size.height());
    try (NDManager m = NDManager.newBaseManager(device)) {
      NDArray pixels = ImageTensors.toTensor(work, m);
      NDArray condition = denoiser.encodeCondition(work, pixels, codec, m);
      TextConditioning text = conditioner.encode(work, instruction, m);
      int f = codec.spatialFactor();
      Shape latent = new Shape(1, codec.latentChannels(), size.height() / f, size.width() / f);
      NDArray noise = SeededNoise.gaussian(m, options.seed(), latent);
      int p = denoiser.patchSize();
      int tokens = (size.height() / f / p) * (size.width() / f / p);
      EulerSampler.Velocity velocity = velocity(work, condition, text, options, m);
      NDArray x = EulerSampler.sample(noise, sampling.schedule().times(steps, tokens), velocity, listener);
      return ImageTensors.toImage(codec.decode(x, m));
    } catch (EngineException | IllegalArgumentException | IllegalStateException e) {
      throw new EditException(name + " edit failed: " + e.getMessage(), false, e);
    }
  }

  private EulerSampler.Velocity velocity(
      RgbImage work, NDArray condition, TextConditioning text, EditOptions options, NDManager m) {
    SamplingConfig.Guidance g = sampling.guidance();
    return switch (g.kind()) {
      case NONE -> (x, t, scope) -> denoiser.velocity(x, condition, text, new float[] {t}, null, scope);
      case EMBEDDED -> {
        float scale = (float) options.guidance().orElse(g.scale());
        yield (x, t, scope) ->
            denoiser.velocity(x, condition, text, new float[] {t}, new float[] {scale}, scope);
      }
      case INSTRUCT_PIX2PIX -> {
        double sTxt = options.guidance().orElse(g.scale());
        double sImg = options.imageGuidance().orElse(g.imageScale());
        TextConditioning negative = conditioner.encode(work, "", m);
        NDArray conditions = NDArrays.concat(new NDList(condition, condition, m.zeros(condition.getShape())), 0);
        NDArray tokens = padConcat(text.tokens(), negative.tokens(), m);
        NDArray pooled = NDArrays.concat(new NDList(text.pooled(), negative.pooled(), negative.pooled()), 0);
        TextConditioning three = new TextConditioning(tokens, pooled);
        yield (x, t, scope) -> {
          NDArray v =
              denoiser.velocity(
                  NDArrays.concat(new NDList(x, x, x), 0), conditions, three, new float[] {t, t, t}, null, scope);
          return ChannelWiseEditor.guide(v.get("0:1"), v.get("1:2"), v.get("2:3"), sTxt, sImg);
        };
      }
    };
  }

  /** Stacks [prompt, negative, negative] text tokens, zero-padding the shorter to the longer length. */
  private static NDArray padConcat(NDArray prompt, NDArray negative, NDManager m) {
    long len = Math.max(prompt.getShape().get(1), negative.getShape().get(1));
    NDArray p = pad(prompt, len, m);
    NDArray n = pad(negative, len, m);
    return NDArrays.concat(new NDList(p, n, n), 0);
  }

  private static NDArray pad(NDArray tokens, long len, NDManager m) {
    Shape s = tokens.getShape();
    if (s.get(1) == len) {
      return tokens;
    }
    return tokens.concat(m.zeros(new Shape(s.get(0), len - s.get(1), s.get(2))), 1);
  }

  /** Closes the resources handed to {@link Builder#optOwned}, last first. */
  @Override
  public void close() {
    RuntimeException first = null;
    for (int i = owned.size() - 1; i >= 0; i--) {
      try {
        owned.get(i).close();
      } catch (Exception e) {
        if (first == null) {
          first = e instanceof RuntimeException r ? r : new IllegalStateException(e);
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** Builds a {@link DiffusionEditor}. */
  public static final class Builder {
    private EditDenoiser denoiser;
    private LatentCodec codec;
    private Conditioner conditioner;
    private Resolution resolution = Resolution.FLOOR_TO_MULTIPLE;
    private SamplingConfig sampling;
    private EulerSampler.StepListener listener = (s, n) -> {};
    private String name;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private long maxWorkingPixels;
    private Device device;

    private Builder() {}

    /**
     * Sets the device every edit runs on (default: the engine's, {@link Devices#defaultDevice()}); the denoiser's
     * parameters must be there.
     *
     * @param device the device
     * @return this builder
     * @throws DeviceException if the engine does not have the device
     * @since 0.1
     */
    public Builder optDevice(Device device) {
      this.device = Devices.require(device);
      return this;
    }

    /**
     * Sets the largest working size, in pixels, the editor accepts (default: the codec's {@link
     * LatentCodec#maxWorkingPixels()}); a larger one makes {@link DiffusionEditor#edit} throw an {@link
     * EditException} before anything is allocated.
     *
     * @param pixels width x height, positive
     * @return this builder
     * @since 0.1
     */
    public Builder optMaxWorkingPixels(long pixels) {
      checkArgument(pixels > 0, "maxWorkingPixels must be positive, got %s", pixels);
      this.maxWorkingPixels = pixels;
      return this;
    }

    /**
     * Sets the denoiser (required).
     *
     * @param denoiser the paradigm's denoiser
     * @return this builder
     */
    public Builder setDenoiser(EditDenoiser denoiser) {
      this.denoiser = requireNonNull(denoiser, "denoiser");
      return this;
    }

    /**
     * Sets the codec (required).
     *
     * @param codec a VAE or the pixel codec
     * @return this builder
     */
    public Builder setCodec(LatentCodec codec) {
      this.codec = requireNonNull(codec, "codec");
      return this;
    }

    /**
     * Sets the text conditioner (required).
     *
     * @param conditioner for example a {@code TextFusion}
     * @return this builder
     */
    public Builder setConditioner(Conditioner conditioner) {
      this.conditioner = requireNonNull(conditioner, "conditioner");
      return this;
    }

    /**
     * Sets the working-size policy (default {@link Resolution#FLOOR_TO_MULTIPLE}).
     *
     * @param resolution the policy
     * @return this builder
     */
    public Builder optResolution(Resolution resolution) {
      this.resolution = requireNonNull(resolution, "resolution");
      return this;
    }

    /**
     * Sets the sampling defaults (default: the paradigm's, see {@link SamplingConfig}).
     *
     * @param sampling the config
     * @return this builder
     */
    public Builder optSampling(SamplingConfig sampling) {
      this.sampling = requireNonNull(sampling, "sampling");
      return this;
    }

    /**
     * Sets a progress listener called after every sampling step.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder optListener(EulerSampler.StepListener listener) {
      this.listener = requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Sets the editor's name for reports and output folders (default: the paradigm's tag).
     *
     * @param name a file-name safe name
     * @return this builder
     */
    public Builder optName(String name) {
      this.name = requireNonNull(name, "name");
      return this;
    }

    /**
     * Hands resources to the editor, closed (last first) when the editor is closed.
     *
     * @param resources the resources, for example the denoiser and the text fusion
     * @return this builder
     */
    public Builder optOwned(AutoCloseable... resources) {
      for (AutoCloseable r : resources) {
        owned.add(requireNonNull(r, "resource"));
      }
      return this;
    }

    /**
     * Builds the editor.
     *
     * @return the editor
     * @throws IllegalArgumentException if the parts do not fit together
     * @throws DeviceException if a denoiser parameter is not on the editor's device
     */
    public DiffusionEditor build() {
      requireNonNull(denoiser, "denoiser is required");
      if (sampling == null) {
        sampling =
            switch (denoiser.paradigm()) {
              case CHANNEL_WISE -> denoiser.guidanceEmbedded()
                  ? SamplingConfig.kontext()
                  : SamplingConfig.instructPix2Pix();
              case KONTEXT, SIGLIP_TOKEN -> denoiser.guidanceEmbedded()
                  ? SamplingConfig.kontext()
                  : new SamplingConfig(28, io.gptedit.models.flow.TimeSchedule.BFL, SamplingConfig.Guidance.none());
            };
      }
      return new DiffusionEditor(this);
    }
  }
}
