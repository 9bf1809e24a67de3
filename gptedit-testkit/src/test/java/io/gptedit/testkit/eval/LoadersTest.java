package io.gptedit.testkit.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.eval.Benchmark;
import io.gptedit.eval.EvalException;
import io.gptedit.eval.bench.BenchSample;
import io.gptedit.eval.bench.BenchmarkSet;
import io.gptedit.eval.bench.ComplexEditBench;
import io.gptedit.eval.bench.GEditBench;
import io.gptedit.eval.bench.ImgEditBench;
import io.gptedit.eval.bench.OmniContextBench;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The four loaders read their layouts, and name the file and row of bad input. */
class LoadersTest {
  @TempDir Path tmp;

  @Test
  void geditLoadsOneLanguageWithTagsAndTheIntersectionSubset() {
    Path folder = MiniBenchmarks.writeGEdit(tmp.resolve("gedit"), 2);
    BenchmarkSet en = GEditBench.load(folder, "en", false);
    assertThat(en.samples()).hasSize(22);
    assertThat(en.samples()).allMatch(s -> s.language().equals("en"));
    assertThat(en.samples().get(0).category()).isEqualTo("background_change");
    assertThat(en.samples().get(0).instruction()).startsWith("make the square");
    BenchmarkSet inter = GEditBench.load(folder, "en", true);
    assertThat(inter.samples()).hasSize(11).allMatch(BenchSample::intersection);
    assertThat(GEditBench.load(folder, "cn", false).samples()).hasSize(22).allMatch(s -> s.language().equals("cn"));
  }

  @Test
  void geditRejectsZhAndNamesTheLineOfAnUnknownTaskType() throws IOException {
    Path folder = MiniBenchmarks.writeGEdit(tmp.resolve("gedit"), 1);
    assertThatThrownBy(() -> GEditBench.load(folder, "zh", false)).hasMessageContaining("not zh");
    Path meta = folder.resolve(GEditBench.METADATA);
    String text = Files.readString(meta).replaceFirst("\"color_alter\"", "\"colour_alter\"");
    Files.writeString(meta, text);
    assertThatThrownBy(() -> GEditBench.load(folder, "en", false))
        .isInstanceOf(EvalException.class)
        .hasMessageContaining(meta.toString())
        .hasMessageContaining("line 2")
        .hasMessageContaining("colour_alter");
  }

  @Test
  void geditNamesAMissingImageAndAMalformedLine() throws IOException {
    Path folder = MiniBenchmarks.writeGEdit(tmp.resolve("gedit"), 1);
    Files.delete(folder.resolve("images/en/motion_change/motion_change_00.png"));
    assertThatThrownBy(() -> GEditBench.load(folder, "en", false))
        .hasMessageContaining("line 4")
        .hasMessageContaining("motion_change_00.png does not exist");
    Files.writeString(folder.resolve(GEditBench.METADATA), "{\"key\": \n", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> GEditBench.load(folder, "en", false)).hasMessageContaining("line 1: malformed JSON");
  }

  @Test
  void geditPathOfOutputsFollowsTheOfficialLayout() {
    BenchmarkSet en = GEditBench.load(MiniBenchmarks.writeGEdit(tmp.resolve("g"), 1), "en", false);
    BenchSample s = en.samples().get(1);
    Path out = en.outputFile(tmp.resolve("out"), "my-model", s);
    assertThat(tmp.resolve("out").relativize(out).toString())
        .isEqualTo("my-model/fullset/color_alter/en/color_alter_00.png");
    assertThat(en.sourceCopyFile(out).getFileName().toString()).isEqualTo("color_alter_00_SRCIMG.png");
  }

  @Test
  void imgEditAcceptsTheOlderAlterNameAsAdjust() {
    Path json = MiniBenchmarks.writeImgEdit(tmp.resolve("imgedit"), 2, true);
    BenchmarkSet set = ImgEditBench.load(json, json.resolveSibling("singleturn"));
    assertThat(set.samples()).hasSize(18);
    assertThat(set.samples().stream().filter(s -> s.category().equals("adjust"))).hasSize(2);
    assertThat(set.outputFile(tmp, "m", set.samples().get(3)).getFileName().toString()).isEqualTo("3.png");
  }

