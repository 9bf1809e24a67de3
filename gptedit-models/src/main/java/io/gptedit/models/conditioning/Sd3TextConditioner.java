package io.gptedit.models.conditioning;

import static io.gptedit.models.conditioning.FluxTextConditioner.closeAll;
import static io.gptedit.models.conditioning.FluxTextConditioner.own;
import static io.gptedit.models.conditioning.FluxTextConditioner.requireFolder;
import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.nn.DeviceException;
import io.gptedit.models.nn.Devices;
import io.gptedit.models.nn.WeightLoadException;
import io.gptedit.models.text.ClipTextEncoder;
import io.gptedit.models.text.ClipTextOutput;
import io.gptedit.models.text.EncodedText;
import io.gptedit.models.text.JsonTokenizer;
import io.gptedit.models.text.T5Encoder;
import io.gptedit.models.text.TextEncoder;
import io.gptedit.models.text.TextTokenizer;
import io.gptedit.models.text.TokenizerException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * SD3's triple text encoder, as diffusers' {@code StableDiffusion3Pipeline.encode_prompt} combines it: the
 * penultimate hidden states of CLIP-L and OpenCLIP bigG (77 tokens each) are concatenated on features and
 * zero-padded to T5's width, then T5-XXL's states (256 tokens, no attention mask) follow along the sequence
 * (77 + 256 = 333 tokens of 4096); the pooled vector is CLIP-L's projected pooled output then bigG's
 * (768 + 1280 = 2048). Without a T5 encoder (SD3 can run without {@code text_encoder_3}) the T5 part is zeros, as in
 * diffusers.
 *
 * <p>{@code ChannelWiseEditor} encodes its negative prompt as the empty string; the {@link TextEmbeddingCache} makes
 * that (and any repeated prompt) one encoding. The conditioner made by {@link #fromDiffusers} owns what it loaded;
 * one made by {@link #builder()} does not. It is also a {@link TextEncoder}. Thread-safe.
 *
 * @since 0.1
 */
public final class Sd3TextConditioner implements Conditioner, TextEncoder, AutoCloseable {
  /** diffusers' {@code max_sequence_length} for SD3. */
  public static final int DEFAULT_MAX_SEQUENCE_LENGTH = 256;
  /** SD3's {@code joint_attention_dim}: the text-token width when there is no T5 to give it. */
  public static final int DEFAULT_JOINT_ATTENTION_DIM = 4096;
  /** CLIP's context ({@code tokenizer.model_max_length}). */
  public static final int CLIP_LENGTH = 77;

  private final ClipTextEncoder clipL;
  private final TextTokenizer clipLTokenizer;
  private final ClipTextEncoder clipG;
  private final TextTokenizer clipGTokenizer;
  private final T5Encoder t5;
  private final TextTokenizer t5Tokenizer;
  private final int maxSequenceLength;
  private final int width;
  private final int clipSkip;
  private final TextEmbeddingCache cache;
  private final String id;
  private final List<AutoCloseable> owned;

  private Sd3TextConditioner(Builder b, List<AutoCloseable> owned) {
    this.clipL = requireNonNull(b.clipL, "CLIP-L encoder");
    this.clipLTokenizer = requireNonNull(b.clipLTokenizer, "CLIP-L tokenizer");
    this.clipG = requireNonNull(b.clipG, "CLIP-G encoder");
    this.clipGTokenizer = requireNonNull(b.clipGTokenizer, "CLIP-G tokenizer");
    this.t5 = b.t5;
    this.t5Tokenizer = b.t5Tokenizer;
    this.maxSequenceLength = b.maxSequenceLength;
    this.clipSkip = b.clipSkip;
    this.cache = b.cache;
    this.owned = owned;
    this.id = b.id != null ? b.id
        : "sd3-text(clip-l=" + b.clipL.config().hiddenSize() + ", clip-g=" + b.clipG.config().hiddenSize() + ", t5="
            + (b.t5 == null ? "none" : b.t5.config().dModel()) + ", tokens=" + b.maxSequenceLength + ", skip="
            + b.clipSkip + ")@" + Integer.toHexString(System.identityHashCode(this));
    if ((t5 == null) != (t5Tokenizer == null)) {
      throw new IllegalArgumentException("give the T5 encoder and its tokenizer together");
    }
    this.width = t5 != null ? t5.config().dModel() : b.jointAttentionDim;
    if (!clipL.config().projection() || !clipG.config().projection()) {
      throw new IllegalArgumentException(
          "SD3 reads the projected pooled outputs: both CLIP encoders must be CLIPTextModelWithProjection");
    }
    int clipWidth = clipL.config().hiddenSize() + clipG.config().hiddenSize();
    if (clipWidth > width) {
      throw new IllegalArgumentException(
          "CLIP-L + CLIP-G width " + clipWidth + " exceeds the text-token width " + width);
    }
    if (maxSequenceLength < 2) {
      throw new IllegalArgumentException("maxSequenceLength must be >= 2, got " + maxSequenceLength);
    }
    int layers = Math.min(clipL.config().layers(), clipG.config().layers());
    if (clipSkip < 0 || clipSkip > layers - 1) {
      throw new IllegalArgumentException("clipSkip " + clipSkip + " outside [0, " + (layers - 1) + "]");
    }
  }

  /**
   * Returns a builder.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Loads the text path of an SD3 diffusers folder (SD3-Medium, and the UltraEdit/InstructPix2Pix variants built on
   * it): {@code tokenizer/} + {@code text_encoder/} (CLIP-L), {@code tokenizer_2/} + {@code text_encoder_2/} (bigG),
   * and, when present, {@code tokenizer_3/} + {@code text_encoder_3/} (T5-XXL; without them the T5 part is zeros of
   * width {@link #DEFAULT_JOINT_ATTENTION_DIM}).
   *
   * @param pipelineFolder the model folder (the one holding {@code model_index.json})
   * @param storage FLOAT32, or FLOAT16 to halve the encoders' memory (they compute in float32 either way)
   * @return the conditioner, which owns what it loaded
   * @throws WeightLoadException if an encoder's files are missing or do not match their config
   * @throws TokenizerException if a tokenizer's files are missing or malformed
   */
  public static Sd3TextConditioner fromDiffusers(Path pipelineFolder, DataType storage) {
    return fromDiffusers(pipelineFolder, storage, Devices.defaultDevice());
  }

  /**
   * Loads the text path of an SD3 diffusers folder like {@link #fromDiffusers(Path, DataType)}, with every encoder
   * on a device (their scratch work runs there too).
   *
   * @param pipelineFolder the model folder (the one holding {@code model_index.json})
   * @param storage FLOAT32 or FLOAT16
   * @param device where the encoders live ({@link Devices#require checked} first)
   * @return the conditioner, which owns what it loaded
   * @throws DeviceException if the engine does not have the device (before any file is read)
   * @throws WeightLoadException if an encoder's files are missing or do not match their config
   * @throws TokenizerException if a tokenizer's files are missing or malformed
   */
  public static Sd3TextConditioner fromDiffusers(Path pipelineFolder, DataType storage, Device device) {
    Devices.require(device);
    requireNonNull(pipelineFolder, "pipelineFolder");
    requireFolder(pipelineFolder);
    List<AutoCloseable> owned = new ArrayList<>();
    try {
      Builder b = builder()
          .setClipL(own(owned, ClipTextEncoder.fromFolder(pipelineFolder.resolve("text_encoder"), storage, device)),
              own(owned, JsonTokenizer.fromFolder(pipelineFolder.resolve("tokenizer"))))
          .setClipG(own(owned, ClipTextEncoder.fromFolder(pipelineFolder.resolve("text_encoder_2"), storage, device)),
              own(owned, JsonTokenizer.fromFolder(pipelineFolder.resolve("tokenizer_2"))));
      if (Files.isDirectory(pipelineFolder.resolve("text_encoder_3"))) {
        b.optT5(own(owned, T5Encoder.fromFolder(pipelineFolder.resolve("text_encoder_3"), storage, device)),
            own(owned, JsonTokenizer.fromFolder(pipelineFolder.resolve("tokenizer_3"))));
      }
      return new Sd3TextConditioner(
          b.optId("sd3-text(" + pipelineFolder.toAbsolutePath().normalize() + ", " + storage + ")"), owned);
    } catch (RuntimeException e) {
      closeAll(owned, e);
      throw e;
    }
  }

  /**
   * Returns the number of text tokens an encoding has.
   *
   * @return 77 + the T5 length
   */
  @Override
  public int tokens() {
    return CLIP_LENGTH + maxSequenceLength;
  }

  /**
   * Returns the cache this conditioner uses.
   *
   * @return the cache
   */
  public TextEmbeddingCache cache() {
    return cache;
  }

  /**
   * Encodes an instruction (the image is not read); the empty string gives the negative-prompt encoding.
   *
   * @param image ignored
   * @param instruction the prompt
   * @param manager the manager of the result
   * @return tokens (1, 77 + max sequence length, width) and the pooled vector (1, CLIP-L projection + bigG projection)
   */
  @Override
  public TextConditioning encode(RgbImage image, String instruction, NDManager manager) {
    requireNonNull(instruction, "instruction");
    List<Object> encoders = Arrays.asList(clipL, clipLTokenizer, clipG, clipGTokenizer, t5, t5Tokenizer);
    return cache.get(encoders, "sd3 skip=" + clipSkip + " width=" + width, instruction, maxSequenceLength,
        scope -> compute(instruction, scope), manager);
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public int dim() {
    return width;
  }

  @Override
  public int pooledDim() {
    return clipL.config().pooledDim() + clipG.config().pooledDim();
  }

  /**
   * Encodes a prompt as plain arrays (the {@link TextEncoder} view of {@link #encode(RgbImage, String, NDManager)}).
   *
   * @param text the prompt
   * @return the joint tokens and the pooled vector
   */
  @Override
  public EncodedText encode(String text) {
    return FluxTextConditioner.encodedText(this, text, tokens(), width, clipL.parameters().device());
  }

  private TextConditioning compute(String text, NDManager scope) {
    ClipTextOutput l = clipL.encode(
        new int[][] {clipLTokenizer.tokenize(text, CLIP_LENGTH).ids()}, null, clipSkip, scope);
    ClipTextOutput g = clipG.encode(
        new int[][] {clipGTokenizer.tokenize(text, CLIP_LENGTH).ids()}, null, clipSkip, scope);
    NDArray clipHidden = l.hiddenState().concat(g.hiddenState(), -1);
    long pad = width - clipHidden.getShape().get(2);
    if (pad > 0) {
      clipHidden = clipHidden.concat(scope.zeros(new Shape(1, CLIP_LENGTH, pad)), -1);
    }
    NDArray t5Hidden = t5 == null
        ? scope.zeros(new Shape(1, maxSequenceLength, width))
        : t5.encode(new int[][] {t5Tokenizer.tokenize(text, maxSequenceLength).ids()}, scope);
    return new TextConditioning(clipHidden.concat(t5Hidden, 1), l.textEmbeds().concat(g.textEmbeds(), -1));
  }

  @Override
  public void close() {
    closeAll(owned, null);
  }

  /** Builds an {@link Sd3TextConditioner} from encoders and tokenizers the caller owns. */
  public static final class Builder {
    private ClipTextEncoder clipL;
    private TextTokenizer clipLTokenizer;
    private ClipTextEncoder clipG;
    private TextTokenizer clipGTokenizer;
    private T5Encoder t5;
    private TextTokenizer t5Tokenizer;
    private int maxSequenceLength = DEFAULT_MAX_SEQUENCE_LENGTH;
    private int jointAttentionDim = DEFAULT_JOINT_ATTENTION_DIM;
    private int clipSkip;
    private TextEmbeddingCache cache = new TextEmbeddingCache();
    private String id;

    private Builder() {}

    /**
     * Sets the identity {@link #id()} reports to caches and checkpoints (default: the sizes and this object's identity
     * hash; {@link #fromDiffusers} uses the folder).
     *
     * @param id a stable description of the encoders and their weights
     * @return this builder
     */
    public Builder optId(String id) {
      this.id = requireNonNull(id, "id");
      return this;
    }

    /**
     * Sets CLIP-L with its projection and its tokenizer (required).
     *
     * @param encoder {@code text_encoder}
     * @param tokenizer {@code tokenizer}
     * @return this builder
     */
    public Builder setClipL(ClipTextEncoder encoder, TextTokenizer tokenizer) {
      this.clipL = encoder;
      this.clipLTokenizer = tokenizer;
      return this;
    }

    /**
     * Sets OpenCLIP bigG with its projection and its tokenizer (required).
     *
     * @param encoder {@code text_encoder_2}
     * @param tokenizer {@code tokenizer_2}
     * @return this builder
     */
    public Builder setClipG(ClipTextEncoder encoder, TextTokenizer tokenizer) {
      this.clipG = encoder;
      this.clipGTokenizer = tokenizer;
      return this;
    }

    /**
     * Sets T5 and its tokenizer (optional: without them the T5 tokens are zeros).
     *
     * @param encoder {@code text_encoder_3}
     * @param tokenizer {@code tokenizer_3}
     * @return this builder
     */
    public Builder optT5(T5Encoder encoder, TextTokenizer tokenizer) {
      this.t5 = requireNonNull(encoder, "encoder");
      this.t5Tokenizer = requireNonNull(tokenizer, "tokenizer");
      return this;
    }

    /**
     * Sets the T5 token budget (default 256, diffusers' {@code max_sequence_length} for SD3).
     *
     * @param length the padded T5 length
     * @return this builder
     */
    public Builder optMaxSequenceLength(int length) {
      this.maxSequenceLength = length;
      return this;
    }

    /**
     * Sets the text-token width used when there is no T5 (default 4096, the transformer's joint attention width).
     *
     * @param dim the width
     * @return this builder
     */
    public Builder optJointAttentionDim(int dim) {
      this.jointAttentionDim = dim;
      return this;
    }

    /**
     * Sets diffusers' {@code clip_skip} (default 0: the penultimate layer, as with {@code clip_skip=None}).
     *
     * @param skip layers skipped from the end beyond the last
     * @return this builder
     */
    public Builder optClipSkip(int skip) {
      this.clipSkip = skip;
      return this;
    }

    /**
     * Sets the prompt-encoding cache (default: a new one of {@link TextEmbeddingCache#DEFAULT_MAX_BYTES}).
     *
     * @param cache the cache, possibly shared
     * @return this builder
     */
    public Builder optCache(TextEmbeddingCache cache) {
      this.cache = requireNonNull(cache, "cache");
      return this;
    }

    /**
     * Builds the conditioner.
     *
     * @return the conditioner (it does not own the encoders and tokenizers)
     * @throws NullPointerException if a CLIP encoder or tokenizer is missing
     * @throws IllegalArgumentException if the sizes do not fit
     */
    public Sd3TextConditioner build() {
      return new Sd3TextConditioner(this, List.of());
    }
  }
}
