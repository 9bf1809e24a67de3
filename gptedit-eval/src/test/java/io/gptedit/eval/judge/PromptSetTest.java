package io.gptedit.eval.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.eval.Benchmark;
import io.gptedit.eval.EvalException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our templates cover every benchmark; user-supplied templates load from a folder or JSON with their own tokens. */
class PromptSetTest {
  @TempDir Path tmp;

  @Test
  void ourTemplatesCoverEveryBenchmarkAndTakeTheInstruction() {
    for (Benchmark b : Benchmark.judged()) {
      PromptSet set = PromptSet.ours(b).requireFor(b);
      for (String name : PromptSet.required(b)) {
        String text = set.get(name).render(Map.of("instruction", "INSTR"));
        assertThat(text).doesNotContain("{{");
        if (!(b == Benchmark.GEDIT && name.equals("pq"))) { // VIEScore's quality call never sees the instruction
          assertThat(text).contains("INSTR");
        }
      }
      assertThat(set.hash()).hasSize(16);
    }
    assertThat(PromptSet.ours(Benchmark.GEDIT).hash()).isNotEqualTo(PromptSet.ours(Benchmark.OMNICONTEXT).hash());
  }

  @Test
  void loadsAFolderOfTextFilesWithAnOfficialPlaceholderToken() throws Exception {
    Files.writeString(tmp.resolve("sc.txt"), "Rate this edit. Instruction: <instruction>. Reply {\"score\": [a, b]}");
    Files.writeString(tmp.resolve("pq.txt"), "Rate quality.");
    PromptSet set = PromptSet.load(tmp).withToken("instruction", "<instruction>").requireFor(Benchmark.GEDIT);
    assertThat(set.get("sc").render(Map.of("instruction", "add a hat")))
        .isEqualTo("Rate this edit. Instruction: add a hat. Reply {\"score\": [a, b]}");
    assertThatThrownBy(() -> set.get("pq").requires("instruction"))
        .isInstanceOf(EvalException.class)
        .hasMessageContaining("'pq' has no placeholder <instruction>");
    PromptSet unmapped = PromptSet.load(tmp); // the official token not mapped: the judge refuses to start
    assertThatThrownBy(() -> Judges.gedit(r -> null, JudgeConfig.defaults(Benchmark.GEDIT), unmapped))
        .hasMessageContaining("'sc' has no placeholder {{instruction}}");
  }

  @Test
  void loadsAJsonObjectAndNamesWhatIsMissing() throws Exception {
    Path json = tmp.resolve("prompts.json");
    Files.writeString(json, "{\"pf\": \"Follow {{instruction}}\", \"other\": \"x\"}");
    PromptSet set = PromptSet.load(json);
    assertThat(set.get("pf").hash()).isEqualTo(PromptTemplate.of("pf", "Follow {{instruction}}").hash());
    assertThatThrownBy(() -> set.requireFor(Benchmark.OMNICONTEXT)).hasMessageContaining("[sc]");
    Files.writeString(json, "{\"pf\": 3}");
    assertThatThrownBy(() -> PromptSet.load(json)).hasMessageContaining("'pf' is not a non-empty string");
  }
}