  @Test
  void imgEditNamesTheKeyOfABadEntry() throws IOException {
    Path json = MiniBenchmarks.writeImgEdit(tmp.resolve("imgedit"), 1, false);
    Files.writeString(json, Files.readString(json).replace("\"edit_type\" : \"remove\"", "\"edit_type\" : \"erase\""));
    assertThatThrownBy(() -> ImgEditBench.load(json, json.resolveSibling("singleturn")))
        .hasMessageContaining("key '4'")
        .hasMessageContaining("erase");
  }

  @Test
  void complexEditPicksTheLevelsInstructionAndZeroPadsKeys() {
    Path root = MiniBenchmarks.writeComplexEdit(tmp.resolve("ce"), 3);
    BenchmarkSet c8 = ComplexEditBench.load(root, "real", 8);
    assertThat(c8.subset()).isEqualTo("C8/real");
    assertThat(c8.samples()).extracting(BenchSample::key).containsExactly("00000", "00001", "00002");
    assertThat(c8.samples().get(0).instruction().split(", then ")).hasSize(8);
    BenchmarkSet c1 = ComplexEditBench.load(root, "test_syn", 1);
    assertThat(c1.samples().get(0).instruction()).doesNotContain(", then ");
    assertThatThrownBy(() -> ComplexEditBench.load(root, "real", 9)).hasMessageContaining("1 to 8");
  }

  @Test
  void complexEditNamesTheRowMissingALevel() throws IOException {
    Path root = MiniBenchmarks.writeComplexEdit(tmp.resolve("ce"), 2);
    Path meta = root.resolve("test_real").resolve(ComplexEditBench.METADATA);
    String[] lines = Files.readString(meta).split("\n");
    lines[1] = lines[1].replaceAll(",\\{\"complexity\":8,[^}]*}", "");
    Files.writeString(meta, String.join("\n", lines));
    assertThatThrownBy(() -> ComplexEditBench.load(root, "real", 8))
        .hasMessageContaining("line 2")
        .hasMessageContaining("7 levels");
  }

  @Test
  void omniContextKeepsTheSingleTaskTypesOnly() {
    BenchmarkSet set = OmniContextBench.load(MiniBenchmarks.writeOmniContext(tmp.resolve("oc"), 2));
    assertThat(set.samples()).hasSize(4);
    assertThat(set.benchmark()).isEqualTo(Benchmark.OMNICONTEXT);
    assertThat(tmp.relativize(set.outputFile(tmp, "m", set.samples().get(2))).toString())
        .isEqualTo("m/fullset/single_object/single_object_0.png");
  }

  @Test
  void imgEditNamesTheKeyAndFieldOfAMissingPromptAndAMissingOriginal() throws IOException {
    Path json = MiniBenchmarks.writeImgEdit(tmp.resolve("imgedit"), 1, false);
    String text = Files.readString(json);
    Files.writeString(json, text.replaceFirst("\"prompt\" : \"extract edit: make the square blue\",", ""));
    assertThatThrownBy(() -> ImgEditBench.load(json, json.resolveSibling("singleturn")))
        .hasMessageContaining("key '2'")
        .hasMessageContaining("'prompt'");
    Files.writeString(json, text);
    Files.delete(json.resolveSibling("singleturn").resolve("set0/img0.jpg"));
    assertThatThrownBy(() -> ImgEditBench.load(json, json.resolveSibling("singleturn")))
        .hasMessageContaining("key '0'")
        .hasMessageContaining("img0.jpg does not exist");
  }

  @Test
  void omniContextAndGEditNameTheLineOfAStructuralMistake() throws IOException {
    Path oc = MiniBenchmarks.writeOmniContext(tmp.resolve("oc"), 1);
    Path meta = oc.resolve(OmniContextBench.METADATA);
    Files.writeString(meta, Files.readString(meta).replaceFirst("\\[\"inputs/single_object_0.png\"]", "[]"));
    assertThatThrownBy(() -> OmniContextBench.load(oc)).hasMessageContaining("line 2").hasMessageContaining("exactly one");

    Path g = MiniBenchmarks.writeGEdit(tmp.resolve("g"), 1);
    Path gm = g.resolve(GEditBench.METADATA);
    Files.writeString(gm, Files.readString(gm).replaceFirst("\"Intersection_exist\":true", "\"Intersection_exist\":\"maybe\""));
    assertThatThrownBy(() -> GEditBench.load(g, "en", false))
        .hasMessageContaining("line 1")
        .hasMessageContaining("Intersection_exist' is not a boolean");
  }
}
