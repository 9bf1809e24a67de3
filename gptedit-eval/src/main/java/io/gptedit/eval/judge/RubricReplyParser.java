package io.gptedit.eval.judge;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses ImgEdit-style rubric replies: one line per sub-score, {@code Name: <digit>}.
 *
 * <p>Markdown is tolerated ({@code **Prompt Compliance:** 4}, {@code - *Visual Naturalness*: 5}, a heading
 * marker), as are {@code 4/5} forms, a full-width colon and decimals. When a name occurs on several lines the last
 * one wins (models often restate the final figure at the end). If the expected names are not all present but the
 * reply holds exactly as many {@code Label: <number>} lines as there are sub-scores (an official template with other
 * names), those are taken in order. Anything else is {@link ReplyParse.Unparsable} with the missing names.
 *
 * @since 0.1
 */
public final class RubricReplyParser {
  private static final Pattern LINE =
      Pattern.compile(
          "^\\s*(?:[-+•>]\\s*)?(?:\\d+[.)]\\s+)?([\\p{L}][\\p{L}\\p{N} '&/()-]*?)\\s*[:：]\\s*"
              + "(-?\\d+(?:\\.\\d+)?)(?:\\s*/\\s*(\\d+(?:\\.\\d+)?))?\\b.*$");

  /** Lines longer than this are not sub-score lines. */
  private static final int MAX_LINE_CHARS = 400;

  private final List<String> names;
  private final ScoreRange range;

  /**
   * Creates a parser.
   *
   * @param names the sub-score names in rubric order, such as {@code Prompt Compliance}
   * @param range the valid range (1 to 5 for ImgEdit)
   */
  public RubricReplyParser(List<String> names, ScoreRange range) {
    this.names = ImmutableList.copyOf(requireNonNull(names, "names"));
    checkArgument(!this.names.isEmpty(), "a rubric needs at least one sub-score name");
    this.range = requireNonNull(range, "range");
  }

  /**
   * Returns the sub-score names in rubric order.
   *
   * @return the names
   */
  public List<String> names() {
    return names;
  }

  /**
   * Parses a reply.
   *
   * @param reply the judge's reply
   * @return the sub-scores in rubric order, or why they could not be read
   */
  public ReplyParse<List<Double>> parse(String reply) {
    requireNonNull(reply, "reply");
    ReplyParse<List<Double>> tooLong = ReplyParse.tooLong(reply);
    if (tooLong != null) {
      return tooLong;
    }
    if (reply.isBlank()) {
      return ReplyParse.unparsable("empty reply", reply);
    }
    Map<String, Double> byName = new LinkedHashMap<>();
    List<Double> inOrder = new ArrayList<>();
    for (String raw : reply.split("\\R")) {
      if (raw.length() > MAX_LINE_CHARS) {
        continue; // no sub-score line is this long; the pattern would cost time quadratic in its length
      }
      String line = raw.replace("*", "").replace("`", "").replace("__", "").replaceFirst("^\\s*#+\\s*", "");
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        continue;
      }
      double value = Double.parseDouble(m.group(2));
      if (m.group(3) != null) {
        double denominator = Double.parseDouble(m.group(3));
        if (denominator != range.max()) {
          return ReplyParse.unparsable(
              "sub-score '" + m.group(1).trim() + "' given out of " + m.group(3) + ", expected out of " + fmt(range.max()),
              reply);
        }
      }
      byName.put(normalise(m.group(1)), value);
      inOrder.add(value);
    }
    List<Double> scores = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (String name : names) {
      Double v = byName.get(normalise(name));
      if (v == null) {
        missing.add(name);
      } else {
        scores.add(v);
      }
    }
    if (!missing.isEmpty()) {
      if (inOrder.size() == names.size()) {
        scores = inOrder;
      } else {
        return ReplyParse.unparsable("missing sub-score(s) " + missing, reply);
      }
    }
    for (double v : scores) {
      if (!range.contains(v)) {
        return ReplyParse.unparsable("sub-score " + fmt(v) + " outside [" + fmt(range.min()) + ", " + fmt(range.max()) + "]", reply);
      }
    }
    return ReplyParse.parsed(List.copyOf(scores));
  }

  private static String normalise(String name) {
    return name.trim().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
