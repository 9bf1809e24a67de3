package io.gptedit.models.conditioning;

import static io.gptedit.models.text.TextFixtures.maxAbsDiff;
import static io.gptedit.models.text.TextFixtures.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.flux.FluxInput;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.nn.WeightLoadException;
import io.gptedit.models.safetensors.SafetensorsFile;
import io.gptedit.models.text.ClipTextEncoder;
import io.gptedit.models.text.EncodedText;
import io.gptedit.models.text.JsonTokenizer;
import io.gptedit.models.text.T5Encoder;
import io.gptedit.models.text.TextFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Flux and SD3 text paths (tokenizers -> encoders -> composition) against the same pieces composed in Python
 * as diffusers' encode_prompt does (tools/make_text_fixtures.py, conditioning_io.safetensors), the tiny Flux
 * transformer fed by the Java text path against make_fixtures.py's reference forward, and the embedding cache.
 */
class TextConditionersTest {
  /** The Flux transformer of fixtures/flux_tiny_weights.safetensors (FluxReferenceFixtureTest's config). */
  static final FluxConfig FIXTURE_FLUX = new FluxConfig(16, 16, 1, 1, 2, 8, 16, 8, true, new int[] {2, 2, 4}, 10000, 4);

  private static SafetensorsFile io;
  private static JsonTokenizer clipTok;
  private static JsonTokenizer clipGTok;
  private static JsonTokenizer t5Tok;
  private static ClipTextEncoder clipL;
  private static ClipTextEncoder clipLProj;
  private static ClipTextEncoder clipG;
  private static T5Encoder t5;
  private static List<String> prompts;
  private static int fluxLength;
  private static int sd3Length;

  @BeforeAll
  static void load() throws Exception {
    io = SafetensorsFile.open(path("conditioning_io.safetensors"));
    clipTok = JsonTokenizer.fromFolder(path("tokenizer_clip"));
    clipGTok = JsonTokenizer.fromFolder(path("tokenizer_clip_g"));
    t5Tok = JsonTokenizer.fromFolder(path("tokenizer_t5"));
    clipL = ClipTextEncoder.fromFolder(path("text_encoder_clip_l"), DataType.FLOAT32);
    clipLProj = ClipTextEncoder.fromFolder(path("text_encoder_clip_l_proj"), DataType.FLOAT32);
    clipG = ClipTextEncoder.fromFolder(path("text_encoder_clip_g"), DataType.FLOAT32);
    t5 = T5Encoder.fromFolder(path("text_encoder_t5"), DataType.FLOAT16);
    prompts = List.of(new com.fasterxml.jackson.databind.ObjectMapper()
        .readValue(io.metadata().get("prompts"), String[].class));
    fluxLength = Integer.parseInt(io.metadata().get("flux_max_sequence_length"));
    sd3Length = Integer.parseInt(io.metadata().get("sd3_max_sequence_length"));
  }

