package io.gptedit.eval.judge;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.gptedit.core.GpteditException;
import io.gptedit.core.testing.Fuzz;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fuzzing the judge reply parsers: every mutant of real-looking replies ends in {@link ReplyParse.Parsed} or
 * {@link ReplyParse.Unparsable}, never an exception or an {@link Error}, within {@link #MAX_ALLOCATED} bytes.
 */
class JudgeReplyFuzzTest {
  static final long MAX_ALLOCATED = 16L << 20;

  private static final List<byte[]> SEEDS = List.of(
      utf8("{\"score\": [8, 7], \"reasoning\": \"the red circle is now blue\"}"),
      utf8("```json\n{'score': '6',}\n```"),
      utf8("Scores: [3, 9]"),
      utf8("7."),
      utf8("Prompt Compliance: 4/5\nVisual Naturalness: 5\n**Physical & Detail Integrity**: 3 / 5\nOverall: 4"),
      utf8("1. Semantic Consistency: 8\n2. Perceptual Quality: 9\n"),
      utf8("{\"instruction_following\": 0.8, \"identity_preservation\": \"0.9\", \"notes\": [1, {\"a\": null}]}"));

  private static final ScoreListParser SCORES = new ScoreListParser(2, ScoreRange.ZERO_TO_TEN);
  private static final ScoreListParser ANY = new ScoreListParser(0, ScoreRange.ZERO_TO_TEN);
  private static final RubricReplyParser RUBRIC = new RubricReplyParser(
      List.of("Prompt Compliance", "Visual Naturalness", "Physical & Detail Integrity"), ScoreRange.ONE_TO_FIVE);
  private static final JsonFieldsParser FIELDS = new JsonFieldsParser(
      List.of("instruction_following", "identity_preservation"), new ScoreRange(0, 1));

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static void parseAll(byte[] b) {
    String reply = new String(b, StandardCharsets.UTF_8);
    for (ReplyParse<List<Double>> p : List.of(SCORES.parse(reply), ANY.parse(reply), RUBRIC.parse(reply), FIELDS.parse(reply))) {
      if (p instanceof ReplyParse.Parsed<List<Double>> parsed) {
        assertThat(parsed.value()).isNotEmpty();
      }
    }
  }

  @Test
  void mutatedJudgeRepliesParseOrAreUnparsableNeverAnException() {
    Fuzz.mutants(51, 6000, SEEDS, GpteditException.class, MAX_ALLOCATED, JudgeReplyFuzzTest::parseAll);
  }

  @Test
  void replyLineOfSixtyThousandSpacesIsUnparsableWithoutQuadraticMatching() {
    String line = "Prompt" + " ".repeat(60_000) + "x";
    long started = System.nanoTime();
    assertThat(RUBRIC.parse(line)).isInstanceOf(ReplyParse.Unparsable.class);
    assertThat(System.nanoTime() - started).isLessThan(500_000_000L);
    String huge = "{\"score\": [1, 2]}" + " ".repeat(ReplyParse.MAX_REPLY_CHARS);
    assertThat(SCORES.parse(huge)).isInstanceOfSatisfying(ReplyParse.Unparsable.class,
        u -> assertThat(u.reason()).contains("over the limit of " + ReplyParse.MAX_REPLY_CHARS));
  }

  @FuzzTest(maxDuration = "2m")
  void judgeReply(byte[] data) {
    Fuzz.check(data, GpteditException.class, Fuzz.boundOutsideFuzzingMode(MAX_ALLOCATED), JudgeReplyFuzzTest::parseAll, "jazzer input");
  }
}
