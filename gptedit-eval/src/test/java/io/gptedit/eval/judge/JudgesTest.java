package io.gptedit.eval.judge;

import static org.assertj.core.api.Assertions.assertThat;

import io.gptedit.core.image.RgbImage;
import io.gptedit.core.remote.ChatMessage;
import io.gptedit.core.remote.ChatRequest;
import io.gptedit.core.remote.ChatResponse;
import io.gptedit.core.remote.ChatService;
import io.gptedit.core.remote.RemoteException;
import io.gptedit.core.remote.Usage;
import io.gptedit.eval.Benchmark;
import io.gptedit.eval.bench.BenchSample;
import io.gptedit.eval.score.ComplexEditSampleScore;
import io.gptedit.eval.score.GEditSampleScore;
import io.gptedit.eval.score.ImgEditSampleScore;
import io.gptedit.eval.score.OmniContextSampleScore;
import io.gptedit.eval.score.SampleFailure;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The judges follow each protocol, retry unparsable replies, record failures and cache what parsed. */
class JudgesTest {
  @TempDir Path tmp;

  /** A chat service that answers from a script and records every request. */
  static final class Scripted implements ChatService {
    final List<ChatRequest> requests = Collections.synchronizedList(new ArrayList<>());
    final Function<ChatRequest, Object> script;

    Scripted(Function<ChatRequest, Object> script) {
      this.script = script;
    }

    static Scripted queue(Object... replies) {
      Deque<Object> q = new ArrayDeque<>(List.of(replies));
      return new Scripted(r -> q.isEmpty() ? "{}" : q.poll());
    }

    @Override
    public ChatResponse complete(ChatRequest request) {
      requests.add(request);
      Object reply = script.apply(request);
      if (reply instanceof RemoteException e) {
        throw e;
      }
      @SuppressWarnings("unchecked")
      List<String> choices = reply instanceof List<?> l ? (List<String>) l : List.of((String) reply);
      return new ChatResponse(choices, Usage.NONE, request.model());
    }

    static String text(ChatRequest r) {
      return r.messages().get(0).parts().stream()
          .filter(p -> p instanceof ChatMessage.Text)
          .map(p -> ((ChatMessage.Text) p).text())
          .findFirst()
          .orElseThrow();
    }
  }

  private static final RgbImage SRC = RgbImage.filled(8, 6, 0x102030);
  private static final RgbImage OUT = RgbImage.filled(16, 12, 0xA0B0C0);
  private static final BenchSample GEDIT_SAMPLE =
      new BenchSample("k1", "color_alter", "make the car red", Path.of("in.png"), Set.of("en", "intersection"));

  @Test
  void geditSendsSourceAndResizedEditThenEditOnlyAndTakesMinimums() {
    Scripted chat = Scripted.queue("{\"score\": [9, 4], \"reasoning\": \"ok\"}", "```json\n{\"score\": [7, 8]}\n```");
    Judge<GEditSampleScore> judge = Judges.gedit(chat, JudgeConfig.defaults(Benchmark.GEDIT), PromptSet.ours(Benchmark.GEDIT));
    Judgement<GEditSampleScore> j = judge.judge(GEDIT_SAMPLE, SRC, OUT);
    GEditSampleScore s = ((Judgement.Scored<GEditSampleScore>) j).score();
    assertThat(s.sc()).isEqualTo(4.0);
    assertThat(s.pq()).isEqualTo(7.0);
    assertThat(s.intersection()).isTrue();
    assertThat(chat.requests).hasSize(2);
    ChatRequest sc = chat.requests.get(0);
    assertThat(sc.model()).isEqualTo("gpt-4.1");
    assertThat(sc.maxTokens()).hasValue(1400);
    List<ChatMessage.Part> parts = sc.messages().get(0).parts();
    assertThat(parts.get(0)).isInstanceOf(ChatMessage.Text.class);
    assertThat(((ChatMessage.Text) parts.get(0)).text()).contains("make the car red").doesNotContain("{{");
    assertThat(((ChatMessage.Image) parts.get(1)).image()).isEqualTo(SRC);
    ChatMessage.Image edited = (ChatMessage.Image) parts.get(2);
    assertThat(edited.asJpeg()).isTrue();
    assertThat(edited.image().width()).isEqualTo(8); // resized to the source's size
    assertThat(edited.image().height()).isEqualTo(6);
    assertThat(chat.requests.get(1).messages().get(0).parts()).hasSize(2);
  }