  @AfterAll
  static void close() {
    for (AutoCloseable c : new AutoCloseable[] {t5, clipG, clipLProj, clipL, t5Tok, clipGTok, clipTok, io}) {
      try {
        c.close();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
  }

  private static FluxTextConditioner flux(TextEmbeddingCache cache) {
    return FluxTextConditioner.builder().setT5(t5, t5Tok).setClip(clipL, clipTok).optMaxSequenceLength(fluxLength)
        .optCache(cache).build();
  }

  private static Sd3TextConditioner sd3(TextEmbeddingCache cache) {
    return Sd3TextConditioner.builder().setClipL(clipLProj, clipTok).setClipG(clipG, clipGTok).optT5(t5, t5Tok)
        .optMaxSequenceLength(sd3Length).optCache(cache).build();
  }

  @Test
  void fluxPromptAndEmptyPromptMatchDiffusersEncodePromptOfTheSameEncodersWithin1e4() {
    try (FluxTextConditioner c = flux(new TextEmbeddingCache()); NDManager m = NDManager.newBaseManager()) {
      for (int i = 0; i < prompts.size(); i++) {
        TextConditioning t = c.encode(null, prompts.get(i), m);
        assertThat(t.tokens().getShape()).isEqualTo(new Shape(1, fluxLength, 16));
        assertThat(t.pooled().getShape()).isEqualTo(new Shape(1, 8));
        assertThat(maxAbsDiff(t.tokens().toFloatArray(), io.readFloats("flux_" + i + "_tokens"))).isLessThan(1e-4);
        assertThat(maxAbsDiff(t.pooled().toFloatArray(), io.readFloats("flux_" + i + "_pooled"))).isLessThan(1e-4);
      }
      EncodedText e = c.encode(prompts.get(0));
      assertThat(e.pooled()).hasSize(8);
      assertThat(c.tokens()).isEqualTo(fluxLength);
      assertThat(c.dim()).isEqualTo(16);
      assertThat(c.pooledDim()).isEqualTo(8);
    }
  }

  @Test
  void fluxTextPathThroughTheTinyTransformerMatchesThePythonVelocityWithin1e4() throws Exception {
    try (SafetensorsFile w = SafetensorsFile.open(
            Path.of(TextConditionersTest.class.getResource("/io/gptedit/models/fixtures/flux_tiny_weights.safetensors")
                .toURI()));
        FluxTransformer model = FluxTransformer.load(FIXTURE_FLUX, List.of(w), "");
        FluxTextConditioner c = flux(new TextEmbeddingCache());
        NDManager m = NDManager.newBaseManager()) {
      TextConditioning t = c.encode(null, prompts.get(0), m);
      FluxInput in = new FluxInput(io.load(m, "flux_hidden"), t.tokens(), t.pooled(), io.readFloats("flux_timestep"),
          io.readFloats("flux_guidance"), ids(io.load(m, "flux_img_ids").toLongArray()),
          FluxInput.zeroTextIds(fluxLength));
      NDArray v = model.forward(in, m);
      assertThat(maxAbsDiff(v.toFloatArray(), io.readFloats("flux_velocity"))).isLessThan(1e-4);
    }
  }

  private static int[][] ids(long[] flat) {
    int[][] out = new int[flat.length / 3][3];
    for (int i = 0; i < out.length; i++) {
      for (int j = 0; j < 3; j++) {
        out[i][j] = (int) flat[i * 3 + j];
      }
    }
    return out;
  }

  @Test
  void sd3TripleEncoderPromptAndNegativePromptMatchDiffusersEncodePromptWithin1e4() {
    try (Sd3TextConditioner c = sd3(new TextEmbeddingCache()); NDManager m = NDManager.newBaseManager()) {
      for (int i = 0; i < prompts.size(); i++) {
        TextConditioning t = c.encode(null, prompts.get(i), m);
        assertThat(t.tokens().getShape()).isEqualTo(new Shape(1, 77 + sd3Length, 16));
        assertThat(t.pooled().getShape()).isEqualTo(new Shape(1, 6 + 10));
        assertThat(maxAbsDiff(t.tokens().toFloatArray(), io.readFloats("sd3_" + i + "_tokens"))).isLessThan(1e-4);
        assertThat(maxAbsDiff(t.pooled().toFloatArray(), io.readFloats("sd3_" + i + "_pooled"))).isLessThan(1e-4);
      }
    }
  }

  @Test
  void sd3WithoutT5HasZeroT5TokensOfTheJointWidth() {
    try (Sd3TextConditioner c = Sd3TextConditioner.builder().setClipL(clipLProj, clipTok).setClipG(clipG, clipGTok)
            .optJointAttentionDim(16).optMaxSequenceLength(sd3Length).build();
        NDManager m = NDManager.newBaseManager()) {
      TextConditioning t = c.encode(null, prompts.get(0), m);
      float[] expected = io.readFloats("sd3_0_tokens");
      float[] actual = t.tokens().toFloatArray();
      int clipPart = 77 * 16;
      for (int i = 0; i < actual.length; i++) {
        assertThat(actual[i]).isCloseTo(i < clipPart ? expected[i] : 0f, org.assertj.core.data.Offset.offset(1e-4f));
      }
    }
  }

  @Test
  void sd3RefusesEncodersWithoutProjectionOrTooWideForT5() {
    assertThatThrownBy(() -> Sd3TextConditioner.builder().setClipL(clipL, clipTok).setClipG(clipG, clipGTok).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CLIPTextModelWithProjection");
    assertThatThrownBy(() -> Sd3TextConditioner.builder().setClipL(clipLProj, clipTok).setClipG(clipG, clipGTok)
            .optJointAttentionDim(8).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds");
  }

  @Test
  void repeatedPromptsAndTheNegativePromptAreEncodedOnceAndCopiedOnEveryHit() {
    TextEmbeddingCache cache = new TextEmbeddingCache();
    try (FluxTextConditioner c = flux(cache); NDManager m = NDManager.newBaseManager()) {
      float[] first = c.encode(null, "make the sky pink", m).tokens().toFloatArray();
      c.encode(null, "", m);
      TextConditioning again = c.encode(null, "make the sky pink", m);
      c.encode(null, "", m);
      assertThat(cache.misses()).isEqualTo(2);
      assertThat(cache.hits()).isEqualTo(2);
      assertThat(cache.size()).isEqualTo(2);
      assertThat(again.tokens().toFloatArray()).containsExactly(first);
      // Each hit is a fresh array in the caller's manager: closing one leaves the cache intact.
      again.tokens().close();
      assertThat(c.encode(null, "make the sky pink", m).tokens().toFloatArray()).containsExactly(first);
    }
  }

  @Test
  void conditionersOverOtherEncodersOrLengthsNeverShareACacheEntry() {
    TextEmbeddingCache shared = new TextEmbeddingCache();
    try (FluxTextConditioner a = flux(shared);
        FluxTextConditioner b = FluxTextConditioner.builder().setT5(t5, t5Tok).setClip(clipL, clipTok)
            .optMaxSequenceLength(fluxLength + 4).optCache(shared).build();
        Sd3TextConditioner s = sd3(shared);
        NDManager m = NDManager.newBaseManager()) {
      a.encode(null, "make the sky pink", m);
      b.encode(null, "make the sky pink", m);
      s.encode(null, "make the sky pink", m);
      assertThat(shared.misses()).isEqualTo(3);
      assertThat(shared.size()).isEqualTo(3);
      a.encode(null, "make the sky pink", m);
      assertThat(shared.hits()).isEqualTo(1);
    }
  }

  @Test
  void theCacheBoundEvictsTheLeastRecentlyUsedPrompt() {
    long oneEntry = 4L * (fluxLength * 16 + 8) + 2L * "prompt a".length() + 64;
    TextEmbeddingCache cache = new TextEmbeddingCache(2 * oneEntry);
    try (FluxTextConditioner c = flux(cache); NDManager m = NDManager.newBaseManager()) {
      c.encode(null, "prompt a", m);
      c.encode(null, "prompt b", m);
      c.encode(null, "prompt a", m); // a is now the most recent
      c.encode(null, "prompt c", m); // evicts b
      assertThat(cache.size()).isEqualTo(2);
      assertThat(cache.bytes()).isLessThanOrEqualTo(2 * oneEntry);
      long misses = cache.misses();
      c.encode(null, "prompt a", m);
      assertThat(cache.misses()).isEqualTo(misses);
      c.encode(null, "prompt b", m);
      assertThat(cache.misses()).isEqualTo(misses + 1);
    }
    TextEmbeddingCache off = new TextEmbeddingCache(0);
    try (FluxTextConditioner c = flux(off); NDManager m = NDManager.newBaseManager()) {
      c.encode(null, "prompt a", m);
      c.encode(null, "prompt a", m);
      assertThat(off.size()).isZero();
      assertThat(off.misses()).isEqualTo(2);
    }
  }

  @Test
  void fromDiffusersLoadsTheKontextAndSd3FolderLayoutsInFloat16(@TempDir Path dir) throws Exception {
    Path kontext = TextFixtures.fluxTextFolders(dir.resolve("FLUX.1-Kontext-dev"));
    try (FluxTextConditioner loaded = FluxTextConditioner.fromDiffusers(kontext, DataType.FLOAT16);
        FluxTextConditioner built = FluxTextConditioner.builder().setT5(t5, t5Tok).setClip(clipL, clipTok).build();
        NDManager m = NDManager.newBaseManager()) {
      assertThat(loaded.maxSequenceLength()).isEqualTo(FluxTextConditioner.DEFAULT_MAX_SEQUENCE_LENGTH);
      assertThat(loaded.id()).contains(kontext.toAbsolutePath().normalize().toString()).contains("float16");
      TextConditioning a = loaded.encode(null, "give the cat a red hat", m);
      TextConditioning b = built.encode(null, "give the cat a red hat", m);
      assertThat(a.tokens().getShape()).isEqualTo(new Shape(1, 512, 16));
      assertThat(maxAbsDiff(a.tokens().toFloatArray(), b.tokens().toFloatArray())).isLessThan(1e-5);
      assertThat(maxAbsDiff(a.pooled().toFloatArray(), b.pooled().toFloatArray())).isLessThan(1e-5);
    }
    Path sd3 = TextFixtures.sd3TextFolders(dir.resolve("stable-diffusion-3-medium-diffusers"));
    try (Sd3TextConditioner loaded = Sd3TextConditioner.fromDiffusers(sd3, DataType.FLOAT16);
        NDManager m = NDManager.newBaseManager()) {
      TextConditioning t = loaded.encode(null, "", m);
      assertThat(t.tokens().getShape()).isEqualTo(new Shape(1, 77 + 256, 16));
      assertThat(t.pooled().getShape()).isEqualTo(new Shape(1, 16));
    }
  }

  @Test
  void aPipelineFolderMissingAnEncoderIsAnErrorNamingTheMissingFolder(@TempDir Path dir) throws Exception {
    Path kontext = TextFixtures.fluxTextFolders(dir.resolve("FLUX.1-Kontext-dev"));
    for (Path f : Files.list(kontext.resolve("text_encoder_2")).toList()) {
      Files.delete(f);
    }
    Files.delete(kontext.resolve("text_encoder_2"));
    assertThatThrownBy(() -> FluxTextConditioner.fromDiffusers(kontext, DataType.FLOAT32))
        .isInstanceOf(WeightLoadException.class).hasMessageContaining("text_encoder_2");
    assertThatThrownBy(() -> FluxTextConditioner.fromDiffusers(dir.resolve("nowhere")))
        .isInstanceOf(WeightLoadException.class).hasMessageContaining("nowhere");
  }
}
