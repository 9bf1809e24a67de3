package io.gptedit.models.text;

import static io.gptedit.models.text.TextFixtures.maxAbsDiff;
import static io.gptedit.models.text.TextFixtures.path;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.gptedit.models.safetensors.SafetensorsFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ClipTextEncoder against transformers' CLIPTextModel / CLIPTextModelWithProjection (tools/make_text_fixtures.py):
 * same checkpoint files, same ids, every output within 1e-4 in float32.
 */
class ClipTextEncoderTest {
  private static SafetensorsFile io;
  private static NDManager manager;

  @BeforeAll
  static void open() {
    io = SafetensorsFile.open(path("clip_io.safetensors"));
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
    io.close();
  }

  private static int[][] rows(String name) {
    long[] flat = io.load(manager, name).toLongArray();
    long[] shape = io.info(name).shape();
    int[][] out = new int[(int) shape[0]][(int) shape[1]];
    for (int b = 0; b < out.length; b++) {
      for (int i = 0; i < out[b].length; i++) {
        out[b][i] = Math.toIntExact(flat[b * out[b].length + i]);
      }
    }
    return out;
  }

  /** Runs one fixture tower and checks every output the fixture holds; returns the largest error. */
  private static double check(String folder, String prefix, String idsName, String maskName, DataType storage) {
    double worst = 0;
    try (ClipTextEncoder clip = ClipTextEncoder.fromFolder(path(folder), storage);
        NDManager m = manager.newSubManager()) {
      assertThat(clip.parameters().asMap().values()).allMatch(a -> a.getDataType() == storage);
      int[][] ids = rows(idsName);
      String pooled = clip.config().projection() ? "_text_embeds" : "_pooled";
      ClipTextOutput out = clip.encode(ids, null, 0, m);
      worst = Math.max(worst, maxAbsDiff(out.lastHiddenState().toFloatArray(), io.readFloats(prefix + "_last")));
      worst = Math.max(worst, maxAbsDiff(out.hiddenState().toFloatArray(), io.readFloats(prefix + "_penultimate")));
      float[] p = (clip.config().projection() ? out.textEmbeds() : out.pooled()).toFloatArray();
      worst = Math.max(worst, maxAbsDiff(p, io.readFloats(prefix + pooled)));
      ClipTextOutput skip1 = clip.encode(ids, null, 1, m);
      worst = Math.max(worst, maxAbsDiff(skip1.hiddenState().toFloatArray(), io.readFloats(prefix + "_hidden_skip1")));
      ClipTextOutput masked = clip.encode(ids, rows(maskName), 0, m);
      worst = Math.max(worst,
          maxAbsDiff(masked.lastHiddenState().toFloatArray(), io.readFloats(prefix + "_masked_last")));
      float[] mp = (clip.config().projection() ? masked.textEmbeds() : masked.pooled()).toFloatArray();
      worst = Math.max(worst, maxAbsDiff(mp, io.readFloats(prefix + "_masked" + pooled)));
      // The masked and unmasked runs differ (padding is attended to without the mask): the mask is really applied.
      assertThat(maxAbsDiff(masked.lastHiddenState().toFloatArray(), out.lastHiddenState().toFloatArray()))
          .isGreaterThan(1e-3);
    }
    return worst;
  }

  @Test
  void clipLAsTransformers5SavesItWithoutPrefixMatchesCLIPTextModelWithin1e4() {
    assertThat(check("text_encoder_clip_l", "clip_l", "clip_ids", "clip_mask", DataType.FLOAT32)).isLessThan(1e-4);
  }

  @Test
  void clipLWithProjectionMatchesCLIPTextModelWithProjectionWithin1e4() {
    assertThat(check("text_encoder_clip_l_proj", "clip_l_proj", "clip_ids", "clip_mask", DataType.FLOAT32))
        .isLessThan(1e-4);
  }

  @Test
  void bigGStyleGeluTowerPooledAtTheRealEosIdMatchesTransformersWithin1e4() {
    try (ClipTextEncoder g = ClipTextEncoder.fromFolder(path("text_encoder_clip_g"), DataType.FLOAT32)) {
      assertThat(g.config().activation()).isEqualTo(ClipTextConfig.Activation.GELU);
      assertThat(g.config().eosTokenId()).isNotEqualTo(ClipTextConfig.LEGACY_EOS_TOKEN_ID);
    }
    assertThat(check("text_encoder_clip_g", "clip_g", "clip_g_ids", "clip_g_mask", DataType.FLOAT32))
        .isLessThan(1e-4);
  }

  @Test
  void float16StorageComputesTheSameOutputsWithin1e4() {
    assertThat(check("text_encoder_clip_l", "clip_l", "clip_ids", "clip_mask", DataType.FLOAT16)).isLessThan(1e-4);
    assertThat(check("text_encoder_clip_g", "clip_g", "clip_g_ids", "clip_g_mask", DataType.FLOAT16))
        .isLessThan(1e-4);
  }
}