  @Test
  void unparsableReplyIsRetriedThenScored() {
    Scripted chat = Scripted.queue("I think it's decent.", "{\"score\": [9, 9]}", "{\"score\": [8, 8]}");
    Judgement<GEditSampleScore> j =
        Judges.gedit(chat, JudgeConfig.defaults(Benchmark.GEDIT), PromptSet.ours(Benchmark.GEDIT)).judge(GEDIT_SAMPLE, SRC, SRC);
    assertThat(j).isInstanceOf(Judgement.Scored.class);
    assertThat(chat.requests).hasSize(3);
  }

  @Test
  void alwaysUnparsableBecomesACountedFailureAfterTheAttemptLimit() {
    Scripted chat = new Scripted(r -> "Sorry, I can't rate images.");
    JudgeConfig config = JudgeConfig.defaults(Benchmark.GEDIT).withMaxAttempts(4);
    Judgement<GEditSampleScore> j = Judges.gedit(chat, config, PromptSet.ours(Benchmark.GEDIT)).judge(GEDIT_SAMPLE, SRC, SRC);
    SampleFailure f = ((Judgement.Failed<GEditSampleScore>) j).failure();
    assertThat(f.stage()).isEqualTo(SampleFailure.Stage.JUDGE);
    assertThat(f.attempts()).isEqualTo(4);
    assertThat(f.reason()).contains("semantic call").contains("unparsable");
    assertThat(f.tags()).contains("en", "intersection");
    assertThat(chat.requests).hasSize(4);
  }

  @Test
  void nonRetryableRemoteErrorFailsAtOnceAndRetryableOnesAreRetried() {
    Scripted refused =
        new Scripted(r -> new RemoteException(RemoteException.Kind.CONTENT_POLICY, 400, "content policy", null));
    Judgement<GEditSampleScore> j =
        Judges.gedit(refused, JudgeConfig.defaults(Benchmark.GEDIT), PromptSet.ours(Benchmark.GEDIT)).judge(GEDIT_SAMPLE, SRC, SRC);
    assertThat(((Judgement.Failed<GEditSampleScore>) j).failure().reason()).contains("CONTENT_POLICY");
    assertThat(refused.requests).hasSize(1);

    Scripted flaky =
        Scripted.queue(
            new RemoteException(RemoteException.Kind.SERVER_ERROR, 503, "unavailable", null),
            "{\"score\": [5, 5]}",
            "{\"score\": [6, 6]}");
    assertThat(Judges.gedit(flaky, JudgeConfig.defaults(Benchmark.GEDIT), PromptSet.ours(Benchmark.GEDIT)).judge(GEDIT_SAMPLE, SRC, SRC))
        .isInstanceOf(Judgement.Scored.class);
  }

  @Test
  void imgEditUsesTheFamilyRubricOnTextOriginalEdited() {
    Scripted chat = Scripted.queue("Looks right.\n**Instruction Match:** 5\nVisual Quality: 4/5\nPreservation: 4");
    BenchSample s = new BenchSample("12", "remove", "remove the cup", Path.of("x.jpg"), Set.of());
    Judgement<ImgEditSampleScore> j =
        Judges.imgEdit(chat, JudgeConfig.defaults(Benchmark.IMGEDIT), PromptSet.ours(Benchmark.IMGEDIT)).judge(s, SRC, OUT);
    assertThat(((Judgement.Scored<ImgEditSampleScore>) j).score().score()).isEqualTo(4.33);
    String prompt = Scripted.text(chat.requests.get(0));
    assertThat(prompt).contains("remove the cup").contains("disappeared");
    assertThat(chat.requests.get(0).messages().get(0).parts()).hasSize(3);
  }

