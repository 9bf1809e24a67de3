package io.gptedit.data.sources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.ImageFormat;
import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.synthetic.SyntheticSample;
import io.gptedit.data.synthetic.SyntheticWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exported triplets read back as the same release records, in both release formats. */
class ReleaseExportTest {
  private static final SyntheticWorld WORLD = SyntheticWorld.builder(7).optSides(16, 40).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private Path release() throws Exception {
    Path task = tmp.resolve("in/omniedit/addition");
    for (int i = 0; i < 3; i++) {
      SyntheticSample s = WORLD.sample(i);
      Files.createDirectories(task.resolve("input"));
      Files.createDirectories(task.resolve("output"));
      ImageCodec.write(s.input(), task.resolve("input/" + i + ".png"), ImageFormat.PNG);
      ImageCodec.write(s.target(), task.resolve("output/" + i + ".png"), ImageFormat.PNG);
    }
    Files.createDirectories(task.resolve("metadata"));
    Files.writeString(task.resolve("metadata/omniedit_addition.json"), """
        [
         {"id": "omniedit_addition_0", "dataset_source": "omniedit", "task": "addition", "input": "input/0.png",
          "output": "output/0.png", "instruction": "Add a cat.", "instruction_type": "rewrite",
          "instruction_original": "put cat", "input_description": "a room", "score": 7, "models": {"x": [1, 2]}},
         {"id": "omniedit_addition_1", "dataset_source": "omniedit", "task": "addition", "input": "input/1.png",
          "output": "output/1.png", "instruction": "Make it blue.", "instruction_type": "original",
          "instruction_original": "make blue"},
         {"id": "omniedit_addition_2", "dataset_source": "omniedit", "task": "addition", "input": "input/2.png",
          "output": "output/2.png", "instruction": "Do three things.", "instruction_type": "complex"}
        ]""");
    return tmp.resolve("in");
  }

  @Test
  void exportedMetadataFoldersRoundTripEveryFieldIncludingInstructionOriginal() throws Exception {
    Path in = release();
    List<EditTriplet> first;
    try (ReleaseSource src = ReleaseSource.metadataFolders(in)) {
      first = src.stream().toList();
    }
    Path out = tmp.resolve("out");
    try (ReleaseExport export = ReleaseExport.create(out).optTrainingJson(true)) {
      first.forEach(export::add);
      assertThat(export.written()).isEqualTo(3);
    }
    JsonNode before = JSON.readTree(in.resolve("omniedit/addition/metadata/omniedit_addition.json").toFile());
    JsonNode after = JSON.readTree(out.resolve("omniedit/addition/metadata/omniedit_addition.json").toFile());
    assertThat(after.size()).isEqualTo(before.size());
    for (int i = 0; i < before.size(); i++) {
      ObjectNode b = (ObjectNode) before.get(i).deepCopy();
      ObjectNode a = (ObjectNode) after.get(i).deepCopy();
      assertThat(a.get("input").asText()).isEqualTo("input/omniedit_addition_" + i + ".png");
      for (ObjectNode n : List.of(a, b)) {
        n.remove("input");
        n.remove("output");
      }
      // the composed row gains its level (the release has no field for it; C3 is what it means)
      assertThat(a.path(ReleaseSource.COMPLEXITY).asText(null)).isEqualTo(i == 2 ? "C3" : null);
      a.remove(ReleaseSource.COMPLEXITY);
      assertThat(a).as("record %s", i).isEqualTo(b);
    }
    try (ReleaseSource again = ReleaseSource.metadataFolders(out)) {
      List<EditTriplet> second = again.stream().toList();
      assertThat(second).hasSize(3);
      for (int i = 0; i < 3; i++) {
        assertThat(second.get(i).id()).isEqualTo(first.get(i).id());
        assertThat(second.get(i).instruction()).isEqualTo(first.get(i).instruction());
        assertThat(second.get(i).input()).isEqualTo(first.get(i).input());
        assertThat(second.get(i).edited()).isEqualTo(first.get(i).edited());
        assertThat(second.get(i).metadata().extensions()).isEqualTo(first.get(i).metadata().extensions());
        assertThat(second.get(i).metadata().inputDescription()).isEqualTo(first.get(i).metadata().inputDescription());
      }
    }
  }

  @Test
  void trainingJsonCarriesGenImageAndReadsBackThroughDataTxt() throws Exception {
    Path in = release();
    List<EditTriplet> first;
    try (ReleaseSource src = ReleaseSource.metadataFolders(in)) {
      first = src.stream().toList();
    }
    Path out = tmp.resolve("train-out");
    try (ReleaseExport export = ReleaseExport.create(out).optTrainingJson(true)) {
      first.forEach(export::add);
    }
    JsonNode records = JSON.readTree(out.resolve("training/omniedit_addition.json").toFile());
    assertThat(records.get(0).get("conversations").get(0).get("value").asText()).isEqualTo("<image>\nAdd a cat.");
    assertThat(records.get(0).get("conversations").get(1).get("value").asText()).isEqualTo(ReleaseExport.GEN_IMAGE);
    assertThat(Files.readString(out.resolve("data.txt"))).isEqualTo(".,training/omniedit_addition.json,1\n");
    try (ReleaseSource back = ReleaseSource.dataTxt(out.resolve("data.txt"), out)) {
      List<EditTriplet> read = back.stream().toList();
      assertThat(read).extracting(t -> t.instruction().text())
          .containsExactly("Add a cat.", "Make it blue.", "Do three things.");
      assertThat(read.get(1).input()).isEqualTo(first.get(1).input());
      assertThat(read.get(1).edited()).isEqualTo(first.get(1).edited());
      assertThat(back.problems()).isEmpty();
    }
  }
}
