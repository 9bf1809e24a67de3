package io.gptedit.eval.report;

import io.gptedit.eval.score.BenchmarkResult;
import io.gptedit.eval.score.CategoryResult;
import java.util.LinkedHashMap;
import java.util.Map;

/** Maps our results onto the paper tables' columns, so our row can be printed in the same table. */
final class PaperColumns {
  private PaperColumns() {}

  /** Returns column name to our value; a column we have no value for is absent. */
  static Map<String, Double> ours(BenchmarkResult r) {
    Map<String, Double> out = new LinkedHashMap<>();
    switch (r.benchmark()) {
      case GEDIT -> {
        for (CategoryResult c : r.categories()) {
          put(out, c.category(), c.metrics().get("O"));
        }
        put(out, "avg", r.overall().get("O"));
      }
      case IMGEDIT -> {
        for (CategoryResult c : r.categories()) {
          put(out, c.category().equals("compose") ? "hybrid" : c.category(), c.metrics().get("Score"));
        }
        put(out, "overall", r.overall().get("Score"));
      }
      case COMPLEX_EDIT -> {
        put(out, "if", r.overall().get("IF"));
        put(out, "ip", r.overall().get("IP"));
        put(out, "pq", r.overall().get("PQ"));
        put(out, "overall", r.overall().get("Overall"));
      }
      case OMNICONTEXT -> {
        for (CategoryResult c : r.categories()) {
          String prefix = c.category().replace("single_", "");
          put(out, prefix + "_pf", c.metrics().get("PF"));
          put(out, prefix + "_sc", c.metrics().get("SC"));
          put(out, prefix + "_overall", c.metrics().get("Overall"));
        }
        put(out, "avg_pf", r.overall().get("PF"));
        put(out, "avg_sc", r.overall().get("SC"));
        put(out, "avg_overall", r.overall().get("Overall"));
      }
      case LOCAL -> r.overall().forEach((k, v) -> put(out, k, v));
    }
    return out;
  }

  private static void put(Map<String, Double> out, String column, Double v) {
    if (v != null) {
      out.put(column, v);
    }
  }
}
