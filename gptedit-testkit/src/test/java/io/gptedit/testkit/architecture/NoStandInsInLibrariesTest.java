package io.gptedit.testkit.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Library modules' main code declares no stand-in, fake, scripted or demo class: those live in
 * {@code gptedit-testkit} (and the command-line tool may use them). Every module but the ones named in
 * {@link #NOT_LIBRARIES} is a library, so a new module is checked from its first commit.
 */
class NoStandInsInLibrariesTest {
  /** Modules allowed to hold stand-ins: the testkit itself and the command-line tool with its offline demos. */
  static final Set<String> NOT_LIBRARIES = Set.of("gptedit-testkit", "examples");

  /** A type name that says what it is: a stand-in, fake, mock, stub, dummy, scripted or demo thing. */
  static final Pattern STAND_IN_NAME =
      Pattern.compile("(?i).*(stand_?in|fake|mock|stub|dummy|scripted|demo).*");

  /** The stand-ins that once shipped in library jars, by name, in case one comes back under its old name. */
  static final Set<String> KNOWN_STAND_INS = Set.of(
      "OpenAiStandInServer",
      "FaultPlan",
      "ScriptedJudgeChat",
      "MiniBenchmarkDemo",
      "MiniBenchmarks",
      "SyntheticCuration",
      "SyntheticServices",
      "SyntheticEditService",
      "SyntheticChatService",
      "SyntheticGenerationService",
      "StandInOptions");

  static List<String> standIns(List<JavaSources.SourceFile> files) {
    List<String> found = new ArrayList<>();
    for (JavaSources.SourceFile f : files) {
      for (String type : f.types()) {
        if (STAND_IN_NAME.matcher(type).matches() || KNOWN_STAND_INS.contains(type)) {
          found.add(f.module() + ": " + f.pkg() + "." + type + " (" + f.file().getFileName() + ")");
        }
      }
    }
    return found;
  }

  @Test
  void noLibraryModulesMainCodeDeclaresAStandInFakeScriptedOrDemoClass() {
    Map<String, Path> modules = JavaSources.modules(JavaSources.projectRoot());
    assertThat(modules.keySet()).contains("gptedit-core", "gptedit-data", "gptedit-models", "gptedit-eval");
    List<JavaSources.SourceFile> files = new ArrayList<>();
    modules.forEach((name, dir) -> {
      if (!NOT_LIBRARIES.contains(name)) {
        files.addAll(JavaSources.mainSources(name, dir));
      }
    });
    assertThat(files).hasSizeGreaterThan(100);
    assertThat(standIns(files)).as("stand-ins in library main code; move them to gptedit-testkit").isEmpty();
  }

  @Test
  void theScanFindsStandInsByNamePatternAndByKnownNameIncludingNestedTypes() {
    List<JavaSources.SourceFile> files = List.of(
        JavaSources.parse("lib", Path.of("A.java"), "package io.gptedit.lib;\npublic final class FakeClock {}"),
        JavaSources.parse("lib", Path.of("B.java"),
            "package io.gptedit.lib;\nclass Outer {\n  private static final class ScriptedReplies {}\n}"),
        JavaSources.parse("lib", Path.of("C.java"), "package io.gptedit.lib;\nrecord StandInOptions(int a) {}"),
        JavaSources.parse("lib", Path.of("D.java"),
            "package io.gptedit.lib;\n/** Not a demo: class DemoThing is only mentioned. */\nclass Editor {\n"
                + "  String s = \"class MockServer\";\n}"));
    assertThat(standIns(files))
        .containsExactly(
            "lib: io.gptedit.lib.FakeClock (A.java)",
            "lib: io.gptedit.lib.ScriptedReplies (B.java)",
            "lib: io.gptedit.lib.StandInOptions (C.java)");
  }
}
