package io.gptedit.eval.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** GEdit and OmniContext score replies, well-formed and malformed. */
class ScoreListParserTest {
  private final ScoreListParser pair = new ScoreListParser(2, ScoreRange.ZERO_TO_TEN);
  private final ScoreListParser scalar = new ScoreListParser(1, ScoreRange.ZERO_TO_TEN);

  @Test
  void readsTheScoreListOfAFencedJsonReplyWithReasoning() {
    String reply =
        """
        Here is my evaluation.
        ```json
        {
          "reasoning": "The sky was changed to a sunset as asked; the boat is slightly
        blurred.",
          "score": [8, 6]
        }
        ```
        """;
    assertThat(pair.parse(reply).value()).containsExactly(8.0, 6.0);
  }

  @Test
  void scalarScoreBecomesAOneElementList() {
    assertThat(scalar.parse("{\"score\": 7, \"reasoning\": \"ok\"}").value()).containsExactly(7.0);
  }

  @Test
  void repliesTheOfficialScorerRejectsAreUnparsable() {
    // json.loads refuses single quotes and trailing commas; scores as strings crash the official arithmetic
    assertThat(scalar.parse("{'score': 9}")).isInstanceOf(ReplyParse.Unparsable.class);
    assertThat(pair.parse("{\"score\": [8, 6],}")).isInstanceOf(ReplyParse.Unparsable.class);
    assertThat(scalar.parse("{\"score\": \"9\"}")).isInstanceOf(ReplyParse.Unparsable.class);
    assertThat(scalar.parse("8.")).isInstanceOf(ReplyParse.Unparsable.class);
    assertThat(scalar.parse("11")).isInstanceOf(ReplyParse.Unparsable.class);
    assertThat(pair.parse("Scores: [3, 10, 2]")).isInstanceOf(ReplyParse.Unparsable.class);
  }

  @Test
  void geditParserAcceptsOneScoreThreeScoresAndScoresAboveTenLikeTheOfficialScorer() {
    ScoreListParser gedit = new ScoreListParser(0, ScoreRange.NON_NEGATIVE);
    assertThat(gedit.parse("{\"score\": 7, \"reasoning\": \"ok\"}").value()).containsExactly(7.0);
    assertThat(gedit.parse("{\"score\": [9, 4, 8]}").value()).containsExactly(9.0, 4.0, 8.0);
    assertThat(gedit.parse("{\"score\": [12, 8]}").value()).containsExactly(12.0, 8.0);
    assertThat(gedit.parse("{\"score\": [8, -1]}")).isInstanceOf(ReplyParse.Unparsable.class);
  }

  @Test
  void theVieScoreDelimitersWinOverBraces() {
    String reply = "note {not json} ||V^=^V|| {\"score\": [5, 4], \"reasoning\": \"x\"} ||V^=^V|| {bye}";
    assertThat(pair.parse(reply).value()).containsExactly(5.0, 4.0);
  }

  @Test
  void lineFeedsAreDeletedAsTheOfficialScorerDoes() {
    assertThat(pair.parse("{\"score\": [1\n0, 6]}").value()).containsExactly(10.0, 6.0);
  }

  @Test
  void fallsBackToABareListThenToABareNumber() {
    assertThat(pair.parse("Scores: [3, 10]").value()).containsExactly(3.0, 10.0);
    assertThat(scalar.parse("  7 \n").value()).containsExactly(7.0);
    assertThat(scalar.parse("10").value()).containsExactly(10.0);
  }

  @Test
  void malformedRepliesAreTypedFailuresNeverDefaultScores() {
    assertThat(pair.parse("")).isInstanceOf(ReplyParse.Unparsable.class);
    assertThat(pair.parse("I cannot evaluate this image.")).isInstanceOf(ReplyParse.Unparsable.class);
    ReplyParse<List<Double>> truncated = pair.parse("{\"reasoning\": \"The edit is good\", \"score\": [8,");
    assertThat(truncated).isInstanceOf(ReplyParse.Unparsable.class);
    ReplyParse<List<Double>> noScore = pair.parse("{\"reasoning\": \"fine\"}");
    assertThat(((ReplyParse.Unparsable<List<Double>>) noScore).reason()).contains("no 'score'");
    assertThatThrownBy(noScore::value).isInstanceOf(IllegalStateException.class).hasMessageContaining("no 'score'");
  }

  @Test
  void wrongLengthOrOutOfRangeScoresAreRejected() {
    assertThat(((ReplyParse.Unparsable<List<Double>>) pair.parse("{\"score\": [8]}")).reason())
        .contains("expected 2");
    assertThat(((ReplyParse.Unparsable<List<Double>>) pair.parse("{\"score\": [8, 11]}")).reason())
        .contains("outside");
    assertThat(pair.parse("{\"score\": [8, -1]}")).isInstanceOf(ReplyParse.Unparsable.class);
    assertThat(pair.parse("{\"score\": [8, \"high\"]}")).isInstanceOf(ReplyParse.Unparsable.class);
    assertThat(pair.parse("{\"score\": [8, 6, 7]}")).isInstanceOf(ReplyParse.Unparsable.class);
    assertThat(scalar.parse("{\"score\": NaN}")).isInstanceOf(ReplyParse.Unparsable.class);
  }

  @Test
  void anyLengthParserAcceptsEveryNonEmptyList() {
    ScoreListParser any = new ScoreListParser(0, ScoreRange.ZERO_TO_TEN);
    assertThat(any.parse("{\"score\": [1, 2, 3]}").value()).containsExactly(1.0, 2.0, 3.0);
    assertThat(any.parse("{\"score\": []}")).isInstanceOf(ReplyParse.Unparsable.class);
  }
}
