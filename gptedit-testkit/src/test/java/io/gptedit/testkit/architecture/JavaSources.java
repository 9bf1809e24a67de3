package io.gptedit.testkit.architecture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The project's Java sources as the architecture tests read them: per file, its module, package, declared type
 * names and the {@code io.gptedit} packages it refers to (imports, static and wildcard imports, and fully qualified
 * names in code; comments and string literals do not count).
 */
final class JavaSources {
  private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
  private static final Pattern DECLARATION =
      Pattern.compile("\\b(?:class|interface|record|enum|@interface)\\s+([A-Z]\\w*)");
  /** {@code io.gptedit} followed by lower-case segments, then a type name or a wildcard. */
  private static final Pattern REFERENCE = Pattern.compile("\\b(io\\.gptedit(?:\\.[a-z_][\\w]*)*)\\s*\\.\\s*(?:[A-Z]|\\*)");

  /** One source file. */
  record SourceFile(String module, Path file, String pkg, List<String> types, Set<String> references) {}

  private JavaSources() {}

  /** Returns the project root: the nearest folder at or above the working directory whose pom is the parent's. */
  static Path projectRoot() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      Path pom = d.resolve("pom.xml");
      try {
        if (Files.isRegularFile(pom) && Files.readString(pom).contains("<artifactId>gptedit-parent</artifactId>")
            && Files.readString(pom).contains("<modules>")) {
          return d;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new IllegalStateException("no gptedit-parent pom at or above " + dir);
  }

  /** Returns every module folder directly under the root that has main Java sources, by name. */
  static TreeMap<String, Path> modules(Path root) {
    TreeMap<String, Path> out = new TreeMap<>();
    try (Stream<Path> dirs = Files.list(root)) {
      dirs.filter(d -> Files.isDirectory(d.resolve("src/main/java")) && Files.isRegularFile(d.resolve("pom.xml")))
          .forEach(d -> out.put(d.getFileName().toString(), d));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** Reads the main sources of a module. */
  static List<SourceFile> mainSources(String module, Path moduleDir) {
    List<SourceFile> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(moduleDir.resolve("src/main/java"))) {
      for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java")).sorted()::iterator) {
        out.add(parse(module, f, Files.readString(f, StandardCharsets.UTF_8)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** Parses one file's text. */
  static SourceFile parse(String module, Path file, String text) {
    String code = stripCommentsAndStrings(text);
    Matcher p = PACKAGE.matcher(code);
    String pkg = p.find() ? p.group(1) : "";
    List<String> types = new ArrayList<>();
    if (!file.getFileName().toString().equals("package-info.java")) {
      Matcher d = DECLARATION.matcher(code);
      while (d.find()) {
        types.add(d.group(1));
      }
    }
    Set<String> refs = new LinkedHashSet<>();
    Matcher r = REFERENCE.matcher(code);
    while (r.find()) {
      refs.add(r.group(1));
    }
    refs.remove(pkg);
    return new SourceFile(module, file, pkg, types, refs);
  }

  /** Blanks comments, string and character literals and text blocks, keeping line breaks. */
  static String stripCommentsAndStrings(String s) {
    StringBuilder out = new StringBuilder(s.length());
    int i = 0;
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      if (c == '/' && i + 1 < n && s.charAt(i + 1) == '/') {
        while (i < n && s.charAt(i) != '\n') {
          i++;
        }
      } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
        int end = s.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
        keepNewlines(s, i, end, out);
        i = end;
      } else if (s.startsWith("\"\"\"", i)) {
        int end = s.indexOf("\"\"\"", i + 3);
        end = end < 0 ? n : end + 3;
        keepNewlines(s, i, end, out);
        out.append("\"\"");
        i = end;
      } else if (c == '"' || c == '\'') {
        int j = i + 1;
        while (j < n && s.charAt(j) != c && s.charAt(j) != '\n') {
          j += s.charAt(j) == '\\' ? 2 : 1;
        }
        out.append(c).append(c);
        i = Math.min(n, j + 1);
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  private static void keepNewlines(String s, int from, int to, StringBuilder out) {
    for (int k = from; k < to; k++) {
      if (s.charAt(k) == '\n') {
        out.append('\n');
      }
    }
  }
}
