package io.gptedit.models.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.conditioning.EmbeddingStore;
import io.gptedit.models.conditioning.EmbeddingStoreException;
import io.gptedit.models.conditioning.TextFusion;
import io.gptedit.models.editor.KontextDenoiser;
import io.gptedit.models.safetensors.SafetensorsFile;
import io.gptedit.models.train.EditCollator;
import io.gptedit.models.train.EditSample;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The persistent embedding store beside the shards: the release's frozen encoders (tiny Qwen2.5-VL, T5, CLIP) run
 * once per sample and bucket, later collators (later epochs, later runs) read the stored encodings, which equal
 * freshly computed ones; a damaged entry is an error naming its file.
 */
class ReleaseEmbeddingStoreTest {
  private static Path fixture(String name) throws URISyntaxException {
    return Path.of(ReleaseEmbeddingStoreTest.class.getResource("/io/gptedit/models/fixtures/" + name).toURI());
  }

  private static RgbImage gradient(int w, int h, int shift) {
    byte[] rgb = new byte[w * h * 3];
    for (int i = 0; i < w * h; i++) {
      rgb[i * 3] = (byte) (i * 7 + shift);
      rgb[i * 3 + 1] = (byte) (i / w * 9);
      rgb[i * 3 + 2] = (byte) (shift * 3);
    }
    return RgbImage.of(w, h, rgb);
  }

  @Test
  void aSecondCollatorReadsTheStoredEncodingsInsteadOfRunningTheMllm(@TempDir Path tmp) throws Exception {
    Path kontext = GptImageEditReleaseTest.kontextFolder(tmp.resolve("FLUX.1-Kontext-dev"));
    Path root = tmp.resolve("shards").resolve("embeddings");
    List<EditSample> samples = List.of(
        new EditSample("s-1", gradient(32, 32, 1), gradient(32, 32, 5), "give the cat a red hat", null),
        new EditSample("s-2", gradient(32, 32, 2), gradient(32, 32, 6), "make the sky pink", null));
    Size size = Size.of(32, 32);
    try (GptImageEditRelease release = GptImageEditRelease.load(fixture("mllm/release"), kontext, DataType.FLOAT16,
            24, 28 * 28 * 6);
        NDManager m = NDManager.newBaseManager()) {
      TextFusion fusion = release.fusion();
      KontextDenoiser denoiser = new KontextDenoiser(release.transformer());
      EmbeddingStore first = EmbeddingStore.open(root, fusion.encoderId());
      EditCollator firstCollator = new EditCollator(release.vae(), denoiser, fusion, 0, first);
      assertThat(firstCollator.textStored(samples.get(0), size)).as("nothing stored yet").isFalse();
      EditCollator.Batch computed = firstCollator.collate(samples, size, m);
      assertThat(firstCollator.textStored(samples.get(1), size)).as("stored at its bucket").isTrue();
      assertThat(firstCollator.textStored(samples.get(1), Size.of(16, 16))).as("another bucket").isFalse();
      assertThat(new EditCollator(release.vae(), denoiser, fusion, 0, EmbeddingStore.open(root, "another encoder"))
          .textStored(samples.get(1), size)).as("another encoder's folder").isFalse();
      assertThat(new EditCollator(release.vae(), denoiser, fusion, 0, null).textStored(samples.get(1), size))
          .as("no store").isFalse();
      assertThat(first.misses()).isEqualTo(2);
      assertThat(first.hits()).isZero();
      // A later run: a new store over the same folder, a new collator with no in-memory cache.
      EmbeddingStore later = EmbeddingStore.open(root, fusion.encoderId());
      EditCollator.Batch stored = new EditCollator(release.vae(), denoiser, fusion, 0, later)
          .collate(samples, size, m);
      assertThat(later.hits()).as("no MLLM run").isEqualTo(2);
      assertThat(later.misses()).isZero();
      for (int i = 0; i < 2; i++) {
        TextFusion.Prepared a = computed.text().get(i);
        TextFusion.Prepared b = stored.text().get(i);
        assertThat(b.mllm()).containsExactly(a.mllm());
        assertThat(b.mllmTokens()).isEqualTo(a.mllmTokens());
        assertThat(b.text().tokens()).containsExactly(a.text().tokens());
        assertThat(b.text().pooled()).containsExactly(a.text().pooled());
      }
      assertThat(fusion.fuse(stored.text(), m).tokens().toFloatArray())
          .containsExactly(fusion.fuse(computed.text(), m).tokens().toFloatArray());
      // Another bucket is another preprocessing: computed again.
      new EditCollator(release.vae(), denoiser, fusion, 0, later).collate(samples.subList(0, 1), Size.of(16, 16), m);
      assertThat(later.misses()).isEqualTo(1);
      // The encoder identity names the weights, storage, prompt layout and pixel budget.
      assertThat(fusion.encoderId()).contains("MLLM_T5_CONCAT").contains("float16").contains("pixels 4704");
      // A damaged entry is an error naming its file, not a silent recomputation.
      Path entry = later.entry("s-1", "32x32", "give the cat a red hat");
      Files.write(entry, new byte[] {1, 2, 3});
      assertThatThrownBy(() -> later.get("s-1", "32x32", "give the cat a red hat"))
          .isInstanceOf(EmbeddingStoreException.class).hasMessageContaining(entry.toString());
    }
  }

  @Test
  void anEntryIsKeyedBySampleAndPreprocessingAndAnotherEncodersFolderIsRefused(@TempDir Path tmp) throws Exception {
    EmbeddingStore store = EmbeddingStore.open(tmp, "encoder-a");
    assertThat(store.get("s", "8x8", "x")).isEmpty();
    TextFusion.Prepared p = new TextFusion.Prepared(null, new float[] {1, 2, 3, 4, 5, 6}, 2, null, "x");
    store.put("s", "8x8", p);
    assertThat(store.get("s", "8x8", "x").orElseThrow().mllm()).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(store.get("s", "16x16", "x")).isEmpty();
    assertThat(store.get("t", "8x8", "x")).isEmpty();
    assertThat(EmbeddingStore.open(tmp, "encoder-b").get("s", "8x8", "x")).isEmpty();
    Files.writeString(store.folder().resolve("encoder.txt"), "encoder-c");
    assertThatThrownBy(() -> EmbeddingStore.open(tmp, "encoder-a")).isInstanceOf(EmbeddingStoreException.class)
        .hasMessageContaining("encoder-c");
    try (SafetensorsFile f = SafetensorsFile.open(store.entry("s", "8x8", "x"))) {
      assertThat(f.metadata()).containsEntry("sample", "s").containsEntry("preprocessing", "8x8")
          .containsEntry("format", EmbeddingStore.FORMAT);
    }
  }
}
