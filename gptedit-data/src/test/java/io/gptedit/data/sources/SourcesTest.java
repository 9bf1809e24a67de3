package io.gptedit.data.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.ImageFormat;
import io.gptedit.core.instruction.ComplexityLevel;
import io.gptedit.core.instruction.InstructionKind;
import io.gptedit.core.metadata.MetadataCodec;
import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.synthetic.SyntheticSample;
import io.gptedit.data.synthetic.SyntheticWorld;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourcesTest {
  private static final SyntheticWorld WORLD = SyntheticWorld.builder(3).optSides(16, 40).build();

  @TempDir Path tmp;

  private static void png(SyntheticSample s, Path in, Path out) throws IOException {
    Files.createDirectories(in.getParent());
    Files.createDirectories(out.getParent());
    ImageCodec.write(s.input(), in, ImageFormat.PNG);
    ImageCodec.write(s.target(), out, ImageFormat.PNG);
  }

  @Test
  void releaseMetadataFoldersYieldTripletsKeepUnknownFieldsAndReportMissingImages() throws IOException {
    Path root = tmp.resolve("gpt-edit");
    Path task = root.resolve("omniedit/addition");
    SyntheticSample a = WORLD.sample(0);
    SyntheticSample b = WORLD.sample(1);
    png(a, task.resolve("input/a.png"), task.resolve("output/a.png"));
    png(b, task.resolve("input/b.png"), task.resolve("output/b.png"));
    Files.createDirectories(task.resolve("metadata"));
    Files.writeString(task.resolve("metadata/omniedit_addition.json"), """
        [
         {"id": "omniedit_addition_1", "dataset_source": "omniedit", "task": "addition", "input": "input/a.png",
          "output": "output/a.png", "instruction": "Add a cat.", "instruction_type": "rewrite",
          "instruction_original": "put cat", "input_description": "a room", "score": 7},
         {"id": "omniedit_addition_2", "dataset_source": "omniedit", "task": "addition", "input": "input/missing.png",
          "output": "output/a.png", "instruction": "x", "instruction_type": "original"},
         {"id": "omniedit_addition_3", "dataset_source": "omniedit", "task": "addition", "input": "input/b.png",
          "output": "output/b.png", "instruction": "Do three things.", "instruction_type": "complex"}
        ]""");
    try (ReleaseSource src = ReleaseSource.metadataFolders(root)) {
      List<EditTriplet> ts = src.stream().toList();
      assertThat(ts).extracting(EditTriplet::id).containsExactly("omniedit_addition_1", "omniedit_addition_3");
      EditTriplet t = ts.get(0);
      assertThat(t.input()).isEqualTo(a.input());
      assertThat(t.edited()).isEqualTo(a.target());
      assertThat(t.instruction().kind()).isEqualTo(InstructionKind.REWRITE);
      assertThat(t.instruction().original()).isEqualTo("put cat");
      assertThat(t.instruction().text()).isEqualTo("Add a cat.");
      assertThat(t.metadata().extensions()).containsEntry("score", "7");
      assertThat(t.metadata().inputPath()).contains("omniedit/addition/input/a.png");
      assertThat(MetadataCodec.fromJson(MetadataCodec.toJson(t.metadata()))).isEqualTo(t.metadata());
      assertThat(ts.get(1).instruction().complexity()).contains(ComplexityLevel.C3);
      assertThat(src.problems()).hasSize(1);
      assertThat(src.problems().get(0).sampleId()).isEqualTo("omniedit_addition_2");
      assertThat(src.problems().get(0).problem()).contains("missing.png").contains("missing");
    }
  }

  @Test
  void trainingJsonAndDataTxtPartsMayShareAnImageRoot() throws IOException {
    Path root = tmp.resolve("data/gpt-edit/omniedit");
    SyntheticSample a = WORLD.sample(2);
    SyntheticSample b = WORLD.sample(3);
    png(a, root.resolve("addition/input/a.png"), root.resolve("addition/output/a.png"));
    png(b, root.resolve("swap/input/b.png"), root.resolve("swap/output/b.png"));
    Files.createDirectories(tmp.resolve("training_json"));
    Files.writeString(tmp.resolve("training_json/omniedit_gpt.json"), """
        [{"image": ["addition/input/a.png", "addition/output/a.png"],
          "conversations": [{"from": "human", "value": "<image>\\nAdd a hat."}, {"from": "gpt", "value": "<gen_image>"}]},
         {"image": ["addition/input/nope.png", "addition/output/a.png"],
          "conversations": [{"from": "human", "value": "<image>\\nNope."}]}]""");
    Files.writeString(tmp.resolve("training_json/omniedit_gpt_rewrite.json"), """
        [{"image": ["swap/input/b.png", "swap/output/b.png"],
          "conversations": [{"from": "human", "value": "<image>\\nSwap it."}, {"from": "gpt", "value": "<gen_image>"}]}]""");
    Files.writeString(tmp.resolve("data.txt"), """
        data/gpt-edit/omniedit,training_json/omniedit_gpt.json,false
        data/gpt-edit/omniedit,training_json/omniedit_gpt_rewrite.json,false
        data/gpt-edit/ultraedit,training_json/ultraedit_gpt.json,false
        """);
    try (ReleaseSource src = ReleaseSource.dataTxt(tmp.resolve("data.txt"), tmp)) {
      List<EditTriplet> ts = src.stream().toList();
      assertThat(ts).extracting(EditTriplet::id).containsExactly("omniedit_gpt_0", "omniedit_gpt_rewrite_0");
      assertThat(ts.get(0).instruction().text()).isEqualTo("Add a hat.");
      assertThat(ts.get(0).metadata().dataset()).isEqualTo("omniedit");
      assertThat(ts.get(1).input()).isEqualTo(b.input());
      assertThat(src.problems()).extracting(SourceProblem::sampleId).containsExactly("omniedit_gpt_1", "?");
      assertThat(src.problems().get(1).problem()).contains("annotation file is missing");
    }
  }

  @Test
  void plainFoldersReadMetadataOrTextAndReportIncompleteKeys() throws IOException {
    Path dir = tmp.resolve("folder");
    SyntheticSample a = WORLD.sample(4);
    SyntheticSample b = WORLD.sample(5);
    png(a, dir.resolve(a.id() + ".input.png"), dir.resolve(a.id() + ".edited.png"));
    Files.write(dir.resolve(a.id() + ".json"), MetadataCodec.toJsonBytes(a.metadata()));
    png(b, dir.resolve("b.input.png"), dir.resolve("b.output.png"));
    Files.writeString(dir.resolve("b.txt"), "Make it blue.\n");
    ImageCodec.write(a.input(), dir.resolve("c.input.png"), ImageFormat.PNG);
    try (FolderSource src = FolderSource.open(dir, "mine")) {
      List<EditTriplet> ts = src.stream().toList();
      assertThat(ts).extracting(EditTriplet::id).containsExactly("b", a.id());
      assertThat(ts.get(0).metadata().dataset()).isEqualTo("mine");
      assertThat(ts.get(1).metadata()).isEqualTo(a.metadata());
      assertThat(src.problems()).extracting(SourceProblem::sampleId).containsExactly("c");
    }
  }

  private static void parquet(Path file, String sql, List<byte[][]> rows, String... texts) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
      st.execute(sql);
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (?, ?, struct_pack(bytes := ?, path := 'a.png'),"
          + " struct_pack(bytes := ?, path := 'b.png'), [?, 'another paraphrase'])")) {
        for (int i = 0; i < rows.size(); i++) {
          ps.setString(1, "id:" + i);
          ps.setString(2, "addition");
          ps.setBytes(3, rows.get(i)[0]);
          ps.setBytes(4, rows.get(i)[1]);
          ps.setString(5, texts[i]);
          ps.executeUpdate();
        }
      }
      st.execute("COPY t TO '" + file.toAbsolutePath() + "' (FORMAT parquet)");
    }
  }

  @Test
  void parquetShardsWithStructImageColumnsAreReadWithDuckDb() throws Exception {
    Path file = tmp.resolve("omniedit-00000.parquet");
    SyntheticSample a = WORLD.sample(6);
    SyntheticSample b = WORLD.sample(7);
    parquet(file, "CREATE TABLE t (omni_edit_id VARCHAR, task VARCHAR, src_img STRUCT(bytes BLOB, path VARCHAR),"
            + " edited_img STRUCT(bytes BLOB, path VARCHAR), edited_prompt_list VARCHAR[])",
        List.of(new byte[][] {ImageCodec.encodePng(a.input()), ImageCodec.encodePng(a.target())},
            new byte[][] {new byte[] {1, 2, 3}, ImageCodec.encodePng(b.target())}),
        a.instruction(), b.instruction());
    try (ParquetSource src = ParquetSource.open(file, ParquetColumns.omniEdit())) {
      List<EditTriplet> ts = src.stream().toList();
      assertThat(ts).hasSize(1);
      EditTriplet t = ts.get(0);
      assertThat(t.id()).isEqualTo("omniedit_id-0");
      assertThat(t.input()).isEqualTo(a.input());
      assertThat(t.edited()).isEqualTo(a.target());
      assertThat(t.instruction().text()).isEqualTo(a.instruction());
      assertThat(t.metadata().task()).contains("addition");
      assertThat(t.metadata().sourceId()).contains("id:0");
      assertThat(src.problems()).hasSize(1);
      assertThat(src.problems().get(0).source()).contains("row 1");
      assertThat(src.problems().get(0).problem()).contains("src_img");
    }
    assertThatThrownBy(() -> ParquetSource.open(file, ParquetColumns.ultraEdit()))
        .isInstanceOf(SourceException.class)
        .hasMessageContaining("missing column(s) [source_image, edited_image, edit_prompt, idx, source_caption]")
        .hasMessageContaining("columns found")
        .hasMessageContaining("omni_edit_id")
        .hasMessageContaining("edited_prompt_list");
  }

  @Test
  void severalParquetFilesAreOneSourceInFileNameOrderWithRowsNumberedPerFile() throws Exception {
    String table = "CREATE TABLE t (omni_edit_id VARCHAR, task VARCHAR, src_img STRUCT(bytes BLOB, path VARCHAR),"
        + " edited_img STRUCT(bytes BLOB, path VARCHAR), edited_prompt_list VARCHAR[])";
    SyntheticSample a = WORLD.sample(8);
    SyntheticSample b = WORLD.sample(9);
    Path second = tmp.resolve("omniedit-00001.parquet");
    Path first = tmp.resolve("omniedit-00000.parquet");
    parquet(second, table, List.of(new byte[][] {new byte[] {7}, ImageCodec.encodePng(b.target())},
        new byte[][] {ImageCodec.encodePng(b.input()), ImageCodec.encodePng(b.target())}), "bad", b.instruction());
    parquet(first, table, List.<byte[][]>of(new byte[][] {ImageCodec.encodePng(a.input()), ImageCodec.encodePng(a.target())}),
        a.instruction());
    try (ParquetSource src = ParquetSource.open(List.of(second, first), ParquetColumns.omniEdit())) {
      List<EditTriplet> ts = src.stream().toList();
      assertThat(ts).extracting(t -> t.instruction().text()).containsExactly(a.instruction(), b.instruction());
      assertThat(ts.get(1).input()).isEqualTo(b.input());
      assertThat(src.problems()).hasSize(1);
      assertThat(src.problems().get(0).source()).isEqualTo("omniedit-00001.parquet row 0");
    }
  }
}
