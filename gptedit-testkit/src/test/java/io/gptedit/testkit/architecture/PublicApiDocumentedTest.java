package io.gptedit.testkit.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every library module's public top-level type says {@code @since} in its Javadoc, and every package has a
 * {@code package-info.java}: the public API is versioned and every package is described.
 */
class PublicApiDocumentedTest {
  /** The command line is not an API; the consumer project is a test. */
  private static final Set<String> NOT_APIS = Set.of("examples", "gptedit-consumer-test");

  private static final Pattern PUBLIC_TYPE =
      Pattern.compile("^public\\s+(?:(?:final|abstract|sealed|non-sealed|static)\\s+)*(?:class|interface|record|enum|@interface)\\s",
          Pattern.MULTILINE);

  /** The public top-level types whose Javadoc before the declaration lacks {@code @since}. */
  static boolean lacksSince(String text) {
    var m = PUBLIC_TYPE.matcher(text);
    if (!m.find()) {
      return false;
    }
    String head = text.substring(0, m.start());
    int end = head.lastIndexOf("*/");
    int start = head.lastIndexOf("/**");
    return end < 0 || start < 0 || start > end || !head.substring(start, end).contains("@since");
  }

  @Test
  void everyPublicTypeOfTheLibrariesSaysSinceAndEveryPackageHasAPackageInfo() {
    Map<String, Path> modules = JavaSources.modules(JavaSources.projectRoot());
    assertThat(modules.keySet()).contains("gptedit-core", "gptedit-data", "gptedit-models", "gptedit-eval");
    List<String> noSince = new ArrayList<>();
    Set<String> noPackageInfo = new TreeSet<>();
    int publicTypes = 0;
    for (Map.Entry<String, Path> module : modules.entrySet()) {
      if (NOT_APIS.contains(module.getKey())) {
        continue;
      }
      Path src = module.getValue().resolve("src/main/java");
      try (Stream<Path> files = Files.walk(src)) {
        for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java")).sorted()::iterator) {
          String text = Files.readString(f, StandardCharsets.UTF_8);
          if (!f.getFileName().toString().equals("package-info.java")
              && !Files.isRegularFile(f.resolveSibling("package-info.java"))) {
            noPackageInfo.add(module.getKey() + ": " + src.relativize(f.getParent()));
          }
          if (PUBLIC_TYPE.matcher(text).find()) {
            publicTypes++;
            if (lacksSince(text)) {
              noSince.add(module.getKey() + ": " + src.relativize(f));
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    assertThat(publicTypes).isGreaterThan(200);
    assertThat(noSince).as("public types without @since 0.1 in their Javadoc").isEmpty();
    assertThat(noPackageInfo).as("packages without package-info.java").isEmpty();
  }

  @Test
  void theScanTellsATypeWithSinceFromOneWithoutAndIgnoresPackagePrivateTypes() {
    assertThat(lacksSince("package a;\n/**\n * A thing.\n *\n * @since 0.1\n */\npublic final class A {}")).isFalse();
    assertThat(lacksSince("package a;\n/** A thing. */\n@Deprecated\npublic record A(int x) {}")).isTrue();
    assertThat(lacksSince("package a;\npublic interface A {}")).isTrue();
    assertThat(lacksSince("package a;\n/** @since 0.1 */\nimport x.Y;\n/** A. */\npublic class A {}")).isTrue();
    assertThat(lacksSince("package a;\n/** A. */\nfinal class A {}")).isFalse();
  }
}
