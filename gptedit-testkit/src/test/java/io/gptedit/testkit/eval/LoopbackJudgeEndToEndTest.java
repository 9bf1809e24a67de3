package io.gptedit.testkit.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gptedit.core.remote.ChatMessage;
import io.gptedit.core.remote.ChatRequest;
import io.gptedit.core.remote.ChatResponse;
import io.gptedit.core.remote.ChatService;
import io.gptedit.core.remote.Endpoint;
import io.gptedit.core.remote.OpenAiClient;
import io.gptedit.core.remote.RemoteException;
import io.gptedit.core.remote.RetryPolicy;
import io.gptedit.core.remote.Usage;
import io.gptedit.eval.Benchmark;
import io.gptedit.eval.bench.BenchmarkSet;
import io.gptedit.eval.bench.ComplexEditBench;
import io.gptedit.eval.bench.GEditBench;
import io.gptedit.eval.bench.ImgEditBench;
import io.gptedit.eval.bench.OmniContextBench;
import io.gptedit.eval.judge.JudgeConfig;
import io.gptedit.eval.report.Report;
import io.gptedit.eval.rewrite.PromptRewriter;
import io.gptedit.eval.run.BenchmarkRunner;
import io.gptedit.eval.run.Evaluation;
import io.gptedit.eval.run.ProgressEvent;
import io.gptedit.eval.score.BenchmarkResult;
import io.gptedit.eval.score.SampleFailure;
import io.gptedit.testkit.remote.FaultPlan;
import io.gptedit.testkit.remote.OpenAiStandInServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each benchmark end to end on a generated mini-benchmark: the demo editor, then the judge served by a real HTTP
 * server on loopback (OpenAiStandInServer) through the real client (OpenAiClient), with scripted replies that
 * include malformed and refused ones and HTTP faults; the resulting tables are checked against hand-computed
 * figures.
 */
class LoopbackJudgeEndToEndTest {
  @TempDir Path tmp;

  private static final Pattern COLOUR = Pattern.compile("(?:make the square|stands on a) (\\w+)");
  private static final RetryPolicy FAST = new RetryPolicy(4, Duration.ofMillis(2), Duration.ofMillis(10), 0.5);

  /** A chat delegate for the stand-in server: replies from a script keyed by the instruction's first colour. */
  private static final class Script implements ChatService {
    final Function<ChatRequest, Object> script;
    final List<ChatRequest> requests = new CopyOnWriteArrayList<>();

    Script(Function<ChatRequest, Object> script) {
      this.script = script;
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
  }

  private static String prompt(ChatRequest r) {
    StringBuilder sb = new StringBuilder();
    for (ChatMessage.Part p : r.messages().get(0).parts()) {
      if (p instanceof ChatMessage.Text t) {
        sb.append(t.text());
      }
    }
    return sb.toString();
  }

  private static String colour(ChatRequest r) {
    Matcher m = COLOUR.matcher(prompt(r));
    return m.find() ? m.group(1) : "";
  }

  private static int imageCount(ChatRequest r) {
    return (int) r.messages().get(0).parts().stream().filter(p -> p instanceof ChatMessage.Image).count();
  }

  private static OpenAiClient client(OpenAiStandInServer server) {
    return OpenAiClient.builder().optBaseUrl(server.baseUrl()).optApiKeyRequired(false).optRetryPolicy(FAST).build();
  }