  @Test
  void complexEditAsksForNRunsAndReRequestsOnlyTheMissingOnes() {
    JudgeConfig config = JudgeConfig.defaults(Benchmark.COMPLEX_EDIT).withSamplesPerImage(3);
    Scripted chat =
        new Scripted(
            r -> {
              boolean ifIp = r.jsonSchema().orElseThrow().contains("instruction_following");
              if (ifIp && r.n() == 3) {
                return List.of(
                    "{\"reasoning\":\"a\",\"instruction_following\":9,\"identity_preservation\":6}",
                    "not json",
                    "{\"reasoning\":\"b\",\"instruction_following\":7,\"identity_preservation\":8}");
              }
              if (ifIp) {
                return List.of("{\"reasoning\":\"c\",\"instruction_following\":8,\"identity_preservation\":7}");
              }
              List<String> out = new ArrayList<>();
              for (int i = 0; i < r.n(); i++) {
                out.add("{\"reasoning\":\"q\",\"perceptual_quality\":" + (6 + i) + "}");
              }
              return out;
            });
    BenchSample s = new BenchSample("00000", "C8", "do eight things", Path.of("x.png"), Set.of());
    Judgement<ComplexEditSampleScore> j =
        Judges.complexEdit(chat, config, PromptSet.ours(Benchmark.COMPLEX_EDIT)).judge(s, SRC, OUT);
    ComplexEditSampleScore score = ((Judgement.Scored<ComplexEditSampleScore>) j).score();
    assertThat(score.instructionFollowing()).containsExactly(9.0, 7.0, 8.0);
    assertThat(score.identityPreservation()).containsExactly(6.0, 8.0, 7.0);
    assertThat(score.perceptualQuality()).containsExactly(6.0, 7.0, 8.0);
    assertThat(chat.requests).extracting(ChatRequest::n).containsExactly(3, 1, 3);
    assertThat(chat.requests.get(0).temperature()).hasValue(1.0);
    assertThat(chat.requests.get(0).model()).isEqualTo("gpt-4o-2024-11-20");
    // images first, instruction last
    List<ChatMessage.Part> parts = chat.requests.get(0).messages().get(0).parts();
    assertThat(parts.get(2)).isInstanceOf(ChatMessage.Text.class);
  }

  @Test
  void omniContextReadsTwoScalarScores() {
    Scripted chat = Scripted.queue("{\"score\": 9, \"reasoning\": \"x\"}", "{\"score\": 4}");
    BenchSample s = new BenchSample("c0", "single_character", "on a beach", Path.of("x.png"), Set.of());
    OmniContextSampleScore score =
        ((Judgement.Scored<OmniContextSampleScore>)
                Judges.omniContext(chat, JudgeConfig.defaults(Benchmark.OMNICONTEXT), PromptSet.ours(Benchmark.OMNICONTEXT))
                    .judge(s, SRC, OUT))
            .score();
    assertThat(score.overall()).isEqualTo(6.0);
  }

  @Test
  void aReRunWithTheSameCacheCostsNoCallsAndAnotherPromptOrModelMisses() {
    JudgeConfig config = JudgeConfig.defaults(Benchmark.GEDIT).withCache(tmp.resolve("cache"));
    Scripted first = new Scripted(r -> "{\"score\": [7, 5]}");
    Judges.gedit(first, config, PromptSet.ours(Benchmark.GEDIT)).judge(GEDIT_SAMPLE, SRC, OUT);
    assertThat(first.requests).hasSize(2);

    Scripted second = new Scripted(r -> "{\"score\": [1, 1]}");
    Judgement<GEditSampleScore> again = Judges.gedit(second, config, PromptSet.ours(Benchmark.GEDIT)).judge(GEDIT_SAMPLE, SRC, OUT);
    assertThat(second.requests).isEmpty();
    assertThat(((Judgement.Scored<GEditSampleScore>) again).score().sc()).isEqualTo(5.0);

    Judges.gedit(second, config.withModel("gpt-4o"), PromptSet.ours(Benchmark.GEDIT)).judge(GEDIT_SAMPLE, SRC, OUT);
    assertThat(second.requests).hasSize(2);
    Judges.gedit(second, config, PromptSet.ours(Benchmark.GEDIT)).judge(GEDIT_SAMPLE, SRC, RgbImage.filled(16, 12, 0));
    assertThat(second.requests).hasSize(4); // a different edited image is a different entry
  }

  @Test
  void failuresAreNotCached() {
    JudgeConfig config = JudgeConfig.defaults(Benchmark.GEDIT).withCache(tmp.resolve("cache")).withMaxAttempts(1);
    Scripted bad = new Scripted(r -> "nope");
    assertThat(Judges.gedit(bad, config, PromptSet.ours(Benchmark.GEDIT)).judge(GEDIT_SAMPLE, SRC, OUT))
        .isInstanceOf(Judgement.Failed.class);
    Scripted good = new Scripted(r -> "{\"score\": [3, 4]}");
    assertThat(Judges.gedit(good, config, PromptSet.ours(Benchmark.GEDIT)).judge(GEDIT_SAMPLE, SRC, OUT))
        .isInstanceOf(Judgement.Scored.class);
    assertThat(good.requests).hasSize(2);
  }
}
