package io.gptedit.models.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

/** JsonTokenizer against transformers' CLIPTokenizer and T5TokenizerFast on tools/make_text_fixtures.py's corpus. */
class JsonTokenizerTest {
  private static final JsonNode CORPUS = TextFixtures.corpus();

  /** Compares every id and mask of the corpus at every length the fixture holds. */
  private static int matchCorpus(String folder) {
    List<String> texts = new ArrayList<>();
    CORPUS.get("texts").forEach(t -> texts.add(t.textValue()));
    int checked = 0;
    try (JsonTokenizer tok = JsonTokenizer.fromFolder(TextFixtures.path(folder))) {
      for (Map.Entry<String, JsonNode> e : CORPUS.get(folder).properties()) {
        int length = Integer.parseInt(e.getKey());
        for (int i = 0; i < texts.size(); i++) {
          JsonNode row = e.getValue().get(i);
          int[] ids = ints(row.get("ids"));
          int[] mask = ints(row.get("mask"));
          TokenizedText t = tok.tokenize(texts.get(i), length);
          assertThat(t.ids()).as("%s ids of text %d at %d: '%s'", folder, i, length, texts.get(i)).containsExactly(ids);
          assertThat(t.attentionMask()).as("%s mask of text %d at %d", folder, i, length).containsExactly(mask);
          checked++;
        }
      }
    }
    return checked;
  }

  private static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).intValue();
    }
    return out;
  }

  @Test
  void clipBpeFromVocabAndMergesMatchesTransformersOnEveryCorpusIdAndMask() {
    assertThat(matchCorpus("tokenizer_clip")).isEqualTo(2 * CORPUS.get("texts").size());
  }

  @Test
  void clipBpeWithSd3sExclamationPadMatchesTransformersOnEveryCorpusIdAndMask() {
    assertThat(matchCorpus("tokenizer_clip_g")).isEqualTo(CORPUS.get("texts").size());
  }

  @Test
  void t5UnigramTokenizerJsonMatchesTransformersOnEveryCorpusIdAndMaskAt512And77And16() {
    assertThat(matchCorpus("tokenizer_t5")).isEqualTo(3 * CORPUS.get("texts").size());
  }

  @Test
  void padIdsAndSpecialTokensComeFromTheFolderConfigs() {
    try (JsonTokenizer clip = JsonTokenizer.fromFolder(TextFixtures.path("tokenizer_clip"));
        JsonTokenizer clipG = JsonTokenizer.fromFolder(TextFixtures.path("tokenizer_clip_g"));
        JsonTokenizer t5 = JsonTokenizer.fromFolder(TextFixtures.path("tokenizer_t5"))) {
      assertThat(clip.padId()).isEqualTo(clip.tokenId("<|endoftext|>").getAsInt());
      assertThat(clipG.padId()).isEqualTo(clipG.tokenId("!").getAsInt()).isZero();
      assertThat(t5.padId()).isEqualTo(t5.tokenId("<pad>").getAsInt()).isZero();
      assertThat(clip.specialTokenCount()).isEqualTo(2);
      assertThat(t5.specialTokenCount()).isEqualTo(1);
      assertThat(clip.modelMaxLength()).isEqualTo(77);
      assertThat(t5.modelMaxLength()).isEqualTo(512);
      assertThat(clip.decode(clip.encode("Make the SKY pink", 77))).isEqualTo("make the sky pink");
    }
  }

  @Test
  void truncationIsFlaggedAndLoggedAsAWarningNamingTheDroppedText() {
    List<String> warnings = new ArrayList<>();
    Logger logger = (Logger) Proxy.newProxyInstance(
        Logger.class.getClassLoader(), new Class<?>[] {Logger.class}, (proxy, method, args) -> {
          if (method.getName().equals("isWarnEnabled")) {
            return true;
          }
          if (method.getName().equals("warn")) {
            warnings.add(Arrays.deepToString(args));
          }
          return method.getReturnType() == boolean.class ? false : null;
        });
    try (JsonTokenizer t5 = JsonTokenizer.fromFolder(TextFixtures.path("tokenizer_t5")).withLogger(logger)) {
      TokenizedText shortOne = t5.tokenize("make the sky pink", 16);
      assertThat(shortOne.truncated()).isFalse();
      assertThat(warnings).isEmpty();
      TokenizedText cut = t5.tokenize("make the sky pink and the grass blue while keeping the red barn", 8);
      assertThat(cut.truncated()).isTrue();
      assertThat(cut.realTokens()).isEqualTo(8);
      assertThat(cut.ids()[7]).as("EOS kept at the end").isEqualTo(t5.tokenId("</s>").getAsInt());
      assertThat(warnings).hasSize(1);
      assertThat(warnings.get(0)).contains("truncated").contains("barn");
    }
  }

  @Test
  void aLengthThatCannotHoldTheSpecialTokensIsRejected() {
    try (JsonTokenizer clip = JsonTokenizer.fromFolder(TextFixtures.path("tokenizer_clip"))) {
      assertThatThrownBy(() -> clip.tokenize("a", 2)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("special tokens");
    }
  }

  @Test
  void aFolderWithoutTokenizerFilesIsATokenizerExceptionNamingIt(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> JsonTokenizer.fromFolder(dir)).isInstanceOf(TokenizerException.class)
        .hasMessageContaining(dir.toString()).hasMessageContaining("tokenizer.json");
    Files.writeString(dir.resolve("tokenizer.json"), "[1, 2]");
    assertThatThrownBy(() -> JsonTokenizer.fromFolder(dir)).isInstanceOf(TokenizerException.class)
        .hasMessageContaining("tokenizer.json").hasMessageContaining("not a JSON object");
    assertThatThrownBy(() -> JsonTokenizer.fromFolder(dir.resolve("absent"))).isInstanceOf(TokenizerException.class)
        .hasMessageContaining("absent");
  }

  @Test
  void aBareTokenizerJsonWithoutPaddingHasNoPadIdAndSaysSo() {
    try (JsonTokenizer t5 = JsonTokenizer.fromFile(TextFixtures.path("tokenizer_t5/tokenizer.json"))) {
      assertThat(t5.encode("make the sky pink", 16)).endsWith(t5.tokenId("</s>").getAsInt());
      assertThatThrownBy(() -> t5.tokenize("make the sky pink", 16)).isInstanceOf(TokenizerException.class)
          .hasMessageContaining("tokenizer.json").hasMessageContaining("no pad token");
    }
  }
}
