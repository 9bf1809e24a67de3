package io.gptedit.eval;

import java.util.List;
import java.util.Locale;

/**
 * The benchmarks this module loads, judges and aggregates.
 *
 * @since 0.1
 */
public enum Benchmark {
  /** GEdit-Bench (Step1X-Edit), scored with VIEScore: semantics (SC), quality (PQ), overall (O). */
  GEDIT(
      "gedit",
      "GEdit-Bench",
      List.of(
          "background_change",
          "color_alter",
          "material_alter",
          "motion_change",
          "ps_human",
          "style_change",
          "subject-add",
          "subject-remove",
          "subject-replace",
          "text_change",
          "tone_transfer")),
  /** ImgEdit Basic ("ImgEdit-Full" in the paper): nine edit families scored 1 to 5. */
  IMGEDIT(
      "imgedit",
      "ImgEdit",
      List.of(
          "add", "adjust", "extract", "replace", "remove", "background", "style", "compose", "action")),
  /** Complex-Edit: compound instructions at complexity C1..C8, instruction following, identity, quality. */
  COMPLEX_EDIT("complex-edit", "Complex-Edit", List.of()),
  /** OmniContext, SINGLE subset: prompt following (PF) and subject consistency (SC). */
  OMNICONTEXT("omnicontext", "OmniContext", List.of("single_character", "single_object")),
  /**
   * A benchmark scored by local metrics instead of a judge (a {@link io.gptedit.eval.judge.SampleScorer}, such as
   * the synthetic world's exact scores of the edit lab); its categories come from its samples.
   */
  LOCAL("local", "Local metrics", List.of());

  private final String id;
  private final String displayName;
  private final List<String> categories;

  Benchmark(String id, String displayName, List<String> categories) {
    this.id = id;
    this.displayName = displayName;
    this.categories = List.copyOf(categories);
  }

  /**
   * Returns the benchmarks scored by an LLM judge (every one but {@link #LOCAL}).
   *
   * @return GEdit-Bench, ImgEdit, Complex-Edit and OmniContext
   */
  public static List<Benchmark> judged() {
    return List.of(GEDIT, IMGEDIT, COMPLEX_EDIT, OMNICONTEXT);
  }

  /**
   * Returns the short, file-name safe identifier (used in cache keys and report file names).
   *
   * @return the identifier, such as {@code gedit}
   */
  public String id() {
    return id;
  }

  /**
   * Returns the name used in reports.
   *
   * @return the display name
   */
  public String displayName() {
    return displayName;
  }

  /**
   * Returns the benchmark's categories in their official order (task types or edit families); empty for
   * Complex-Edit, which reports one overall figure per complexity level.
   *
   * @return the categories
   */
  public List<String> categories() {
    return categories;
  }

  /**
   * Parses an identifier case-insensitively.
   *
   * @param id an identifier such as {@code gedit} or {@code complex-edit}
   * @return the benchmark
   * @throws IllegalArgumentException if no benchmark has that identifier
   */
  public static Benchmark fromId(String id) {
    for (Benchmark b : values()) {
      if (b.id.equals(id.toLowerCase(Locale.ROOT))) {
        return b;
      }
    }
    throw new IllegalArgumentException("unknown benchmark '" + id + "'; expected one of gedit, imgedit, complex-edit, omnicontext");
  }
}