  @Test
  void geditThroughLoopbackHttpGivesTheExpectedTableAndOfficialCsvs() throws Exception {
    BenchmarkSet set = GEditBench.load(MiniBenchmarks.writeGEdit(tmp.resolve("data"), 1), "en", false);
    Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    Script script =
        new Script(
            r -> {
              if (imageCount(r) == 1) {
                return "{\"score\": [9, 7], \"reasoning\": \"clean\"}"; // quality call
              }
              String c = colour(r);
              int n = calls.computeIfAbsent(c, k -> new AtomicInteger()).getAndIncrement();
              return switch (c) {
                case "purple" -> "The edit looks reasonable overall."; // never parsable: ps_human fails
                case "white" -> n == 0 ? "{\"score\": [4, " : "{\"score\": [4, 10]}"; // subject-add: retried
                default -> "Here you go:\n```json\n{\"reasoning\": \"ok\", \"score\": [8, 6]}\n```";
              };
            });
    try (OpenAiStandInServer server = OpenAiStandInServer.builder().optChatService(script).build();
        OpenAiClient client = client(server)) {
      server.faults().inject(Endpoint.CHAT_COMPLETIONS, 2, FaultPlan.Fault.serverError(503));
      JudgeConfig config = JudgeConfig.defaults(Benchmark.GEDIT).withCache(tmp.resolve("cache"));
      Evaluation e =
          BenchmarkRunner.builder()
              .setBenchmarkSet(set)
              .setOutputRoot(tmp.resolve("out"))
              .setChat(client)
              .optEditor(MiniBenchmarkDemo.demoEditor())
              .optJudgeConfig(config)
              .optJudgeConcurrency(3)
              .build()
              .run();
      // 10 samples x 2 calls, 3 attempts for the failing one, 1 retry for the malformed one, 2 injected 503s
      assertThat(server.requests(Endpoint.CHAT_COMPLETIONS)).isEqualTo(20 + 3 + 1 + 2);

      BenchmarkResult full = e.report().main();
      assertThat(full.subset()).isEqualTo("en/fullset");
      assertThat(full.missingCategories()).containsExactly("ps_human");
      assertThat(full.failures()).singleElement().satisfies(f -> {
        assertThat(f.category()).isEqualTo("ps_human");
        assertThat(f.stage()).isEqualTo(SampleFailure.Stage.JUDGE);
        assertThat(f.attempts()).isEqualTo(3);
      });
      assertThat(full.category("subject-add").metric("O")).isCloseTo(Math.sqrt(4 * 7), within(1e-12));
      assertThat(full.category("background_change").metric("SC")).isEqualTo(6.0);
      assertThat(full.overall("SC")).isCloseTo((9 * 6 + 4) / 10.0, within(1e-12));
      assertThat(full.overall("PQ")).isEqualTo(7.0);
      assertThat(full.overall("O")).isCloseTo((9 * Math.sqrt(42) + Math.sqrt(28)) / 10, within(1e-12));
      assertThat(e.report().results().get(1).subset()).isEqualTo("en/intersection");

      String md = Files.readString(e.files().get(0));
      assertThat(md).contains("judge: `gpt-4.1`").contains(e.report().promptHash())
          .contains("10 scored, 1 failed").contains("| GPT-Image-1 |").contains("| Ours " + Report.DAGGER + " |")
          .contains("**demo-recolour** (this run, en/fullset)").doesNotContain("demo-recolour " + Report.DAGGER);
      assertThat(e.files()).anySatisfy(p -> assertThat(p.getFileName().toString()).isEqualTo("demo-recolour_subject-add_gpt_score.csv"));
      Path csv = e.files().stream().filter(p -> p.toString().endsWith("demo-recolour_color_alter_gpt_score.csv")).findFirst().orElseThrow();
      assertThat(Files.readAllLines(csv).get(1)).endsWith(",6.0,7.0,True,en");

      // a re-run: outputs exist, replies are cached: no edit, no judge call
      int before = server.requests(Endpoint.CHAT_COMPLETIONS);
      Evaluation again =
          BenchmarkRunner.builder().setBenchmarkSet(set).setOutputRoot(tmp.resolve("out")).setChat(client)
              .optEditor(MiniBenchmarkDemo.demoEditor()).optJudgeConfig(config).build().run();
      assertThat(again.editing().orElseThrow().skipped()).isEqualTo(11);
      assertThat(server.requests(Endpoint.CHAT_COMPLETIONS) - before).isEqualTo(3); // only the failed sample again
      assertThat(again.report().main().overall("O")).isEqualTo(full.overall("O"));
    }
  }

