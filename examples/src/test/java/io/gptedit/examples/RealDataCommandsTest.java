package io.gptedit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.ImageFormat;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.remote.GeneratedImage;
import io.gptedit.core.remote.Usage;
import io.gptedit.eval.Benchmark;
import io.gptedit.eval.bench.BenchSample;
import io.gptedit.eval.bench.BenchmarkSet;
import io.gptedit.eval.bench.GEditBench;
import io.gptedit.eval.score.GEditSampleScore;
import io.gptedit.eval.score.GEditScoreCsv;
import io.gptedit.testkit.eval.MiniBenchmarks;
import io.gptedit.testkit.eval.ScriptedJudgeChat;
import io.gptedit.testkit.remote.OpenAiStandInServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gptedit eval --data} and {@code gptedit edit --editor} on benchmark files in their published layouts,
 * against the testkit's loopback stand-in (scripted judge, scripted image-edit API). No key is sent: the tests name
 * an environment variable that is not set.
 */
class RealDataCommandsTest {
  private static final String NO_KEY = "GPTEDIT_TEST_KEY_THAT_IS_NOT_SET";

  @TempDir Path tmp;

  /** GEdit's train split as Hugging Face publishes it: parquet, image columns as struct(bytes, path). */
  private Path gEditParquet() throws Exception {
    Path parquet = tmp.resolve("gedit-hf/train-00000-of-00001.parquet");
    Files.createDirectories(parquet.getParent());
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (task_type VARCHAR, key VARCHAR, instruction VARCHAR, instruction_language VARCHAR,"
          + " input_image STRUCT(bytes BLOB, path VARCHAR), input_image_raw STRUCT(bytes BLOB, path VARCHAR),"
          + " Intersection_exist BOOLEAN)");
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (?, ?, ?, ?, struct_pack(bytes := ?, "
          + "path := ?), struct_pack(bytes := ?, path := ?), ?)")) {
        Object[][] rows = {
          {"background_change", "a1", "make the sky orange", "en", 0x3366CC, true},
          {"color_alter", "b1", "make the car red", "en", 0x22AA22, false},
          {"subject-remove", "c1", "remove the dog", "en", 0x884422, true},
          {"subject-remove", "c1", "remove the cat", "en", 0x448822, true}, // the published repeat
          {"color_alter", "b1", "把车变红", "cn", 0x22AA22, false},
        };
        for (Object[] r : rows) {
          byte[] png = ImageCodec.encodePng(RgbImage.filled(8, 6, (Integer) r[4]));
          ps.setString(1, (String) r[0]);
          ps.setString(2, (String) r[1]);
          ps.setString(3, (String) r[2]);
          ps.setString(4, (String) r[3]);
          ps.setBytes(5, png);
          ps.setString(6, r[1] + ".png");
          ps.setBytes(7, png);
          ps.setString(8, r[1] + "_raw.png");
          ps.setBoolean(9, (Boolean) r[5]);
          ps.executeUpdate();
        }
      }
      st.execute("COPY t TO '" + parquet + "' (FORMAT PARQUET)");
    }
    return parquet;
  }

  @Test
  void evalReadsGEditParquetJudgesOutputsPairedByRowAndWritesTheOfficialCsvs() throws Exception {
    Path parquet = gEditParquet();
    // outputs in the official layout, written the way a user's own editor would
    Path loaded = tmp.resolve("peek");
    io.gptedit.eval.bench.GEditParquet.export(List.of(parquet), loaded, "input_image");
    BenchmarkSet set = GEditBench.load(loaded, "en", false);
    assertThat(set.samples()).extracting(BenchSample::key).containsExactly("a1", "b1", "c1", "c1__dup2");
    Path outputs = tmp.resolve("outputs");
    for (BenchSample s : set.samples()) {
      ImageCodec.write(ImageCodec.read(s.input()), set.outputFile(outputs, "mymodel", s), ImageFormat.PNG);
    }
    try (OpenAiStandInServer server = OpenAiStandInServer.builder().optChatService(new ScriptedJudgeChat()).build()) {
      String out = Cli.run("eval", "--benchmark", "gedit", "--data", parquet.getParent().toString(),
          "--edited", outputs.toString(), "--model-name", "mymodel", "--output", tmp.resolve("work").toString(),
          "--judge-base-url", server.baseUrl().toString(), "--judge-model", "gpt-4.1", "--api-key-env", NO_KEY);
      assertThat(out).contains("GEdit").contains("mymodel").contains("samples: 4")
          .contains("prompts: ours").contains("judge: gpt-4.1").contains("(gptedit's own templates)");
      Path csvDir = outputs.resolve("reports/gedit-scores");
      for (String t : Benchmark.GEDIT.categories()) {
        assertThat(csvDir.resolve("mymodel_" + t + "_gpt_score.csv")).isRegularFile();
      }
      List<GEditSampleScore> back = GEditScoreCsv.read(csvDir, "mymodel");
      assertThat(back).isNotEmpty();
      assertThat(back).extracting(GEditSampleScore::key).doesNotHaveDuplicates()
          .isSubsetOf("a1", "b1", "c1", "c1__dup2");
    }
  }

  @Test
  void evalWithAnApiEditorEditsImgEditFromBasicEditJsonThenJudges() throws Exception {
    Path json = MiniBenchmarks.writeImgEdit(tmp.resolve("ImgEdit/Benchmark/Basic"), 1, false);
    AtomicInteger edits = new AtomicInteger();
    try (OpenAiStandInServer server = OpenAiStandInServer.builder()
            .optChatService(new ScriptedJudgeChat())
            .optEditService(r -> {
              edits.incrementAndGet();
              return new GeneratedImage(
                  RgbImage.filled(r.size().width(), r.size().height(), 0xAA3311), Usage.NONE, "gpt-image-1");
            })
            .build()) {
      String url = server.baseUrl().toString();
      Path outputs = tmp.resolve("imgedit-out");
      String out = Cli.run("eval", "--benchmark", "imgedit", "--data", json.toString(),
          "--originals", json.resolveSibling("singleturn").toString(), "--edited", outputs.toString(),
          "--editor", "openai:gpt-image-1", "--editor-base-url", url, "--editor-key-env", NO_KEY,
          "--output", tmp.resolve("work").toString(), "--judge-base-url", url, "--api-key-env", NO_KEY);
      int samples = Benchmark.IMGEDIT.categories().size();
      assertThat(edits.get()).isEqualTo(samples);
      assertThat(out).contains("ImgEdit").contains("openai-gpt-image-1").contains("samples: " + samples);
      try (var files = Files.list(outputs)) {
        assertThat(files.filter(p -> p.toString().endsWith(".png")).count()).isEqualTo(samples);
      }
    }
  }

  @Test
  void editOverABenchmarkWritesTheLayoutEvalReads() throws Exception {
    Path omni = MiniBenchmarks.writeOmniContext(tmp.resolve("omni"), 2);
    try (OpenAiStandInServer server = OpenAiStandInServer.builder()
            .optEditService(r -> new GeneratedImage(
                RgbImage.filled(r.size().width(), r.size().height(), 0x1155EE), Usage.NONE, "gpt-image-1"))
            .build()) {
      Path outputs = tmp.resolve("omni-out");
      String out = Cli.run("edit", "--benchmark", "omnicontext", "--data", omni.toString(), "--output",
          outputs.toString(), "--editor", "openai:gpt-image-1", "--editor-base-url", server.baseUrl().toString(),
          "--editor-key-env", NO_KEY);
      assertThat(out).contains("4 samples: 4 generated");
      assertThat(outputs.resolve("openai-gpt-image-1/fullset/single_character/single_character_0.png")).isRegularFile();
      String again = Cli.run("edit", "--benchmark", "omnicontext", "--data", omni.toString(), "--output",
          outputs.toString(), "--editor", "openai:gpt-image-1", "--editor-base-url", server.baseUrl().toString(),
          "--editor-key-env", NO_KEY);
      assertThat(again).contains("0 generated, 4 already there");
    }
  }

  @Test
  void evalReadsComplexEditParquetAtALevelWithOfficialPromptsLoadedFromAFolder() throws Exception {
    Path parquet = tmp.resolve("complex-hf/test_real-00000-of-00001.parquet");
    Files.createDirectories(parquet.getParent());
    int rows = 3;
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (image STRUCT(bytes BLOB, path VARCHAR),"
          + " edit STRUCT(compound STRUCT(complexity INTEGER, compound_instruction VARCHAR)[]))");
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (struct_pack(bytes := ?, path := 'x.png'),"
          + " struct_pack(compound := [struct_pack(complexity := 1, compound_instruction := ?),"
          + " struct_pack(complexity := 2, compound_instruction := ?)]))")) {
        for (int i = 0; i < rows; i++) {
          ps.setBytes(1, ImageCodec.encodePng(RgbImage.filled(6, 6, 0x101010 * (i + 1))));
          ps.setString(2, "make it blue");
          ps.setString(3, "make it blue and add a hat");
          ps.executeUpdate();
        }
      }
      st.execute("COPY t TO '" + parquet + "' (FORMAT PARQUET)");
    }
    Path outputs = tmp.resolve("complex-out");
    for (int i = 0; i < rows; i++) {
      ImageCodec.write(RgbImage.filled(6, 6, 0x2233FF), outputs.resolve(String.format("%05d.png", i)), ImageFormat.PNG);
    }
    // the "official" templates: here our own texts written as <name>.txt, as a user would write theirs
    Path prompts = tmp.resolve("official-prompts");
    Files.createDirectories(prompts);
    io.gptedit.eval.judge.PromptSet ours = io.gptedit.eval.judge.PromptSet.ours(Benchmark.COMPLEX_EDIT);
    for (String name : io.gptedit.eval.judge.PromptSet.required(Benchmark.COMPLEX_EDIT)) {
      Files.writeString(prompts.resolve(name + ".txt"), ours.get(name).text());
    }
    try (OpenAiStandInServer server = OpenAiStandInServer.builder().optChatService(new ScriptedJudgeChat()).build()) {
      String out = Cli.run("eval", "--benchmark", "complex-edit", "--data", parquet.toString(), "--level", "2",
          "--edited", outputs.toString(), "--output", tmp.resolve("work").toString(), "--prompts", prompts.toString(),
          "--judge-base-url", server.baseUrl().toString(), "--api-key-env", NO_KEY);
      assertThat(out).contains("Complex-Edit").contains("samples: " + rows).contains("C2/real")
          .contains("prompts: loaded from " + prompts);
    }
    assertThat(tmp.resolve("work/data/complex-edit/test_real/metadata.jsonl")).isRegularFile();
  }

  @Test
  void evalReadsOmniContextParquetInTheChosenInstructionLanguage() throws Exception {
    Path parquet = tmp.resolve("omni-hf/test-00000.parquet");
    Files.createDirectories(parquet.getParent());
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (task_type VARCHAR, key VARCHAR, instruction VARCHAR, instruction_language VARCHAR,"
          + " input_images STRUCT(bytes BLOB, path VARCHAR)[])");
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO t VALUES (?, ?, ?, ?, [struct_pack(bytes := ?, path := 'in.png')])")) {
        Object[][] rows = {
          {"single_character", "c1", "the girl waves", "en"},
          {"single_character", "c1", "女孩挥手", "zh"},
          {"single_object", "o1", "the cup on a table", "en"},
        };
        for (Object[] r : rows) {
          ps.setString(1, (String) r[0]);
          ps.setString(2, (String) r[1]);
          ps.setString(3, (String) r[2]);
          ps.setString(4, (String) r[3]);
          ps.setBytes(5, ImageCodec.encodePng(RgbImage.filled(5, 5, 0x777777)));
          ps.executeUpdate();
        }
      }
      st.execute("COPY t TO '" + parquet + "' (FORMAT PARQUET)");
    }
    Path outputs = tmp.resolve("omni-eval-out");
    ImageCodec.write(RgbImage.filled(5, 5, 0x3344AA), outputs.resolve("m/fullset/single_character/c1.png"), ImageFormat.PNG);
    ImageCodec.write(RgbImage.filled(5, 5, 0x3344AA), outputs.resolve("m/fullset/single_object/o1.png"), ImageFormat.PNG);
    try (OpenAiStandInServer server = OpenAiStandInServer.builder().optChatService(new ScriptedJudgeChat()).build()) {
      String en = Cli.run("eval", "--benchmark", "omnicontext", "--data", parquet.getParent().toString(),
          "--edited", outputs.toString(), "--model-name", "m", "--output", tmp.resolve("work").toString(),
          "--judge-base-url", server.baseUrl().toString(), "--api-key-env", NO_KEY);
      assertThat(en).contains("OmniContext").contains("samples: 2 (OmniContext SINGLE,");
      String zh = Cli.run("eval", "--benchmark", "omnicontext", "--data", parquet.getParent().toString(),
          "--language", "zh", "--edited", outputs.toString(), "--model-name", "m", "--output",
          tmp.resolve("work").toString(), "--judge-base-url", server.baseUrl().toString(), "--api-key-env", NO_KEY);
      assertThat(zh).contains("samples: 1 (OmniContext SINGLE/zh,");
    }
  }
}
