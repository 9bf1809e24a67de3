package io.gptedit.eval.judge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Complex-Edit structured replies. */
class JsonFieldsParserTest {
  private final JsonFieldsParser parser =
      new JsonFieldsParser(List.of("instruction_following", "identity_preservation"), ScoreRange.ZERO_TO_TEN);

  @Test
  void readsStructuredOutputFieldsInOrder() {
    String reply =
        "{\"reasoning\": \"All four edits are present; the face changed.\", \"identity_preservation\": 5,"
            + " \"instruction_following\": 9}";
    assertThat(parser.parse(reply).value()).containsExactly(9.0, 5.0);
  }

  @Test
  void toleratesProseFencesIntegralDecimalsAndNumericStrings() {
    String reply = "Sure:\n```json\n{\"instruction_following\": 7.0, \"identity_preservation\": \"8\"}\n```";
    assertThat(parser.parse(reply).value()).containsExactly(7.0, 8.0);
  }

  @Test
  void missingFractionalOrOutOfRangeFieldsAreTypedFailures() {
    assertThat(((ReplyParse.Unparsable<List<Double>>) parser.parse("{\"instruction_following\": 7}")).reason())
        .contains("identity_preservation");
    assertThat(
            ((ReplyParse.Unparsable<List<Double>>)
                    parser.parse("{\"instruction_following\": 7.5, \"identity_preservation\": 8}"))
                .reason())
        .contains("whole number");
    assertThat(parser.parse("{\"instruction_following\": 11, \"identity_preservation\": 8}"))
        .isInstanceOf(ReplyParse.Unparsable.class);
    assertThat(parser.parse("{\"instruction_following\": 7, ")).isInstanceOf(ReplyParse.Unparsable.class);
    assertThat(parser.parse("no json")).isInstanceOf(ReplyParse.Unparsable.class);
  }
}
