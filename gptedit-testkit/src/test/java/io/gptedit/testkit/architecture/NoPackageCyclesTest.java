package io.gptedit.testkit.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** No package import cycle anywhere in the project's main code, in any module (this one included). */
class NoPackageCyclesTest {
  /**
   * Cycles known and owned elsewhere, each with why it is tolerated for now. The test fails when one of them is
   * gone (delete its entry) or grows (a new package joined it).
   */
  private static final Map<Set<String>, String> KNOWN = Map.of();

  private static List<JavaSources.SourceFile> allMainSources() {
    Path root = JavaSources.projectRoot();
    List<JavaSources.SourceFile> files = new ArrayList<>();
    JavaSources.modules(root).forEach((name, dir) -> files.addAll(JavaSources.mainSources(name, dir)));
    return files;
  }

  @Test
  void noPackageImportCycleInAnyModulesMainCode() {
    List<JavaSources.SourceFile> files = allMainSources();
    assertThat(files.stream().map(JavaSources.SourceFile::module).collect(Collectors.toSet()))
        .as("the scan must see the library modules")
        .contains("gptedit-core", "gptedit-data", "gptedit-models", "gptedit-eval", "gptedit-testkit", "gptedit-lab");
    PackageCycles graph = new PackageCycles(files);
    List<Set<String>> cycles = graph.cycles();
    List<String> unexpected = new ArrayList<>();
    for (Set<String> cycle : cycles) {
      if (!KNOWN.containsKey(cycle)) {
        unexpected.add(cycle + graph.describe(cycle));
      }
    }
    assertThat(unexpected).as("package import cycles (break each by moving a type, not by a wildcard)").isEmpty();
    assertThat(cycles).as("known cycles that no longer exist: delete them from KNOWN").containsAll(KNOWN.keySet());
  }

  @Test
  void theScanFindsACycleMadeByImportsStaticImportsWildcardsAndQualifiedNames() {
    List<JavaSources.SourceFile> files = List.of(
        file("a/A.java", "package io.gptedit.x.a;\nimport io.gptedit.x.b.B;\nclass A {}"),
        file("b/B.java", "package io.gptedit.x.b;\nimport static io.gptedit.x.c.C.go;\nclass B {}"),
        file("c/C.java", "package io.gptedit.x.c;\nclass C { Object o = new io.gptedit.x.a.A(); }"),
        file("d/D.java", "package io.gptedit.x.d;\nimport io.gptedit.x.e.*;\nclass D {}"),
        file("e/E.java", "package io.gptedit.x.e;\n// import io.gptedit.x.d.D;\nclass E { String s = \"io.gptedit.x.d.D\"; }"),
        file("f/F.java", "package io.gptedit.x.f;\n/** {@link io.gptedit.x.g.G} */\nclass F {}"),
        file("g/G.java", "package io.gptedit.x.g;\nimport io.gptedit.x.f.*;\nclass G {}"));
    List<Set<String>> cycles = new PackageCycles(files).cycles();
    assertThat(cycles).containsExactly(Set.of("io.gptedit.x.a", "io.gptedit.x.b", "io.gptedit.x.c"));
  }

  private static JavaSources.SourceFile file(String path, String text) {
    return JavaSources.parse("m", Path.of(path), text);
  }
}
