package io.gptedit.models.conditioning;

import static org.assertj.core.api.Assertions.assertThat;

import io.gptedit.models.text.EncodedText;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's manifest: which samples are stored at which preprocessing, without opening an entry. */
class EmbeddingStoreManifestTest {
  @TempDir Path tmp;

  private static TextFusion.Prepared prepared(String instruction, float v) {
    EncodedText text = new EncodedText(new float[] {v, v + 1, v + 2, v + 3}, 2, 2, new float[] {v, -v});
    return new TextFusion.Prepared(text, null, 0, null, instruction);
  }

  @Test
  void samplesAtListsTheStoredSamplesPerPreprocessing() throws Exception {
    EmbeddingStore store = EmbeddingStore.open(tmp, "word-hash-32");
    store.put("s-1", "8x8", prepared("make it red", 1));
    store.put("s-2", "8x8", prepared("add a cat", 2));
    store.put("s-3", "12x8", prepared("remove the dog", 3));

    assertThat(store.samplesAt("8x8")).containsExactlyInAnyOrder("s-1", "s-2");
    assertThat(store.samplesAt("12x8")).containsExactly("s-3");
    assertThat(store.samplesAt("16x16")).isEmpty();
    assertThat(Files.readAllLines(store.manifest())).containsExactly("s-1\t8x8", "s-2\t8x8", "s-3\t12x8");
    // another process opening the same folder sees the same
    assertThat(EmbeddingStore.open(tmp, "word-hash-32").samplesAt("8x8")).hasSize(2);
  }

  @Test
  void anEntryWhoseManifestLineACrashLostIsListedAgain() throws Exception {
    EmbeddingStore store = EmbeddingStore.open(tmp, "word-hash-32");
    store.put("s-1", "8x8", prepared("make it red", 1));
    store.put("s-2", "8x8", prepared("add a cat", 2));
    // a crash between the entry's move into place and its manifest line
    Files.writeString(store.manifest(), "s-1\t8x8\n", StandardCharsets.UTF_8);

    assertThat(store.samplesAt("8x8")).containsExactlyInAnyOrder("s-1", "s-2");
    assertThat(Files.readAllLines(store.manifest())).containsExactlyInAnyOrder("s-1\t8x8", "s-2\t8x8");
  }

  @Test
  void aStoreWrittenBeforeTheManifestExistedGetsOneFromItsEntries() throws Exception {
    EmbeddingStore store = EmbeddingStore.open(tmp, "word-hash-32");
    store.put("s-1", "8x8", prepared("make it red", 1));
    Files.delete(store.manifest());

    assertThat(store.samplesAt("8x8")).containsExactly("s-1");
    assertThat(store.rebuildManifest()).isEqualTo(1);
  }

  @Test
  void anEntryWrittenTwiceIsListedOnceAndCausesNoRebuild() throws Exception {
    EmbeddingStore store = EmbeddingStore.open(tmp, "word-hash-32");
    store.put("s-1", "8x8", prepared("make it red", 1));
    store.put("s-1", "8x8", prepared("make it red", 1));

    assertThat(store.samplesAt("8x8")).containsExactly("s-1");
    assertThat(Files.readAllLines(store.manifest())).isEqualTo(List.of("s-1\t8x8", "s-1\t8x8"));
  }
}
