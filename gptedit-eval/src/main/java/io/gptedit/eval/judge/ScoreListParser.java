package io.gptedit.eval.judge;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Parses the score replies of GEdit's VIEScore judge and OmniContext's judge: a JSON object with a {@code score}
 * that is a number or a list of numbers.
 *
 * <p>The rule follows VIEScore's {@code mllm_output_to_dict}, which both official scorers call: if the reply holds
 * the delimiter {@code ||V^=^V||} exactly twice, the text between them, otherwise the text from the first
 * {@code {} to the last {@code }}; line feeds are deleted and the rest is parsed as standard JSON (as Python's
 * {@code json.loads}); {@code score} is read, a scalar becoming a one-element list. Without a JSON object, the
 * text from the first {@code [} to the last {@code ]} is accepted if it is exactly two integers ({@code [6, 0]}),
 * then a reply that is nothing but an integer from 0 to 10.
 *
 * <p>Differences from the official scorer, each deliberate:
 * <ul>
 *   <li>an unparsable reply is {@link ReplyParse.Unparsable} (the caller retries, then records a failure); the
 *       official scorer retries once, then substitutes a random score;
 *   <li>the official {@code fix_json} repair (quoting bare keys with a regular expression) is not reproduced:
 *       such replies are unparsable here;
 *   <li>scores given as strings ({@code "score": ["7", "8"]}) are unparsable here; the official scorer accepts the
 *       JSON and then fails on the arithmetic;
 *   <li>a negative or non-finite score, and any score outside the range given to the constructor, is unparsable
 *       here; the official scorer has no range check (GEdit's parser is built with {@link ScoreRange#NON_NEGATIVE},
 *       so a score above 10 is accepted there, as the official scorer accepts it).
 * </ul>
 * The number of scores is checked against {@code expectedSize} when that is positive; GEdit passes 0 (the
 * official scorer takes the minimum of whatever list it gets, one score or three).
 *
 * @since 0.1
 */
public final class ScoreListParser {
  private static final JsonMapper STRICT = JsonMapper.builder().build();
  private static final String DELIMITER = "||V^=^V||";

  private static final Pattern BARE_PAIR = Pattern.compile("\\[\\d+, ?\\d+]");
  private static final Pattern BARE_INTEGER = Pattern.compile("\\s*[+-]?\\d+(?:_\\d+)*\\s*");

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
    ReplyParse<List<Double>> tooLong = ReplyParse.tooLong(reply);
    if (tooLong != null) {
      return tooLong;
    }
    if (reply.isBlank()) {
      return ReplyParse.unparsable("empty reply", reply);
    }
    int open;
    int close;
    if (count(reply, DELIMITER) == 2) {
      open = reply.indexOf(DELIMITER) + DELIMITER.length();
      close = reply.lastIndexOf(DELIMITER);
    } else {
      open = reply.indexOf('{');
      close = reply.lastIndexOf('}') + 1;
      if (open < 0 || close == 0) {
        return bare(reply);
      }
    }
    if (open >= close) {
      return ReplyParse.unparsable("no JSON object between the delimiters", reply);
    }
    String body = reply.substring(open, close).strip().replace("\n", "");
    try {
      JsonNode node = STRICT.readTree(body);
      JsonNode score = node == null ? null : node.get("score");
      if (score == null || score.isNull()) {
        return ReplyParse.unparsable("JSON object has no 'score'", reply);
      }
      return check(readScores(score), reply);
    } catch (JsonProcessingException e) {
      return ReplyParse.unparsable("malformed JSON: " + e.getOriginalMessage(), reply);
    } catch (IllegalArgumentException e) {
      return ReplyParse.unparsable(e.getMessage(), reply);
    }
  }

  private ReplyParse<List<Double>> bare(String reply) {
    int open = reply.indexOf('[');
    int close = reply.lastIndexOf(']') + 1;
    if (open >= 0 && close > open && BARE_PAIR.matcher(reply.substring(open, close)).matches()) {
      String[] parts = reply.substring(open + 1, close - 1).split(",");
      return check(List.of(Double.parseDouble(parts[0].trim()), Double.parseDouble(parts[1].trim())), reply);
    }
    if (BARE_INTEGER.matcher(reply).matches()) {
      double v = Double.parseDouble(reply.strip().replace("_", ""));
      if (v >= 0 && v <= 10) {
        return check(List.of(v), reply);
      }
      return ReplyParse.unparsable("a bare number must be an integer from 0 to 10, got " + reply.strip(), reply);
    }
    return ReplyParse.unparsable("no JSON object, [a, b] list or integer", reply);
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length())) {
      n++;
    }
    return n;
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
