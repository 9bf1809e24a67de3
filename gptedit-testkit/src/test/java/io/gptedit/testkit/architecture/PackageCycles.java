package io.gptedit.testkit.architecture;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** The package dependency graph of a set of sources and its cycles (strongly connected components of 2 or more). */
final class PackageCycles {
  /** Package to the packages it refers to, each edge with the files that make it. */
  private final Map<String, Map<String, Set<String>>> edges = new TreeMap<>();

  PackageCycles(List<JavaSources.SourceFile> files) {
    Set<String> known = new TreeSet<>();
    files.forEach(f -> known.add(f.pkg()));
    for (JavaSources.SourceFile f : files) {
      Map<String, Set<String>> out = edges.computeIfAbsent(f.pkg(), k -> new TreeMap<>());
      for (String ref : f.references()) {
        if (known.contains(ref)) {
          out.computeIfAbsent(ref, k -> new TreeSet<>()).add(f.file().getFileName().toString());
        }
      }
    }
  }

  /** Returns every cycle, as its set of packages, in a stable order. */
  List<Set<String>> cycles() {
    // Tarjan's algorithm, iterative over the sorted graph.
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new TreeSet<>();
    List<Set<String>> out = new ArrayList<>();
    int[] counter = {0};
    for (String root : edges.keySet()) {
      if (!index.containsKey(root)) {
        strongConnect(root, index, low, stack, onStack, out, counter);
      }
    }
    return out;
  }

  private void strongConnect(
      String v,
      Map<String, Integer> index,
      Map<String, Integer> low,
      Deque<String> stack,
      Set<String> onStack,
      List<Set<String>> out,
      int[] counter) {
    index.put(v, counter[0]);
    low.put(v, counter[0]);
    counter[0]++;
    stack.push(v);
    onStack.add(v);
    for (String w : edges.getOrDefault(v, Map.of()).keySet()) {
      if (!index.containsKey(w)) {
        strongConnect(w, index, low, stack, onStack, out, counter);
        low.put(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.contains(w)) {
        low.put(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v).equals(index.get(v))) {
      Set<String> component = new TreeSet<>();
      String w;
      do {
        w = stack.pop();
        onStack.remove(w);
        component.add(w);
      } while (!w.equals(v));
      if (component.size() > 1) {
        out.add(component);
      }
    }
  }

  /** Describes a cycle: every edge inside it with the files that make it. */
  String describe(Set<String> cycle) {
    StringBuilder sb = new StringBuilder();
    for (String from : cycle) {
      edges.getOrDefault(from, Map.of()).forEach((to, files) -> {
        if (cycle.contains(to)) {
          sb.append("\n  ").append(from).append(" -> ").append(to).append(" (").append(String.join(", ", files)).append(')');
        }
      });
    }
    return sb.toString();
  }
}
