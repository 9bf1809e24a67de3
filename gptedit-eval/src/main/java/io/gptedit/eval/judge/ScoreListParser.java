package io.gptedit.eval.judge;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the score replies of GEdit's VIEScore judge and OmniContext's judge: a JSON object with a {@code score}
 * that is a number or a list of numbers.
 *
 * <p>The rule, in order: take the text from the first {@code {} to the last {@code }}, replace line breaks with
 * spaces and parse it as JSON (leniently: single quotes, trailing commas, numbers as strings); read {@code score}
 * (a scalar becomes a one-element list). If there is no such object, accept a bare list {@code [a, b]} anywhere in
 * the reply, then a reply that is nothing but one number. Every score must be in range and the list must have the
 * expected length, otherwise the reply is {@link ReplyParse.Unparsable}: the official scorer's random fallback
 * score is deliberately not copied.
 */
public final class ScoreListParser {
  private static final JsonMapper LENIENT =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_SINGLE_QUOTES)
          .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
          .enable(JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES)
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .build();

  private static final Pattern BARE_LIST =
      Pattern.compile("\\[\\s*(-?\\d+(?:\\.\\d+)?(?:\\s*,\\s*-?\\d+(?:\\.\\d+)?)*)\\s*,?\\s*]");
  private static final Pattern BARE_NUMBER = Pattern.compile("^\\s*(-?\\d+(?:\\.\\d+)?)\\s*\\.?\\s*$");

  private final int expectedSize;
  private final ScoreRange range;

  /**
   * Creates a parser.
   *
   * @param expectedSize how many scores a reply must hold (2 for VIEScore's lists, 1 for a scalar), or 0 for any
   *     non-empty list
   * @param range the valid score range
   */
  public ScoreListParser(int expectedSize, ScoreRange range) {
    checkArgument(expectedSize >= 0, "expectedSize must be >= 0, got %s", expectedSize);
    this.expectedSize = expectedSize;
    this.range = requireNonNull(range, "range");
  }

  /**
   * Parses a reply.
   *
   * @param reply the judge's reply text
   * @return the scores in reply order, or why they could not be read
   */
  public ReplyParse<List<Double>> parse(String reply) {
    requireNonNull(reply, "reply");
    if (reply.isBlank()) {
      return ReplyParse.unparsable("empty reply", reply);
    }
    int open = reply.indexOf('{');
    int close = reply.lastIndexOf('}');
    String jsonProblem = null;
    if (open >= 0 && close > open) {
      String body = reply.substring(open, close + 1).replace('\r', ' ').replace('\n', ' ');
      try {
        JsonNode node = LENIENT.readTree(body);
        JsonNode score = node.get("score");
        if (score != null && !score.isNull()) {
          return check(readScores(score), reply);
        }
        jsonProblem = "JSON object has no 'score'";
      } catch (JsonProcessingException e) {
        jsonProblem = "malformed JSON: " + e.getOriginalMessage();
      } catch (IllegalArgumentException e) {
        return ReplyParse.unparsable(e.getMessage(), reply);
      }
    }
    Matcher list = BARE_LIST.matcher(reply);
    if (list.find()) {
      List<Double> values = new ArrayList<>();
      for (String part : list.group(1).split(",")) {
        values.add(Double.parseDouble(part.trim()));
      }
      return check(values, reply);
    }
    Matcher number = BARE_NUMBER.matcher(reply);
    if (number.matches()) {
      return check(List.of(Double.parseDouble(number.group(1))), reply);
    }
    return ReplyParse.unparsable(jsonProblem != null ? jsonProblem : "no JSON object, score list or number", reply);
  }

  private static List<Double> readScores(JsonNode score) {
    List<Double> values = new ArrayList<>();
    if (score.isArray()) {
      for (JsonNode item : score) {
        values.add(number(item));
      }
    } else {
      values.add(number(score));
    }
    return values;
  }

  private static double number(JsonNode node) {
    if (node.isNumber()) {
      return node.doubleValue();
    }
    if (node.isTextual()) {
      try {
        return Double.parseDouble(node.asText().trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("score '" + node.asText() + "' is not a number", e);
      }
    }
    throw new IllegalArgumentException("score " + node + " is not a number");
  }

  private ReplyParse<List<Double>> check(List<Double> values, String reply) {
    if (values.isEmpty()) {
      return ReplyParse.unparsable("empty score list", reply);
    }
    if (expectedSize > 0 && values.size() != expectedSize) {
      return ReplyParse.unparsable(
          "expected " + expectedSize + " score(s), got " + values.size() + " " + values, reply);
    }
    for (double v : values) {
      if (!Double.isFinite(v) || !range.contains(v)) {
        return ReplyParse.unparsable(
            "score " + v + " outside [" + range.min() + ", " + range.max() + "]", reply);
      }
    }
    return ReplyParse.parsed(List.copyOf(values));
  }

}
