package io.gptedit.eval.judge;

import static org.assertj.core.api.Assertions.assertThat;

import io.gptedit.core.testing.Property;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Well-formed replies wrapped in random noise parse back to the scores that generated them. */
class ParserPropertyTest {
  private static final String[] PROSE = {
    "", "Here is my assessment.", "Let me think step by step.\nThe edit mostly works.", "Evaluation:",
    "The requested change (sky -> sunset) is visible; minor halo artefacts.", "Ok.\n\n",
  };
  private static final String[] WRAP_OPEN = {"", "```json\n", "```\n", "Result: "};

  private record Case(List<Double> scores, String reply) {}

  private static String prose(SplittableRandom r) {
    return PROSE[r.nextInt(PROSE.length)];
  }

  private static String space(SplittableRandom r) {
    return switch (r.nextInt(4)) {
      case 0 -> "";
      case 1 -> " ";
      case 2 -> "\n  ";
      default -> "\t";
    };
  }

  private static Case scoreListReply(SplittableRandom r) {
    List<Double> scores = List.of((double) r.nextInt(11), (double) r.nextInt(11));
    String s = space(r);
    String list = "[" + s + scores.get(0).intValue() + "," + space(r) + scores.get(1).intValue() + s + "]";
    String reasoning = "\"reasoning\":" + s + "\"" + prose(r).replace("\n", " ").replace("\"", "'") + "\"";
    String json =
        r.nextBoolean()
            ? "{" + s + "\"score\":" + s + list + "," + space(r) + reasoning + s + "}"
            : "{" + s + reasoning + "," + space(r) + "\"score\": " + list + s + "}";
    int w = r.nextInt(WRAP_OPEN.length);
    String close = WRAP_OPEN[w].startsWith("```") ? "\n```" : "";
    return new Case(scores, prose(r) + "\n" + WRAP_OPEN[w] + json + close + "\n" + prose(r));
  }

  private static final List<String> NAMES = List.of("Prompt Compliance", "Visual Naturalness", "Physical & Detail Integrity");

  private static Case rubricReply(SplittableRandom r) {
    List<Double> scores = new ArrayList<>();
    StringBuilder sb = new StringBuilder(prose(r)).append('\n');
    for (String name : NAMES) {
      int v = 1 + r.nextInt(5);
      scores.add((double) v);
      String line =
          switch (r.nextInt(5)) {
            case 0 -> name + ": " + v;
            case 1 -> "**" + name + ":** " + v;
            case 2 -> "- **" + name + "**: " + v + "/5";
            case 3 -> "* " + name + " :" + space(r).replace("\n", "") + v + " - " + prose(r).replace("\n", " ");
            default -> "### " + name + ": " + v + " / 5";
          };
      sb.append(line).append('\n');
      if (r.nextInt(3) == 0) {
        sb.append(prose(r)).append('\n');
      }
    }
    return new Case(scores, sb.toString());
  }

  private static Case fieldsReply(SplittableRandom r) {
    int a = r.nextInt(11);
    int b = r.nextInt(11);
    String s = space(r);
    String json =
        r.nextBoolean()
            ? "{\"reasoning\":" + s + "\"" + prose(r).replace("\n", " ") + "\", \"instruction_following\": " + a
                + "," + s + "\"identity_preservation\": " + b + "}"
            : "{\"identity_preservation\":" + s + b + ".0, \"instruction_following\": \"" + a + "\"}";
    return new Case(List.of((double) a, (double) b), r.nextBoolean() ? json : prose(r) + "\n```json\n" + json + "\n```");
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void scoreListRepliesRoundTrip(long seed) {
    ScoreListParser parser = new ScoreListParser(2, ScoreRange.ZERO_TO_TEN);
    Property.forAll(seed, 500, ParserPropertyTest::scoreListReply, c -> assertThat(parser.parse(c.reply()).value()).isEqualTo(c.scores()));
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void rubricRepliesRoundTrip(long seed) {
    RubricReplyParser parser = new RubricReplyParser(NAMES, ScoreRange.ONE_TO_FIVE);
    Property.forAll(seed, 500, ParserPropertyTest::rubricReply, c -> assertThat(parser.parse(c.reply()).value()).isEqualTo(c.scores()));
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void structuredRepliesRoundTrip(long seed) {
    JsonFieldsParser parser =
        new JsonFieldsParser(List.of("instruction_following", "identity_preservation"), ScoreRange.ZERO_TO_TEN);
    Property.forAll(seed, 500, ParserPropertyTest::fieldsReply, c -> assertThat(parser.parse(c.reply()).value()).isEqualTo(c.scores()));
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void truncatedRepliesNeverParseToADifferentScore(long seed) {
    ScoreListParser parser = new ScoreListParser(2, ScoreRange.ZERO_TO_TEN);
    Property.forAll(
        seed,
        500,
        r -> {
          Case c = scoreListReply(r);
          int cut = c.reply().indexOf("\"score\"");
          return new Case(c.scores(), c.reply().substring(0, cut + r.nextInt(10)));
        },
        c -> {
          ReplyParse<List<Double>> p = parser.parse(c.reply());
          if (p.isParsed()) {
            assertThat(p.value()).isEqualTo(c.scores());
          }
        });
  }
}
