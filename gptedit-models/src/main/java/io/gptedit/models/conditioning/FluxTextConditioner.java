package io.gptedit.models.conditioning;

import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
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
import io.gptedit.models.text.TokenizedText;
import io.gptedit.models.text.TokenizerException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The text path of FLUX.1-dev and FLUX.1-Kontext-dev, as diffusers' {@code FluxPipeline.encode_prompt} computes
 * it: the prompt's T5-XXL hidden states (padded to 512 tokens, no attention mask) are the text tokens, and CLIP-L's
 * pooled output (77 tokens) is the pooled vector. Encodings are cached per prompt ({@link TextEmbeddingCache}), so
 * repeated prompts, and the empty prompt, are encoded once.
 *
 * <p>Loading FLUX.1-Kontext-dev from its downloaded diffusers folder and editing an image:
 *
 * <pre>{@code
 * Path dir = Path.of("/models/FLUX.1-Kontext-dev"), tr = dir.resolve("transformer"), va = dir.resolve("vae");
 * try (SafetensorsShards ts = SafetensorsShards.open(tr.resolve("diffusion_pytorch_model.safetensors.index.json"));
 *     SafetensorsShards vs = SafetensorsShards.open(va.resolve("diffusion_pytorch_model.safetensors"));
 *     FluxTransformer flux = FluxTransformer.load(FluxConfig.fromDiffusers(tr.resolve("config.json")), ts.files(), "");
 *     AutoencoderKL vae = AutoencoderKL.load(VaeConfig.fromDiffusers(va.resolve("config.json")), vs.files(), "");
 *     FluxTextConditioner text = FluxTextConditioner.fromDiffusers(dir, DataType.FLOAT16);
 *     ImageEditor editor = KontextEditor.builder().setTransformer(flux).setCodec(vae).setConditioner(text).build()) {
 *   RgbImage edited = editor.edit(ImageCodec.read(Path.of("cat.png")), "give the cat a red hat",
 *       EditOptions.builder().optSeed(7).build());
 *   ImageCodec.write(edited, Path.of("cat-hat.png"), ImageFormat.PNG);
 * }
 * }</pre>
 *
 * <p>It is also a {@link TextEncoder} (T5 tokens plus CLIP-L's pooled vector), so {@code TextFusion} and the
 * edit-training path take it too. (Run the JVM with {@code -Dai.djl.offline=true}; memory needs are in
 * {@code docs/models.md}.) The conditioner
 * made by {@link #fromDiffusers} owns its encoders and tokenizers and closes them; one made by {@link #builder()}
 * does not. Thread-safe.
 *
 * @since 0.1
 */
public final class FluxTextConditioner implements Conditioner, TextEncoder, AutoCloseable {
  /** diffusers' {@code max_sequence_length} for Flux and Kontext. */
  public static final int DEFAULT_MAX_SEQUENCE_LENGTH = 512;
  /** CLIP's context ({@code tokenizer.model_max_length}). */
  public static final int CLIP_LENGTH = 77;

  private final T5Encoder t5;
  private final TextTokenizer t5Tokenizer;
  private final ClipTextEncoder clip;
  private final TextTokenizer clipTokenizer;
  private final int maxSequenceLength;
  private final boolean maskT5Padding;
  private final TextEmbeddingCache cache;
  private final String id;
  private final List<AutoCloseable> owned;

  private FluxTextConditioner(Builder b, List<AutoCloseable> owned) {
    this.t5 = requireNonNull(b.t5, "T5 encoder");
    this.t5Tokenizer = requireNonNull(b.t5Tokenizer, "T5 tokenizer");
    this.clip = requireNonNull(b.clip, "CLIP encoder");
    this.clipTokenizer = requireNonNull(b.clipTokenizer, "CLIP tokenizer");
    this.maxSequenceLength = b.maxSequenceLength;
    this.maskT5Padding = b.maskT5Padding;
    this.cache = b.cache;
    this.owned = owned;
    this.id = b.id != null ? b.id
        : "flux-text(t5=" + t5.config().dModel() + "x" + t5.config().layers() + ", clip=" + clip.config().hiddenSize()
            + "x" + clip.config().layers() + ", tokens=" + maxSequenceLength + ", mask=" + maskT5Padding + ")@"
            + Integer.toHexString(System.identityHashCode(this));
    if (maxSequenceLength < 2) {
      throw new IllegalArgumentException("maxSequenceLength must be >= 2, got " + maxSequenceLength);
    }
    if (clip.config().maxPositions() < CLIP_LENGTH) {
      throw new IllegalArgumentException(
          "the CLIP encoder has " + clip.config().maxPositions() + " positions, fewer than " + CLIP_LENGTH);
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
   * Loads the text path of a FLUX.1-dev or FLUX.1-Kontext-dev diffusers folder: {@code tokenizer/} and
   * {@code text_encoder/} (CLIP-L), {@code tokenizer_2/} and {@code text_encoder_2/} (T5-XXL), stored as float32.
   *
   * @param pipelineFolder the model folder (the one holding {@code model_index.json})
   * @return the conditioner, which owns what it loaded
   * @throws WeightLoadException if an encoder's files are missing or do not match their config
   * @throws TokenizerException if a tokenizer's files are missing or malformed
   */
  public static FluxTextConditioner fromDiffusers(Path pipelineFolder) {
    return fromDiffusers(pipelineFolder, DataType.FLOAT32);
  }

  /**
   * Loads the text path of a FLUX.1-dev or FLUX.1-Kontext-dev diffusers folder with the encoders' weights stored
   * as {@code storage} (FLOAT16 halves their memory; they compute in float32 either way).
   *
   * @param pipelineFolder the model folder (the one holding {@code model_index.json})
   * @param storage FLOAT32 or FLOAT16
   * @return the conditioner, which owns what it loaded
   * @throws WeightLoadException if an encoder's files are missing or do not match their config
   * @throws TokenizerException if a tokenizer's files are missing or malformed
   */
  public static FluxTextConditioner fromDiffusers(Path pipelineFolder, DataType storage) {
    return fromDiffusers(pipelineFolder, storage, Devices.defaultDevice());
  }

  /**
   * Loads the text path of a FLUX.1-dev or FLUX.1-Kontext-dev diffusers folder like {@link #fromDiffusers(Path,
   * DataType)}, with both encoders on a device (their scratch work runs there too).
   *
   * @param pipelineFolder the model folder (the one holding {@code model_index.json})
   * @param storage FLOAT32 or FLOAT16
   * @param device where the encoders live ({@link Devices#require checked} first)
   * @return the conditioner, which owns what it loaded
   * @throws DeviceException if the engine does not have the device (before any file is read)
   * @throws WeightLoadException if an encoder's files are missing or do not match their config
   * @throws TokenizerException if a tokenizer's files are missing or malformed
   */
  public static FluxTextConditioner fromDiffusers(Path pipelineFolder, DataType storage, Device device) {
    Devices.require(device);
    requireNonNull(pipelineFolder, "pipelineFolder");
    requireFolder(pipelineFolder);
    List<AutoCloseable> owned = new ArrayList<>();
    try {
      JsonTokenizer clipTok = own(owned, JsonTokenizer.fromFolder(pipelineFolder.resolve("tokenizer")));
      ClipTextEncoder clip =
          own(owned, ClipTextEncoder.fromFolder(pipelineFolder.resolve("text_encoder"), storage, device));
      JsonTokenizer t5Tok = own(owned, JsonTokenizer.fromFolder(pipelineFolder.resolve("tokenizer_2")));
      T5Encoder t5 = own(owned, T5Encoder.fromFolder(pipelineFolder.resolve("text_encoder_2"), storage, device));
      String id = "flux-text(" + pipelineFolder.toAbsolutePath().normalize() + ", " + storage + ")";
      return new FluxTextConditioner(builder().setT5(t5, t5Tok).setClip(clip, clipTok).optId(id), owned);
    } catch (RuntimeException e) {
      closeAll(owned, e);
      throw e;
    }
  }

  static void requireFolder(Path folder) {
    if (!Files.isDirectory(folder)) {
      throw new WeightLoadException(folder + ": not a model folder");
    }
  }

  static <T extends AutoCloseable> T own(List<AutoCloseable> owned, T resource) {
    owned.add(resource);
    return resource;
  }

  static void closeAll(List<AutoCloseable> owned, Throwable failure) {
    for (int i = owned.size() - 1; i >= 0; i--) {
      try {
        owned.get(i).close();
      } catch (Exception e) {
        if (failure != null) {
          failure.addSuppressed(e);
        }
      }
    }
  }

  /**
   * Returns the T5 token budget.
   *
   * @return the padded T5 length
   */
  public int maxSequenceLength() {
    return maxSequenceLength;
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
   * Encodes an instruction (the image is not read); the empty string gives the empty-prompt encoding.
   *
   * @param image ignored
   * @param instruction the prompt
   * @param manager the manager of the result
   * @return T5 tokens (1, max sequence length, d_model) and CLIP-L's pooled vector (1, hidden)
   */
  @Override
  public TextConditioning encode(RgbImage image, String instruction, NDManager manager) {
    requireNonNull(instruction, "instruction");
    return cache.get(
        List.of(t5, t5Tokenizer, clip, clipTokenizer), "flux mask=" + maskT5Padding, instruction, maxSequenceLength,
        scope -> compute(instruction, scope), manager);
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public int dim() {
    return t5.config().dModel();
  }

  @Override
  public int tokens() {
    return maxSequenceLength;
  }

  @Override
  public int pooledDim() {
    return clip.config().hiddenSize();
  }

  /**
   * Encodes a prompt as plain arrays (the {@link TextEncoder} view of {@link #encode(RgbImage, String, NDManager)}).
   *
   * @param text the prompt
   * @return the T5 tokens and CLIP-L's pooled vector
   */
  @Override
  public EncodedText encode(String text) {
    return encodedText(this, text, tokens(), dim(), t5.parameters().device());
  }

  /**
   * Runs a conditioner on a prompt in a scratch manager on its encoders' device and returns its batch-1 output as
   * plain arrays.
   */
  static EncodedText encodedText(Conditioner conditioner, String text, int tokens, int dim, Device device) {
    try (NDManager m = NDManager.newBaseManager(device)) {
      TextConditioning c = conditioner.encode(null, text, m);
      return new EncodedText(c.tokens().toFloatArray(), tokens, dim, c.pooled().toFloatArray());
    }
  }

  private TextConditioning compute(String text, NDManager scope) {
    TokenizedText t5Ids = t5Tokenizer.tokenize(text, maxSequenceLength);
    NDArray tokens = t5.encode(
        new int[][] {t5Ids.ids()}, maskT5Padding ? new int[][] {t5Ids.attentionMask()} : null, scope);
    TokenizedText clipIds = clipTokenizer.tokenize(text, CLIP_LENGTH);
    ClipTextOutput out = clip.encode(new int[][] {clipIds.ids()}, scope);
    return new TextConditioning(tokens, out.pooled());
  }

  @Override
  public void close() {
    closeAll(owned, null);
  }

  /** Builds a {@link FluxTextConditioner} from encoders and tokenizers the caller owns. */
  public static final class Builder {
    private T5Encoder t5;
    private TextTokenizer t5Tokenizer;
    private ClipTextEncoder clip;
    private TextTokenizer clipTokenizer;
    private int maxSequenceLength = DEFAULT_MAX_SEQUENCE_LENGTH;
    private boolean maskT5Padding;
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
     * Sets the T5 encoder and its tokenizer (required).
     *
     * @param encoder the encoder ({@code text_encoder_2})
     * @param tokenizer its tokenizer ({@code tokenizer_2})
     * @return this builder
     */
    public Builder setT5(T5Encoder encoder, TextTokenizer tokenizer) {
      this.t5 = encoder;
      this.t5Tokenizer = tokenizer;
      return this;
    }

    /**
     * Sets the CLIP-L encoder and its tokenizer (required).
     *
     * @param encoder the encoder ({@code text_encoder})
     * @param tokenizer its tokenizer ({@code tokenizer})
     * @return this builder
     */
    public Builder setClip(ClipTextEncoder encoder, TextTokenizer tokenizer) {
      this.clip = encoder;
      this.clipTokenizer = tokenizer;
      return this;
    }

    /**
     * Sets the T5 token budget (default 512, diffusers' {@code max_sequence_length}).
     *
     * @param length the padded T5 length
     * @return this builder
     */
    public Builder optMaxSequenceLength(int length) {
      this.maxSequenceLength = length;
      return this;
    }

    /**
     * Passes the T5 attention mask to the encoder (default false: diffusers and BFL run T5 unmasked, and the
     * released models were trained on those states).
     *
     * @param mask whether padded T5 tokens are masked
     * @return this builder
     */
    public Builder optMaskT5Padding(boolean mask) {
      this.maskT5Padding = mask;
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
     * @throws NullPointerException if an encoder or tokenizer is missing
     * @throws IllegalArgumentException if the sizes do not fit
     */
    public FluxTextConditioner build() {
      return new FluxTextConditioner(this, List.of());
    }
  }
}