  @Test
  void imgEditWithRewrittenInstructionsCarriesTheDaggerAndJudgesTheOriginals() throws Exception {
    Path json = MiniBenchmarks.writeImgEdit(tmp.resolve("data"), 1, true);
    BenchmarkSet set = ImgEditBench.load(json, json.resolveSibling("singleturn"));
    Map<String, String> rubric =
        Map.of(
            "red", "Instruction Match: 5\nVisual Quality: 4\nPreservation: 4",
            "green", "The edit works.\n**Instruction Match:** 3\n**Visual Quality:** 3/5\n- Preservation: 4",
            "blue", "Instruction Match: 5\nVisual Quality: 5\nPreservation: 5",
            "yellow", "### Scores\nInstruction Match: 2\nVisual Quality: 2\nPreservation: 3",
            "purple", "I can't evaluate this.",
            "orange", "Instruction Match: 4\nVisual Quality: 4\nPreservation: 4",
            "white", "Instruction Match: 1\nVisual Quality: 2\nPreservation: 2");
    List<String> judgedPrompts = new CopyOnWriteArrayList<>();
    Script script =
        new Script(
            r -> {
              String p = prompt(r);
              if (p.contains("making a short edit request explicit")) {
                return "{\"input\": \"a square\", \"edit\": \"" + colour(r) + " paint for the square, keep the rest\","
                    + " \"output\": \"a recoloured square\"}";
              }
              judgedPrompts.add(p);
              return rubric.get(colour(r));
            });
    try (OpenAiStandInServer server = OpenAiStandInServer.builder().optChatService(script).build();
        OpenAiClient client = client(server)) {
      PromptRewriter rewriter =
          new PromptRewriter(client, "gpt-4.1", PromptRewriter.DEFAULT_TEMPLATE, 2, Optional.of(tmp.resolve("cache")));
      Evaluation e =
          BenchmarkRunner.builder()
              .setBenchmarkSet(set)
              .setOutputRoot(tmp.resolve("out"))
              .setChat(client)
              .optEditor(MiniBenchmarkDemo.demoEditor())
              .optInstructions(rewriter)
              .optJudgeConfig(JudgeConfig.defaults(Benchmark.IMGEDIT).withMaxAttempts(2))
              .build()
              .run();
      BenchmarkResult r = e.report().main();
      assertThat(r.category("add").metric("Score")).isEqualTo(4.33);
      assertThat(r.category("adjust").metric("Score")).isEqualTo(3.33); // written "alter" in the file
      assertThat(r.category("style").metric("Score")).isEqualTo(1.67);
      assertThat(r.missingCategories()).containsExactly("remove");
      assertThat(r.failed()).isEqualTo(1);
      assertThat(r.overall("Score")).isCloseTo((4.33 + 3.33 + 5.0 + 2.33 + 4.0 + 1.67 + 4.33 + 3.33) / 8, within(1e-12));
      assertThat(e.report().rewritten()).isTrue();
      assertThat(e.editing().orElseThrow().rewritten()).isTrue();
      assertThat(judgedPrompts).isNotEmpty().noneMatch(p -> p.contains("keep the rest")); // judges see originals
      String md = e.report().markdown();
      assertThat(md).contains("demo-recolour " + Report.DAGGER).contains("instructions rewritten");
      assertThat(e.files().get(0).getFileName().toString()).isEqualTo("imgedit-demo-recolour-rewritten.md");
      assertThat(Files.readString(e.files().get(1))).contains("ours,demo-recolour,true,basic,overall,Score,");
      assertThat(Files.readString(e.files().get(2))).contains("\"rewritten\" : true").contains("\"failures\"");
    }
  }

  @Test
  void complexEditAveragesNRunsOverHttpAndCountsAFailedSample() {
    BenchmarkSet set = ComplexEditBench.load(MiniBenchmarks.writeComplexEdit(tmp.resolve("data"), 3), "real", 8);
    Map<String, AtomicInteger> ifIpCalls = new ConcurrentHashMap<>();
    Script script =
        new Script(
            r -> {
              String c = colour(r);
              boolean ifIp = r.jsonSchema().orElseThrow().contains("instruction_following");
              if (ifIp) {
                int n = ifIpCalls.computeIfAbsent(c, k -> new AtomicInteger()).getAndIncrement();
                return switch (c) {
                  case "green" -> List.of(fields(9, 6), fields(7, 8));
                  case "blue" -> n == 0 ? List.of("```\nnot json\n```", fields(8, 8)) : List.of(fields(6, 4));
                  default -> List.of(fields(5, 5), fields(5, 5));
                };
              }
              return switch (c) {
                case "green" -> List.of(pq(8), pq(6));
                case "blue" -> List.of(pq(9), pq(9));
                default -> Collections.nCopies(r.n(), "{\"perceptual_quality\": \"excellent\"}");
              };
            });
    try (OpenAiStandInServer server = OpenAiStandInServer.builder().optChatService(script).build();
        OpenAiClient client = client(server)) {
      Evaluation e =
          BenchmarkRunner.builder()
              .setBenchmarkSet(set)
              .setOutputRoot(tmp.resolve("out"))
              .setChat(client)
              .optEditor(MiniBenchmarkDemo.demoEditor())
              .optJudgeConfig(JudgeConfig.defaults(Benchmark.COMPLEX_EDIT).withSamplesPerImage(2))
              .build()
              .run();
      BenchmarkResult r = e.report().main();
      assertThat(r.subset()).isEqualTo("C8/real");
      assertThat(r.scored()).isEqualTo(2);
      assertThat(r.failed()).isEqualTo(1);
      assertThat(r.failures().get(0).reason()).contains("quality call").contains("not a number");
      assertThat(r.overall("IF")).isEqualTo(7.5);
      assertThat(r.overall("IP")).isEqualTo(6.5);
      assertThat(r.overall("PQ")).isEqualTo(8.0);
      assertThat(r.overall("Overall")).isCloseTo(22.0 / 3, within(1e-12));
      // the wire carried n, the temperature and the schema
      assertThat(script.requests).allSatisfy(q -> {
        assertThat(q.temperature()).hasValue(1.0);
        assertThat(q.model()).isEqualTo("gpt-4o-2024-11-20");
        assertThat(q.jsonSchema()).isPresent();
      });
      assertThat(script.requests).extracting(ChatRequest::n).contains(2, 1);
      assertThat(e.report().markdown()).contains("| Ours | 9.20 | 8.57 | 9.14 | 8.97 |");
    }
  }

