package io.gptedit.models.train;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gptedit.core.GpteditException;
import io.gptedit.models.codec.LatentCodec;
import io.gptedit.models.codec.PixelCodec;
import io.gptedit.models.conditioning.ImageFeatures;
import io.gptedit.models.conditioning.MllmHiddenStates;
import io.gptedit.models.conditioning.PooledPatchEncoder;
import io.gptedit.models.conditioning.TextFusion;
import io.gptedit.models.editor.ChannelWiseDenoiser;
import io.gptedit.models.editor.DiffusionEditor;
import io.gptedit.models.editor.EditDenoiser;
import io.gptedit.models.editor.KontextDenoiser;
import io.gptedit.models.editor.Paradigm;
import io.gptedit.models.editor.Resolution;
import io.gptedit.models.editor.SamplingConfig;
import io.gptedit.models.editor.SiglipTokenDenoiser;
import io.gptedit.models.flow.TimeSchedule;
import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.nn.DeviceException;
import io.gptedit.models.nn.Devices;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.safetensors.SafetensorsFile;
import io.gptedit.models.sd3.Sd3Config;
import io.gptedit.models.sd3.Sd3Transformer;
import io.gptedit.models.text.TextEncoder;
import io.gptedit.models.text.WordHashTextEncoder;
import io.gptedit.models.vae.AutoencoderKL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Everything needed to build an editor except its trained weights: the paradigm, the backbone's config, the codec,
 * the text fusion and its frozen encoders, the sampling defaults and the seeds of the initial weights. The edit lab
 * and {@code gptedit train} build their editor from a spec ({@link #build}), fine-tuning writes it into the run
 * folder, and {@link EditorCheckpoint} rebuilds the same editor from it and loads a checkpoint's weights, so a
 * checkpoint always becomes the network it was trained as. It is stored as JSON ({@link #toJson}, {@link
 * #fromJson}).
 *
 * <p>Frozen parts with weights of their own are referenced, not copied: a VAE by its weights file and SHA-256 (checked
 * on load); a text encoder, MLLM or vision encoder that is not one of the weightless presets by an identity the
 * caller resolves ({@link Resolver}).
 *
 * @param paradigm the conditioning paradigm
 * @param backbone the backbone's architecture and the seed of its initial weights
 * @param conditionAxis Kontext's first position id of the condition tokens (1; 0 for shared positions)
 * @param normaliseSource channel-wise: whether source latents are normalised like the noisy ones
 * @param vision SIGLIP_TOKEN: the vision encoder and projector; null for the other paradigms
 * @param codec the codec
 * @param text the text fusion and its encoders
 * @param sampling the sampling defaults
 * @param resolution the working-size policy
 * @since 0.1
 */
public record EditorSpec(
    Paradigm paradigm,
    Backbone backbone,
    int conditionAxis,
    boolean normaliseSource,
    Vision vision,
    Codec codec,
    Text text,
    SamplingConfig sampling,
    Resolution resolution) {

  /** The spec's JSON format name. */
  public static final String FORMAT = "gptedit-editor";
  private static final int VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Validates the spec's parts against each other. */
  public EditorSpec {
    requireNonNull(paradigm, "paradigm");
    requireNonNull(backbone, "backbone");
    requireNonNull(codec, "codec");
    requireNonNull(text, "text");
    requireNonNull(sampling, "sampling");
    requireNonNull(resolution, "resolution");
    checkArgument(conditionAxis == 0 || conditionAxis == 1, "conditionAxis must be 0 or 1");
    checkArgument((paradigm == Paradigm.SIGLIP_TOKEN) == (vision != null), "a vision spec is for SIGLIP_TOKEN only");
    checkArgument(
        backbone.sd3() == null || paradigm == Paradigm.CHANNEL_WISE, "an SD3 backbone is for CHANNEL_WISE only");
  }

  /**
   * The backbone: exactly one of a Flux and an SD3 config.
   *
   * @param flux the Flux config, or null
   * @param sd3 the SD3 config, or null
   * @param seed the seed of the initial (random) weights
   */
  public record Backbone(FluxConfig flux, Sd3Config sd3, long seed) {
    /** Validates that exactly one config is set. */
    public Backbone {
      checkArgument((flux == null) != (sd3 == null), "a backbone is either Flux or SD3");
    }

    /**
     * A Flux backbone.
     *
     * @param config the config
     * @param seed the seed of the initial weights
     * @return the backbone
     */
    public static Backbone flux(FluxConfig config, long seed) {
      return new Backbone(requireNonNull(config, "config"), null, seed);
    }

    /**
     * An SD3 backbone.
     *
     * @param config the config
     * @param seed the seed of the initial weights
     * @return the backbone
     */
    public static Backbone sd3(Sd3Config config, long seed) {
      return new Backbone(null, requireNonNull(config, "config"), seed);
    }
  }

  /**
   * The SIGLIP_TOKEN paradigm's image side: a frozen vision encoder and the trained projector.
   *
   * @param encoder a weightless pooled-patch encoder, or null when {@code externalId} names one to resolve
   * @param externalId the identity of an external vision encoder (SigLIP), or null
   * @param featureDim the encoder's feature width
   * @param projectorHidden the projector MLP's hidden size
   * @param projectorSeed the seed of the projector's initial weights
   */
  public record Vision(
      PooledPatchEncoder encoder, String externalId, int featureDim, int projectorHidden, long projectorSeed) {
    /** Validates the spec. */
    public Vision {
      checkArgument((encoder == null) != (externalId == null), "a vision encoder is either pooled-patch or external");
      checkArgument(featureDim > 0 && projectorHidden > 0, "sizes must be positive");
    }
  }

  /**
   * The codec: the pixel codec, or a VAE whose weights are referenced by file and hash.
   *
   * @param vae the VAE config, or null for the pixel codec
   * @param weights the VAE's safetensors file (null for the pixel codec)
   * @param sha256 the file's SHA-256, hex (null for the pixel codec)
   */
  public record Codec(io.gptedit.models.vae.VaeConfig vae, Path weights, String sha256) {
    /** Validates the spec. */
    public Codec {
      checkArgument(
          (vae == null && weights == null && sha256 == null) || (vae != null && weights != null && sha256 != null),
          "a VAE codec needs a config, a weights file and its SHA-256");
    }

    /**
     * The pixel codec.
     *
     * @return the spec
     */
    public static Codec pixel() {
      return new Codec(null, null, null);
    }

    /**
     * A VAE saved at a file.
     *
     * @param config its config
     * @param weights its safetensors file
     * @return the spec, with the file's hash
     */
    public static Codec vae(io.gptedit.models.vae.VaeConfig config, Path weights) {
      return new Codec(config, weights.toAbsolutePath().normalize(), RunProvenance.dataHash(List.of(weights)));
    }
  }

  /**
   * The text side: a fusion over frozen encoders.
   *
   * @param fusion the fusion's sizes
   * @param connectorSeed the seed of the connector's initial weights
   * @param encoder a weightless word-hash encoder, or null when {@code encoderId} names one to resolve (or the
   *     mode needs none)
   * @param encoderId the identity of an external text encoder (T5), or null
   * @param mllmId the identity of the external MLLM, or null
   */
  public record Text(
      TextFusion.Config fusion, long connectorSeed, WordHashTextEncoder encoder, String encoderId, String mllmId) {
    /** Validates the spec. */
    public Text {
      requireNonNull(fusion, "fusion");
      checkArgument(encoder == null || encoderId == null, "a text encoder is either word-hash or external");
    }
  }

  /** Supplies the frozen components a spec names by identity. */
  public interface Resolver {
    /**
     * Returns an external text encoder.
     *
     * @param id the identity recorded in the spec
     * @return the encoder
     */
    default TextEncoder textEncoder(String id) {
      throw new GpteditException("the editor spec needs the text encoder '" + id + "': supply it with a Resolver");
    }

    /**
     * Returns an external MLLM.
     *
     * @param id the identity recorded in the spec
     * @return the MLLM
     */
    default MllmHiddenStates mllm(String id) {
      throw new GpteditException("the editor spec needs the MLLM '" + id + "': supply it with a Resolver");
    }

    /**
     * Returns an external vision encoder.
     *
     * @param id the identity recorded in the spec
     * @return the encoder
     */
    default ImageFeatures vision(String id) {
      throw new GpteditException("the editor spec needs the vision encoder '" + id + "': supply it with a Resolver");
    }
  }

  /** A resolver that supplies nothing (enough for specs with weightless encoders only). */
  public static final Resolver NO_EXTERNALS = new Resolver() {};

  /**
   * The parts of an editor built from a spec, with their initial weights. Closing frees everything the parts own.
   *
   * @param denoiser the paradigm's denoiser
   * @param text the text fusion
   * @param codec the codec
   * @param owned what closing frees
   */
  public record Parts(EditDenoiser denoiser, TextFusion text, LatentCodec codec, List<AutoCloseable> owned)
      implements AutoCloseable {
    /**
     * Returns an editor over these parts, running on the denoiser's device; closing the editor closes the parts.
     *
     * @param spec the spec they were built from (sampling and resolution)
     * @param name the editor's name
     * @return the editor
     */
    public DiffusionEditor editor(EditorSpec spec, String name) {
      return DiffusionEditor.builder()
          .setDenoiser(denoiser)
          .setCodec(codec)
          .setConditioner(text)
          .optSampling(spec.sampling())
          .optResolution(spec.resolution())
          .optName(name)
          .optOwned(owned.toArray(new AutoCloseable[0]))
          .optDevice(denoiser.parameters().values().iterator().next().getDevice())
          .build();
    }

    @Override
    public void close() {
      for (int i = owned.size() - 1; i >= 0; i--) {
        try {
          owned.get(i).close();
        } catch (Exception e) {
          throw new IllegalStateException("cannot close " + owned.get(i), e);
        }
      }
    }
  }

  /**
   * Builds the parts with their initial weights (random from the spec's seeds; the VAE from its file).
   *
   * @param resolver supplies external frozen encoders
   * @return the parts
   * @throws GpteditException if an external part cannot be resolved or the VAE file does not match its hash
   */
  public Parts build(Resolver resolver) {
    return build(resolver, Devices.defaultDevice());
  }

  /**
   * Builds the parts like {@link #build(Resolver)} with every weight the spec holds (backbone, connector,
   * projector, VAE) on a device; the resolver's external encoders must run there too.
   *
   * @param resolver supplies external frozen encoders
   * @param device the device ({@link Devices#require checked} before anything is read or allocated)
   * @return the parts; {@link Parts#editor} runs on {@code device}
   * @throws DeviceException if the engine does not have the device
   * @throws GpteditException if an external part cannot be resolved or the VAE file does not match its hash
   */
  public Parts build(Resolver resolver, Device device) {
    requireNonNull(resolver, "resolver");
    Devices.require(device);
    List<AutoCloseable> owned = new ArrayList<>();
    try {
      LatentCodec c;
      if (codec.vae() == null) {
        c = PixelCodec.create();
      } else {
        String actual = RunProvenance.dataHash(List.of(codec.weights()));
        if (!actual.equals(codec.sha256())) {
          throw new GpteditException(
              "VAE weights " + codec.weights() + " have SHA-256 " + actual + " but the editor spec records "
                  + codec.sha256());
        }
        AutoencoderKL vae;
        try (SafetensorsFile f = SafetensorsFile.open(codec.weights())) {
          vae = AutoencoderKL.load(codec.vae(), List.of(f), "", device);
        }
        owned.add(vae);
        c = vae;
      }
      TextEncoder encoder =
          text.encoder() != null ? text.encoder() : text.encoderId() != null ? resolver.textEncoder(text.encoderId()) : null;
      MllmHiddenStates mllm = text.mllmId() == null ? null : resolver.mllm(text.mllmId());
      TextFusion fusion =
          new TextFusion(
              text.fusion(), ModelWeights.random(TextFusion.spec(text.fusion()), text.connectorSeed(), device), encoder,
              mllm);
      owned.add(fusion);
      EditDenoiser denoiser =
          switch (paradigm) {
            case KONTEXT -> new KontextDenoiser(FluxTransformer.random(backbone.flux(), backbone.seed(), device))
                .withConditionAxis(conditionAxis);
            case CHANNEL_WISE -> backbone.sd3() != null
                ? ChannelWiseDenoiser.sd3(
                    Sd3Transformer.random(backbone.sd3(), backbone.seed(), device), normaliseSource)
                : ChannelWiseDenoiser.flux(FluxTransformer.random(backbone.flux(), backbone.seed(), device));
            case SIGLIP_TOKEN -> new SiglipTokenDenoiser(
                FluxTransformer.random(backbone.flux(), backbone.seed(), device),
                ModelWeights.random(
                    SiglipTokenDenoiser.projectorSpec(
                        vision.featureDim(), vision.projectorHidden(), backbone.flux().jointAttentionDim()),
                    vision.projectorSeed(),
                    device),
                vision.encoder() != null ? vision.encoder() : resolver.vision(vision.externalId()));
          };
      owned.add(denoiser);
      return new Parts(denoiser, fusion, c, List.copyOf(owned));
    } catch (RuntimeException e) {
      for (AutoCloseable a : owned) {
        try {
          a.close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  /**
   * Writes the spec as JSON.
   *
   * @return the JSON text
   */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("version", VERSION);
    root.put("paradigm", paradigm.tag());
    ObjectNode b = root.putObject("backbone");
    b.put("seed", backbone.seed());
    if (backbone.flux() != null) {
      FluxConfig f = backbone.flux();
      b.put("kind", "flux");
      b.put("in_channels", f.inChannels());
      b.put("out_channels", f.outChannels());
      b.put("num_layers", f.numLayers());
      b.put("num_single_layers", f.numSingleLayers());
      b.put("num_attention_heads", f.heads());
      b.put("attention_head_dim", f.headDim());
      b.put("joint_attention_dim", f.jointAttentionDim());
      b.put("pooled_projection_dim", f.pooledProjectionDim());
      b.put("guidance_embeds", f.guidanceEmbeds());
      ArrayNode axes = b.putArray("axes_dims_rope");
      for (int a : f.axesDims()) {
        axes.add(a);
      }
      b.put("theta", f.theta());
      b.put("mlp_ratio", f.mlpRatio());
    } else {
      Sd3Config s = backbone.sd3();
      b.put("kind", "sd3");
      b.put("sample_size", s.sampleSize());
      b.put("patch_size", s.patchSize());
      b.put("in_channels", s.inChannels());
      b.put("out_channels", s.outChannels());
      b.put("num_layers", s.layers());
      b.put("num_attention_heads", s.heads());
      b.put("attention_head_dim", s.headDim());
      b.put("joint_attention_dim", s.jointAttentionDim());
      b.put("caption_projection_dim", s.captionProjectionDim());
      b.put("pooled_projection_dim", s.pooledProjectionDim());
      b.put("pos_embed_max_size", s.posEmbedMaxSize());
    }
    root.put("condition_axis", conditionAxis);
    root.put("normalise_source", normaliseSource);
    if (vision != null) {
      ObjectNode v = root.putObject("vision");
      if (vision.encoder() != null) {
        v.put("kind", "pooled-patch");
        v.put("grid", vision.encoder().grid());
        v.put("dim", vision.encoder().dim());
        v.put("seed", vision.encoder().seed());
      } else {
        v.put("kind", "external");
        v.put("id", vision.externalId());
      }
      v.put("feature_dim", vision.featureDim());
      v.put("projector_hidden", vision.projectorHidden());
      v.put("projector_seed", vision.projectorSeed());
    }
    ObjectNode c = root.putObject("codec");
    if (codec.vae() == null) {
      c.put("kind", "pixel");
    } else {
      io.gptedit.models.vae.VaeConfig v = codec.vae();
      c.put("kind", "vae");
      c.put("in_channels", v.imageChannels());
      c.put("latent_channels", v.latentChannels());
      ArrayNode blocks = c.putArray("block_out_channels");
      for (int ch : v.blockOutChannels()) {
        blocks.add(ch);
      }
      c.put("layers_per_block", v.layersPerBlock());
      c.put("norm_num_groups", v.normGroups());
      c.put("scaling_factor", v.scalingFactor());
      c.put("shift_factor", v.shiftFactor());
      c.put("weights", codec.weights().toString());
      c.put("sha256", codec.sha256());
    }
    ObjectNode t = root.putObject("text");
    TextFusion.Config fc = text.fusion();
    t.put("mode", fc.mode().name());
    t.put("connector", fc.connector().name());
    t.put("mllm_dim", fc.mllmDim());
    t.put("hidden_dim", fc.hiddenDim());
    t.put("text_dim", fc.textDim());
    t.put("pooled_dim", fc.pooledDim());
    t.put("type_embedding", fc.typeEmbedding());
    t.put("meta_queries", fc.metaQueries());
    if (fc.queryEncoder().layers() > 0) {
      TextFusion.QueryEncoder q = fc.queryEncoder();
      ObjectNode qe = t.putObject("query_encoder");
      qe.put("layers", q.layers());
      qe.put("heads", q.heads());
      qe.put("kv_heads", q.kvHeads());
      qe.put("intermediate_size", q.intermediateSize());
      qe.put("rope_theta", q.ropeTheta());
      qe.put("rms_norm_eps", q.rmsNormEps());
    }
    t.put("connector_seed", text.connectorSeed());
    if (text.encoder() != null) {
      ObjectNode e = t.putObject("encoder");
      e.put("kind", "word-hash");
      e.put("tokens", text.encoder().tokens());
      e.put("dim", text.encoder().dim());
      e.put("seed", text.encoder().seed());
    } else if (text.encoderId() != null) {
      t.putObject("encoder").put("kind", "external").put("id", text.encoderId());
    }
    if (text.mllmId() != null) {
      t.put("mllm", text.mllmId());
    }
    ObjectNode s = root.putObject("sampling");
    s.put("steps", sampling.steps());
    s.put("schedule", sampling.schedule().name());
    s.put("guidance", sampling.guidance().kind().name());
    s.put("guidance_scale", sampling.guidance().scale());
    s.put("image_guidance_scale", sampling.guidance().imageScale());
    root.put("resolution", resolution.name());
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write an editor spec", e);
    }
  }

  /**
   * Reads a spec from JSON.
   *
   * @param json the JSON text
   * @param source where it came from, for error messages
   * @return the spec
   * @throws GpteditException if the JSON is not a spec of this version or a field is missing or wrong
   */
  public static EditorSpec fromJson(String json, String source) {
    try {
      JsonNode root = JSON.readTree(json);
      if (root == null || !FORMAT.equals(root.path("format").asText())) {
        throw new GpteditException(source + ": not an editor spec (format is not '" + FORMAT + "')");
      }
      if (root.path("version").asInt(-1) != VERSION) {
        throw new GpteditException(source + ": editor spec version " + root.path("version") + ", expected " + VERSION);
      }
      Paradigm paradigm = Paradigm.parse(text(root, "paradigm", source));
      JsonNode b = need(root, "backbone", source);
      long seed = b.path("seed").asLong();
      Backbone backbone =
          switch (text(b, "kind", source)) {
            case "flux" -> Backbone.flux(
                new FluxConfig(
                    integer(b, "in_channels", source), integer(b, "out_channels", source),
                    integer(b, "num_layers", source), integer(b, "num_single_layers", source),
                    integer(b, "num_attention_heads", source), integer(b, "attention_head_dim", source),
                    integer(b, "joint_attention_dim", source), integer(b, "pooled_projection_dim", source),
                    need(b, "guidance_embeds", source).asBoolean(), integers(b, "axes_dims_rope", source),
                    need(b, "theta", source).asDouble(), integer(b, "mlp_ratio", source)),
                seed);
            case "sd3" -> Backbone.sd3(
                new Sd3Config(
                    integer(b, "sample_size", source), integer(b, "patch_size", source),
                    integer(b, "in_channels", source), integer(b, "out_channels", source),
                    integer(b, "num_layers", source), integer(b, "num_attention_heads", source),
                    integer(b, "attention_head_dim", source), integer(b, "joint_attention_dim", source),
                    integer(b, "caption_projection_dim", source), integer(b, "pooled_projection_dim", source),
                    integer(b, "pos_embed_max_size", source)),
                seed);
            default -> throw new GpteditException(source + ": backbone.kind must be flux or sd3");
          };
      Vision vision = null;
      if (root.has("vision")) {
        JsonNode v = root.get("vision");
        PooledPatchEncoder enc =
            "pooled-patch".equals(v.path("kind").asText())
                ? new PooledPatchEncoder(integer(v, "grid", source), integer(v, "dim", source), v.path("seed").asLong())
                : null;
        vision =
            new Vision(
                enc, enc == null ? text(v, "id", source) : null, integer(v, "feature_dim", source),
                integer(v, "projector_hidden", source), v.path("projector_seed").asLong());
      }
      JsonNode c = need(root, "codec", source);
      Codec codec =
          switch (text(c, "kind", source)) {
            case "pixel" -> Codec.pixel();
            case "vae" -> new Codec(
                new io.gptedit.models.vae.VaeConfig(
                    integer(c, "in_channels", source), integer(c, "latent_channels", source),
                    integers(c, "block_out_channels", source), integer(c, "layers_per_block", source),
                    integer(c, "norm_num_groups", source), need(c, "scaling_factor", source).asDouble(),
                    need(c, "shift_factor", source).asDouble()),
                Path.of(text(c, "weights", source)),
                text(c, "sha256", source));
            default -> throw new GpteditException(source + ": codec.kind must be pixel or vae");
          };
      JsonNode t = need(root, "text", source);
      TextFusion.Config fusion =
          new TextFusion.Config(
              TextFusion.Mode.valueOf(text(t, "mode", source).toUpperCase(Locale.ROOT)),
              TextFusion.Connector.valueOf(text(t, "connector", source).toUpperCase(Locale.ROOT)),
              integer(t, "mllm_dim", source), integer(t, "hidden_dim", source), integer(t, "text_dim", source),
              integer(t, "pooled_dim", source), t.path("type_embedding").asBoolean(), integer(t, "meta_queries", source),
              t.has("query_encoder") ? queryEncoder(t.get("query_encoder"), source) : TextFusion.QueryEncoder.NONE);
      WordHashTextEncoder words = null;
      String encoderId = null;
      if (t.has("encoder")) {
        JsonNode e = t.get("encoder");
        if ("word-hash".equals(e.path("kind").asText())) {
          words = new WordHashTextEncoder(integer(e, "tokens", source), integer(e, "dim", source), e.path("seed").asLong());
        } else {
          encoderId = text(e, "id", source);
        }
      }
      Text txt = new Text(fusion, t.path("connector_seed").asLong(), words, encoderId, t.has("mllm") ? t.get("mllm").asText() : null);
      JsonNode s = need(root, "sampling", source);
      SamplingConfig sampling =
          new SamplingConfig(
              integer(s, "steps", source),
              TimeSchedule.valueOf(text(s, "schedule", source)),
              new SamplingConfig.Guidance(
                  SamplingConfig.GuidanceKind.valueOf(text(s, "guidance", source)),
                  s.path("guidance_scale").asDouble(), s.path("image_guidance_scale").asDouble()));
      return new EditorSpec(
          paradigm, backbone, root.path("condition_axis").asInt(1), root.path("normalise_source").asBoolean(true),
          vision, codec, txt, sampling, Resolution.valueOf(text(root, "resolution", source)));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new GpteditException(source + ": malformed JSON: " + e.getOriginalMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new GpteditException(source + ": invalid editor spec: " + e.getMessage(), e);
    }
  }

  private static JsonNode need(JsonNode n, String field, String source) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      throw new GpteditException(source + ": editor spec lacks '" + field + "'");
    }
    return v;
  }

  private static String text(JsonNode n, String field, String source) {
    return need(n, field, source).asText();
  }

  private static TextFusion.QueryEncoder queryEncoder(JsonNode q, String source) {
    return new TextFusion.QueryEncoder(integer(q, "layers", source), integer(q, "heads", source),
        integer(q, "kv_heads", source), integer(q, "intermediate_size", source),
        need(q, "rope_theta", source).asDouble(), (float) need(q, "rms_norm_eps", source).asDouble());
  }

  private static int integer(JsonNode n, String field, String source) {
    JsonNode v = need(n, field, source);
    if (!v.canConvertToInt()) {
      throw new GpteditException(source + ": editor spec field '" + field + "' must be an integer, got " + v);
    }
    return v.asInt();
  }

  private static int[] integers(JsonNode n, String field, String source) {
    JsonNode v = need(n, field, source);
    if (!v.isArray()) {
      throw new GpteditException(source + ": editor spec field '" + field + "' must be an array");
    }
    int[] out = new int[v.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.get(i).asInt();
    }
    return out;
  }
}
