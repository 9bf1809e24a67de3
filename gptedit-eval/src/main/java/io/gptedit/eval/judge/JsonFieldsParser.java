package io.gptedit.eval.judge;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.common.collect.ImmutableList;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses structured-output replies (Complex-Edit's judge): a JSON object with named integer fields, such as
 * {@code {"reasoning": "...", "instruction_following": 8, "identity_preservation": 6}}.
 *
 * <p>The object is the text from the first {@code {} to the last {@code }} (structured output returns only the
 * object, but a model without it may wrap it in prose or a code fence). Each field must be present, a whole number
 * (an integral decimal such as {@code 8.0} or a numeric string is accepted) and in range.
 *
 * @since 0.1
 */
public final class JsonFieldsParser {
  private static final JsonMapper LENIENT =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_SINGLE_QUOTES)
          .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
          .build();

  private final List<String> fields;
  private final ScoreRange range;

  /**
   * Creates a parser.
   *
   * @param fields the field names to read, in order
   * @param range the valid range
   */
  public JsonFieldsParser(List<String> fields, ScoreRange range) {
    this.fields = ImmutableList.copyOf(requireNonNull(fields, "fields"));
    checkArgument(!this.fields.isEmpty(), "at least one field");
    this.range = requireNonNull(range, "range");
  }

  /**
   * Returns the field names read.
   *
   * @return the fields in order
   */
  public List<String> fields() {
    return fields;
  }

  /**
   * Parses a reply.
   *
   * @param reply the judge's reply
   * @return the field values in field order, or why they could not be read
   */
  public ReplyParse<List<Double>> parse(String reply) {
    requireNonNull(reply, "reply");
    ReplyParse<List<Double>> tooLong = ReplyParse.tooLong(reply);
    if (tooLong != null) {
      return tooLong;
    }
    int open = reply.indexOf('{');
    int close = reply.lastIndexOf('}');
    if (open < 0 || close <= open) {
      return ReplyParse.unparsable(reply.isBlank() ? "empty reply" : "no JSON object", reply);
    }
    JsonNode node;
    try {
      node = LENIENT.readTree(reply.substring(open, close + 1));
    } catch (JsonProcessingException e) {
      return ReplyParse.unparsable("malformed JSON: " + e.getOriginalMessage(), reply);
    }
    List<Double> values = new ArrayList<>();
    for (String field : fields) {
      JsonNode v = node.get(field);
      if (v == null || v.isNull()) {
        return ReplyParse.unparsable("missing field '" + field + "'", reply);
      }
      double d;
      if (v.isNumber()) {
        d = v.doubleValue();
      } else if (v.isTextual()) {
        try {
          d = Double.parseDouble(v.asText().trim());
        } catch (NumberFormatException e) {
          return ReplyParse.unparsable("field '" + field + "' is not a number: " + v, reply);
        }
      } else {
        return ReplyParse.unparsable("field '" + field + "' is not a number: " + v, reply);
      }
      if (d != Math.rint(d)) {
        return ReplyParse.unparsable("field '" + field + "' is not a whole number: " + d, reply);
      }
      if (!range.contains(d)) {
        return ReplyParse.unparsable("field '" + field + "' = " + d + " outside [" + range.min() + ", " + range.max() + "]", reply);
      }
      values.add(d);
    }
    return ReplyParse.parsed(List.copyOf(values));
  }
}