  private static String fields(int ifs, int ip) {
    return "{\"reasoning\": \"checked each edit\", \"instruction_following\": " + ifs + ", \"identity_preservation\": " + ip + "}";
  }

  private static String pq(int v) {
    return "{\"reasoning\": \"sharp\", \"perceptual_quality\": " + v + "}";
  }

  @Test
  void omniContextSingleIsTheMeanOfTwoTaskTypesAndARefusedCallIsAFailure() {
    BenchmarkSet set = OmniContextBench.load(MiniBenchmarks.writeOmniContext(tmp.resolve("data"), 2));
    Map<String, int[]> pfSc = Map.of("red", new int[] {9, 4}, "green", new int[] {4, 1}, "blue", new int[] {8, 2});
    Script script =
        new Script(
            r -> {
              String c = colour(r);
              if (c.equals("yellow")) {
                return new RemoteException(RemoteException.Kind.BAD_REQUEST, 400, "invalid image", null);
              }
              boolean pf = prompt(r).contains("follow the prompt");
              return "{\"score\": " + pfSc.get(c)[pf ? 0 : 1] + ", \"reasoning\": \"r\"}";
            });
    List<ProgressEvent> events = new CopyOnWriteArrayList<>();
    try (OpenAiStandInServer server = OpenAiStandInServer.builder().optChatService(script).build();
        OpenAiClient client = client(server)) {
      Evaluation e =
          BenchmarkRunner.builder()
              .setBenchmarkSet(set)
              .setOutputRoot(tmp.resolve("out"))
              .setChat(client)
              .optEditor(MiniBenchmarkDemo.demoEditor())
              .optListener(events::add)
              .build()
              .run();
      assertThat(events).filteredOn(ev -> ev.phase() == ProgressEvent.Phase.EDIT).hasSize(4)
          .allMatch(ev -> ev.status() == ProgressEvent.Status.DONE);
      assertThat(events).filteredOn(ev -> ev.phase() == ProgressEvent.Phase.JUDGE).hasSize(4)
          .filteredOn(ev -> ev.status() == ProgressEvent.Status.FAILED).singleElement()
          .satisfies(ev -> assertThat(ev.key()).isEqualTo("single_object_1"));
      BenchmarkResult r = e.report().main();
      assertThat(r.category("single_character").metric("Overall")).isCloseTo(4.0, within(1e-12));
      assertThat(r.category("single_object").metric("Overall")).isCloseTo(4.0, within(1e-12));
      assertThat(r.category("single_object").failed()).isEqualTo(1);
      assertThat(r.overall("PF")).isCloseTo((6.5 + 8) / 2, within(1e-12));
      assertThat(r.overall("SC")).isCloseTo((2.5 + 2) / 2, within(1e-12));
      assertThat(r.failures().get(0).reason()).contains("BAD_REQUEST");
      assertThat(r.failures().get(0).attempts()).isEqualTo(1);
      assertThat(e.report().markdown()).contains("| **overall** | **7.25** | **2.25** | **4.00** | 3 | 1 |");
    }
  }

  @Test
  void theOfflineDemoRunsEveryBenchmarkAndReportsScriptedFailures() {
    for (Benchmark b : Benchmark.judged()) {
      Evaluation e = MiniBenchmarkDemo.runOffline(b, tmp.resolve(b.id()), ev -> {});
      BenchmarkResult r = e.report().main();
      assertThat(r.scored() + r.failed()).as(b.id()).isEqualTo(MiniBenchmarkDemo.writeAndLoad(b, tmp.resolve("again-" + b.id()), 2).samples().size());
      assertThat(r.scored()).as(b.id()).isPositive();
      assertThat(e.report().markdown()).as(b.id()).contains("demo-recolour").contains("prompt hash");
      assertThat(e.files()).allSatisfy(p -> assertThat(p).exists());
    }
  }
}
