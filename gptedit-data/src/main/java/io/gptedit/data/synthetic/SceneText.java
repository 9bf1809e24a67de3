package io.gptedit.data.synthetic;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The synthetic world's language: instruction templates (several per edit kind), chain joiners, and scene
 * descriptions, each with an exact parser. Every text {@link #instruction} writes, {@link #parseInstruction}
 * reads back to the same operations; the same holds for {@link #describe} and {@link #parseScene}.
 *
 * @since 0.1
 */
public final class SceneText {
  private static final String COLOURS =
      Arrays.stream(SceneColor.values()).map(SceneColor::word).collect(Collectors.joining("|"));
  private static final String KINDS =
      Arrays.stream(ShapeKind.values()).map(ShapeKind::word).collect(Collectors.joining("|"));
  private static final String CELLS =
      Arrays.stream(GridCell.values()).map(GridCell::words).collect(Collectors.joining("|"));
  private static final String SIZES =
      Arrays.stream(SizeClass.values()).map(SizeClass::word).collect(Collectors.joining("|"));
  private static final String SCALES =
      Arrays.stream(ResizeFactor.values())
          .flatMap(f -> f.phrases().stream())
          .map(Pattern::quote)
          .collect(Collectors.joining("|"));

  private static final List<String> RECOLOUR = List.of(
      "make the {obj} {colour}",
      "change the colour of the {obj} to {colour}",
      "turn the {obj} {colour}",
      "paint the {obj} {colour}",
      "recolour the {obj} in {colour}");
  private static final List<String> ADD = List.of(
      "add a {size} {colour} {kind} in the {pos}",
      "put a {size} {colour} {kind} in the {pos}",
      "draw a {size} {colour} {kind} in the {pos}");
  private static final List<String> REMOVE = List.of(
      "remove the {obj}", "delete the {obj}", "erase the {obj}", "take away the {obj}");
  private static final List<String> MOVE = List.of(
      "move the {obj} to the {pos}", "shift the {obj} to the {pos}", "place the {obj} in the {pos} instead");
  private static final List<String> RESIZE = List.of(
      "make the {obj} {scale}", "scale the {obj} so it is {scale}", "resize the {obj} to be {scale}");
  private static final List<String> BACKGROUND = List.of(
      "change the background to {bg}", "make the background {bg}", "replace the background with {bg}");

  /** Joiners between the steps of a chained instruction; the parser splits on all of them. */
  private static final List<String> JOINERS = List.of(", then ", "; then ", ", and then ", ". after that, ");

  private static final Pattern JOINER_SPLIT =
      Pattern.compile(JOINERS.stream().map(Pattern::quote).collect(Collectors.joining("|")));

  private static final Map<String, List<Pattern>> PATTERNS = Map.of(
      "recolour", compile(RECOLOUR),
      "add", compile(ADD),
      "remove", compile(REMOVE),
      "move", compile(MOVE),
      "resize", compile(RESIZE),
      "background", compile(BACKGROUND));

  private static final Pattern CHECKER =
      Pattern.compile("a (?<a>" + COLOURS + ") and (?<b>" + COLOURS + ") checkerboard");
  private static final Pattern STRIPES = Pattern.compile("(?<a>" + COLOURS + ") and (?<b>" + COLOURS + ") stripes");
  private static final Pattern PLAIN = Pattern.compile("(?<a>" + COLOURS + ")");
  private static final Pattern SCENE = Pattern.compile("a picture of (?<shapes>.*) on an? (?<bg>.+) background");
  private static final Pattern SCENE_EMPTY = Pattern.compile("a picture of an? (?<bg>.+) background");
  private static final Pattern SCENE_SHAPE = Pattern.compile(
      "an? (?<size>" + SIZES + "|\\d\\.\\d+) (?<c>" + COLOURS + ") (?<k>" + KINDS + ") in the (?<pos>" + CELLS + ")");
  private static final Pattern SCENE_BG = Pattern.compile(
      "plain (?<p>" + COLOURS + ")|(?<a>" + COLOURS + ") and (?<b>" + COLOURS + ") (?<kind>striped|checkered)");

  private SceneText() {}

  private static List<Pattern> compile(List<String> templates) {
    List<Pattern> out = new ArrayList<>();
    for (String t : templates) {
      StringBuilder re = new StringBuilder();
      Matcher m = Pattern.compile("\\{(\\w+)}").matcher(t);
      int last = 0;
      while (m.find()) {
        re.append(Pattern.quote(t.substring(last, m.start())));
        re.append(switch (m.group(1)) {
          case "obj" -> "(?<oc>" + COLOURS + ") (?<ok>" + KINDS + ")";
          case "colour" -> "(?<c>" + COLOURS + ")";
          case "kind" -> "(?<k>" + KINDS + ")";
          case "pos" -> "(?<pos>" + CELLS + ")";
          case "size" -> "(?<size>" + SIZES + ")";
          case "scale" -> "(?<scale>" + SCALES + ")";
          case "bg" -> "(?<bg>.+)";
          default -> throw new IllegalStateException("unknown placeholder " + m.group(1));
        });
        last = m.end();
      }
      re.append(Pattern.quote(t.substring(last)));
      out.add(Pattern.compile(re.toString()));
    }
    return List.copyOf(out);
  }

  /**
   * Writes one atomic step in lower case, without final punctuation.
   *
   * @param op the edit
   * @param variant picks the template (any int; reduced modulo the number of templates)
   * @return the step text
   */
  public static String step(EditOp op, int variant) {
    if (op instanceof EditOp.Recolour r) {
      return pick(RECOLOUR, variant).replace("{obj}", noun(r.from(), r.kind())).replace("{colour}", r.to().word());
    } else if (op instanceof EditOp.Add a) {
      return pick(ADD, variant)
          .replace("{size}", a.size().word())
          .replace("{colour}", a.color().word())
          .replace("{kind}", a.kind().word())
          .replace("{pos}", a.cell().words());
    } else if (op instanceof EditOp.Remove r) {
      return pick(REMOVE, variant).replace("{obj}", noun(r.color(), r.kind()));
    } else if (op instanceof EditOp.Move m) {
      return pick(MOVE, variant).replace("{obj}", noun(m.color(), m.kind())).replace("{pos}", m.to().words());
    } else if (op instanceof EditOp.Resize z) {
      return pick(RESIZE, variant)
          .replace("{obj}", noun(z.color(), z.kind()))
          .replace("{scale}", pick(z.factor().phrases(), variant / 7));
    } else if (op instanceof EditOp.ChangeBackground b) {
      return pick(BACKGROUND, variant).replace("{bg}", b.background().phrase());
    }
    throw new IllegalArgumentException("unknown edit " + op);
  }

  /**
   * Writes an instruction for a program: steps joined by a joiner, capitalised, ending with a full stop.
   *
   * @param ops the edits, in order (at least one)
   * @param variant picks templates and joiners
   * @return the instruction
   */
  public static String instruction(List<EditOp> ops, int variant) {
    if (ops.isEmpty()) {
      throw new IllegalArgumentException("a program needs at least one edit");
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < ops.size(); i++) {
      if (i > 0) {
        sb.append(pick(JOINERS, variant / 3 + i));
      }
      sb.append(step(ops.get(i), variant + 5 * i));
    }
    return sentence(sb.toString());
  }

  /**
   * Capitalises the first letter and ends the text with a full stop.
   *
   * @param text lower-case text
   * @return the sentence
   */
  public static String sentence(String text) {
    String t = text.strip();
    if (t.isEmpty()) {
      return t;
    }
    return Character.toUpperCase(t.charAt(0)) + t.substring(1) + (t.endsWith(".") ? "" : ".");
  }

  /**
   * Parses an instruction written by {@link #instruction} or {@link #step} (any case, optional full stop).
   *
   * @param text the instruction
   * @return the edits, in order
   * @throws IllegalArgumentException naming the first step that matches no template
   */
  public static List<EditOp> parseInstruction(String text) {
    String t = normalise(text);
    List<EditOp> ops = new ArrayList<>();
    for (String part : JOINER_SPLIT.split(t)) {
      ops.add(parseStep(part.strip()));
    }
    return ops;
  }

  private static String normalise(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    while (t.endsWith(".")) {
      t = t.substring(0, t.length() - 1).strip();
    }
    return t;
  }

  private static EditOp parseStep(String s) {
    for (Map.Entry<String, List<Pattern>> e : PATTERNS.entrySet()) {
      for (Pattern p : e.getValue()) {
        Matcher m = p.matcher(s);
        if (m.matches()) {
          return build(e.getKey(), m);
        }
      }
    }
    throw new IllegalArgumentException("cannot parse edit step '" + s + "'");
  }

  private static EditOp build(String kind, Matcher m) {
    return switch (kind) {
      case "recolour" -> new EditOp.Recolour(shapeKind(m.group("ok")), colour(m.group("oc")), colour(m.group("c")));
      case "add" -> new EditOp.Add(
          shapeKind(m.group("k")), colour(m.group("c")), SizeClass.valueOf(upper(m.group("size"))),
          GridCell.parse(m.group("pos")));
      case "remove" -> new EditOp.Remove(shapeKind(m.group("ok")), colour(m.group("oc")));
      case "move" -> new EditOp.Move(shapeKind(m.group("ok")), colour(m.group("oc")), GridCell.parse(m.group("pos")));
      case "resize" -> new EditOp.Resize(shapeKind(m.group("ok")), colour(m.group("oc")), factor(m.group("scale")));
      case "background" -> new EditOp.ChangeBackground(parseBackground(m.group("bg")));
      default -> throw new IllegalStateException(kind);
    };
  }

  private static Background parseBackground(String phrase) {
    Matcher m = CHECKER.matcher(phrase);
    if (m.matches()) {
      return new Background(Background.Pattern.CHECKER, colour(m.group("a")), colour(m.group("b")));
    }
    m = STRIPES.matcher(phrase);
    if (m.matches()) {
      return new Background(Background.Pattern.STRIPES, colour(m.group("a")), colour(m.group("b")));
    }
    m = PLAIN.matcher(phrase);
    if (m.matches()) {
      return Background.plain(colour(m.group("a")));
    }
    throw new IllegalArgumentException("cannot parse background '" + phrase + "'");
  }

  private static ResizeFactor factor(String phrase) {
    for (ResizeFactor f : ResizeFactor.values()) {
      if (f.phrases().contains(phrase)) {
        return f;
      }
    }
    throw new IllegalArgumentException("unknown resize phrase '" + phrase + "'");
  }

  /**
   * Describes a scene (sizes are written exactly, so the description parses back to an equal scene).
   *
   * @param scene the scene
   * @return the description
   */
  public static String describe(Scene scene) {
    StringBuilder sb = new StringBuilder("a picture of ");
    List<SceneShape> shapes = scene.shapes();
    for (int i = 0; i < shapes.size(); i++) {
      SceneShape s = shapes.get(i);
      if (i > 0) {
        sb.append(i == shapes.size() - 1 ? " and " : ", ");
      }
      sb.append("a ").append(sizeWord(s.scale())).append(' ').append(s.noun()).append(" in the ")
          .append(s.cell().words());
    }
    if (!shapes.isEmpty()) {
      sb.append(" on ");
    }
    String adj = scene.background().adjective();
    sb.append(startsWithVowel(adj) ? "an " : "a ").append(adj).append(" background");
    return sb.toString();
  }

  /**
   * Parses a scene description written by {@link #describe} into a scene of the given native size.
   *
   * @param text the description
   * @param width the scene's native width
   * @param height the scene's native height
   * @return the scene
   * @throws IllegalArgumentException if the text is not a scene description
   */
  public static Scene parseScene(String text, int width, int height) {
    String t = normalise(text);
    String shapesText = "";
    String bgText;
    Matcher m = SCENE.matcher(t);
    if (m.matches()) {
      shapesText = m.group("shapes");
      bgText = m.group("bg");
    } else {
      Matcher e = SCENE_EMPTY.matcher(t);
      if (!e.matches()) {
        throw new IllegalArgumentException("not a scene description: '" + text + "'");
      }
      bgText = e.group("bg");
    }
    Matcher b = SCENE_BG.matcher(bgText);
    if (!b.matches()) {
      throw new IllegalArgumentException("cannot parse background '" + bgText + "'");
    }
    Background bg = b.group("p") != null
        ? Background.plain(colour(b.group("p")))
        : new Background(
            b.group("kind").equals("striped") ? Background.Pattern.STRIPES : Background.Pattern.CHECKER,
            colour(b.group("a")),
            colour(b.group("b")));
    List<SceneShape> shapes = new ArrayList<>();
    if (!shapesText.isEmpty()) {
      for (String part : shapesText.split(", | and (?=an? )")) {
        Matcher s = SCENE_SHAPE.matcher(part.strip());
        if (!s.matches()) {
          throw new IllegalArgumentException("cannot parse shape '" + part + "' in '" + text + "'");
        }
        String size = s.group("size");
        double scale = Character.isDigit(size.charAt(0)) ? Double.parseDouble(size) : SizeClass.valueOf(upper(size)).scale();
        shapes.add(new SceneShape(shapeKind(s.group("k")), colour(s.group("c")), GridCell.parse(s.group("pos")), scale));
      }
    }
    return new Scene(width, height, bg, shapes);
  }

  private static String sizeWord(double scale) {
    for (SizeClass c : SizeClass.values()) {
      if (Math.abs(c.scale() - scale) < 1e-9) {
        return c.word();
      }
    }
    return String.format(Locale.ROOT, "%.4f", scale);
  }

  private static boolean startsWithVowel(String s) {
    return "aeiou".indexOf(s.charAt(0)) >= 0;
  }

  private static String noun(SceneColor c, ShapeKind k) {
    return c.word() + " " + k.word();
  }

  private static String pick(List<String> list, int variant) {
    return list.get(Math.floorMod(variant, list.size()));
  }

  private static String upper(String s) {
    return s.toUpperCase(Locale.ROOT);
  }

  private static SceneColor colour(String word) {
    return SceneColor.valueOf(upper(word));
  }

  private static ShapeKind shapeKind(String word) {
    return ShapeKind.valueOf(upper(word));
  }
}
