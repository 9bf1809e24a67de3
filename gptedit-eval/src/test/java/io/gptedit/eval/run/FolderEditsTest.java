package io.gptedit.eval.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.editor.ImageEditor;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.ImageFormat;
import io.gptedit.core.image.RgbImage;
import io.gptedit.eval.EvalException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FolderEditsTest {
  @TempDir Path tmp;

  @Test
  void eachKeyWithAnImageIsEditedIntoItsPngAndKeysWithoutOneAreListed() throws Exception {
    Path in = Files.createDirectory(tmp.resolve("in"));
    ImageCodec.write(RgbImage.filled(8, 6, 0x102030), in.resolve("cat.png"), ImageFormat.PNG);
    ImageCodec.write(RgbImage.filled(4, 4, 0x405060), in.resolve("dog.png"), ImageFormat.PNG);
    Path jsonl = Files.writeString(tmp.resolve("i.jsonl"), """
        {"key": "cat", "instruction": "make it red"}

        {"key": "bird", "instruction": "make it blue"}
        {"key": "dog", "instruction": "make it green"}
        """);
    FolderEdits edits = FolderEdits.read(in, jsonl);
    assertThat(edits.items()).extracting(FolderEdits.Item::key).containsExactly("cat", "dog");
    assertThat(edits.missing()).containsExactly("bird");
    List<String> seen = new ArrayList<>();
    ImageEditor red = (input, instruction, options) -> RgbImage.filled(input.width(), input.height(), 0xFF0000);
    int n = edits.run(red, EditOptions.defaults(), tmp.resolve("out"), e -> seen.add(e.key() + " " + e.done() + "/" + e.total()));
    assertThat(n).isEqualTo(2);
    assertThat(seen).containsExactly("cat 1/2", "dog 2/2");
    assertThat(ImageCodec.read(tmp.resolve("out/cat.png"))).isEqualTo(RgbImage.filled(8, 6, 0xFF0000));
    assertThat(ImageCodec.read(tmp.resolve("out/dog.png"))).isEqualTo(RgbImage.filled(4, 4, 0xFF0000));
  }

  @Test
  void aBadLineIsNamedByFileAndLine() throws Exception {
    Path in = Files.createDirectory(tmp.resolve("in"));
    String[][] cases = {
      {"{\"key\": \"a\", \"instruction\": \"x\"}\nnot json", "line 2", "not JSON"},
      {"{\"key\": \"a\"}", "line 1", "'key' and 'instruction'"},
      {"{\"key\": \"../etc/passwd\", \"instruction\": \"x\"}", "line 1", "not a plain file name"},
      {"{\"key\": \"a\", \"instruction\": \"x\"}\n{\"key\": \"a\", \"instruction\": \"y\"}", "line 2", "appears twice"},
    };
    for (String[] c : cases) {
      Path jsonl = Files.writeString(tmp.resolve("bad.jsonl"), c[0]);
      assertThatThrownBy(() -> FolderEdits.read(in, jsonl))
          .as(c[0])
          .isInstanceOf(EvalException.class)
          .hasMessageContaining(jsonl + " " + c[1])
          .hasMessageContaining(c[2]);
    }
    assertThatThrownBy(() -> FolderEdits.read(in, tmp.resolve("none.jsonl")))
        .isInstanceOf(EvalException.class)
        .hasMessageContaining("none.jsonl");
    assertThatThrownBy(() -> FolderEdits.read(tmp.resolve("nofolder"), tmp.resolve("none.jsonl")))
        .isInstanceOf(EvalException.class)
        .hasMessageContaining("nofolder");
  }
}
