package io.gptedit.eval.judge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** ImgEdit rubric replies, including the markdown forms the official script silently drops. */
class RubricReplyParserTest {
  private final RubricReplyParser parser =
      new RubricReplyParser(
          List.of("Prompt Compliance", "Visual Naturalness", "Physical & Detail Integrity"), ScoreRange.ONE_TO_FIVE);

  @Test
  void readsPlainNameColonDigitLines() {
    String reply =
        """
        Prompt Compliance: 4
        Visual Naturalness: 5
        Physical & Detail Integrity: 3
        """;
    assertThat(parser.parse(reply).value()).containsExactly(4.0, 5.0, 3.0);
  }

  @Test
  void readsMarkdownEmphasisBulletsAndOutOfFiveForms() {
    String reply =
        """
        ### Evaluation
        The cat was added on the sofa, but its shadow is missing.

        - **Prompt Compliance:** 4
        - *Visual Naturalness*: 3/5
        2. __Physical & Detail Integrity__: 2 / 5 (shadow missing)
        """;
    assertThat(parser.parse(reply).value()).containsExactly(4.0, 3.0, 2.0);
  }

  @Test
  void namesMatchCaseInsensitivelyInAnyOrderAndTheLastOccurrenceWins() {
    String reply =
        """
        visual naturalness: 2
        PROMPT COMPLIANCE: 5
        Physical & Detail Integrity: 4
        Final answer:
        Visual Naturalness: 3
        """;
    assertThat(parser.parse(reply).value()).containsExactly(5.0, 3.0, 4.0);
  }

  @Test
  void otherNamesAreTakenInOrderWhenTheirCountMatchesTheRubric() {
    String reply = "Style Fidelity: 4\nContent Preservation: 5\nRendering Quality: 3";
    assertThat(parser.parse(reply).value()).containsExactly(4.0, 5.0, 3.0);
  }

  @Test
  void missingOutOfRangeOrWrongScaleSubScoresAreTypedFailures() {
    ReplyParse<List<Double>> missing = parser.parse("Prompt Compliance: 4\nVisual Naturalness: 5");
    assertThat(((ReplyParse.Unparsable<List<Double>>) missing).reason()).contains("Physical & Detail Integrity");
    ReplyParse<List<Double>> high =
        parser.parse("Prompt Compliance: 6\nVisual Naturalness: 5\nPhysical & Detail Integrity: 3");
    assertThat(((ReplyParse.Unparsable<List<Double>>) high).reason()).contains("outside");
    ReplyParse<List<Double>> tenScale =
        parser.parse("Prompt Compliance: 8/10\nVisual Naturalness: 5\nPhysical & Detail Integrity: 3");
    assertThat(((ReplyParse.Unparsable<List<Double>>) tenScale).reason()).contains("out of 10");
    assertThat(parser.parse("I'm sorry, I can't help with that.")).isInstanceOf(ReplyParse.Unparsable.class);
    assertThat(parser.parse("")).isInstanceOf(ReplyParse.Unparsable.class);
  }
}
