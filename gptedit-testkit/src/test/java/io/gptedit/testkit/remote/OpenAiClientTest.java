package io.gptedit.testkit.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.remote.CallRecord;
import io.gptedit.core.remote.ChatMessage;
import io.gptedit.core.remote.ChatRequest;
import io.gptedit.core.remote.ChatResponse;
import io.gptedit.core.remote.Endpoint;
import io.gptedit.core.remote.GeneratedImage;
import io.gptedit.core.remote.ImageEditRequest;
import io.gptedit.core.remote.ImageEditService;
import io.gptedit.core.remote.ImageGenerationRequest;
import io.gptedit.core.remote.OpenAiClient;
import io.gptedit.core.remote.PriceTable;
import io.gptedit.core.remote.RemoteException;
import io.gptedit.core.remote.RetryPolicy;
import io.gptedit.core.remote.Usage;
import io.gptedit.core.remote.UsageMeter;
import io.gptedit.core.testing.FakeClock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The client against the stand-in server on loopback: wire format, retries, limits and accounting. */
class OpenAiClientTest {
  private static final String KEY = "sk-test-9f8e7d6c5b4a-SECRET";
  private static final Size OUT = Size.of(48, 32);

  private final FakeServices services = new FakeServices();
  private final FakeClock clock = new FakeClock();
  private OpenAiStandInServer server;

  @BeforeEach
  void start() {
    server =
        OpenAiStandInServer.builder()
            .optEditService(services)
            .optGenerationService(services)
            .optChatService(services)
            .optRequireBearerToken(KEY)
            .build();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private OpenAiClient.Builder client() {
    return OpenAiClient.builder()
        .optBaseUrl(server.baseUrl())
        .optEnvironment(Map.of("OPENAI_API_KEY", KEY)::get)
        .optClock(clock)
        .optRandom(new Random(7))
        .optRequestTimeout(Duration.ofSeconds(10))
        .optRetryPolicy(new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(20), 0.5));
  }

  private static ImageEditRequest editRequest() {
    return new ImageEditRequest(
        FakeServices.gradient(40, 30, 3),
        "make the \"sky\" purple;\r\nthen add a café sign — ünïcödé",
        OUT,
        Map.of("quality", "high", "input_fidelity", "low"));
  }

  @Test
  void editUploadsMultipartIntactAndReturnsTheDelegatesImage() {
    try (OpenAiClient c = client().build()) {
      ImageEditRequest request = editRequest();
      GeneratedImage out = c.edit(request);

      assertThat(services.edits).hasSize(1);
      ImageEditRequest received = services.edits.get(0);
      assertThat(received.image()).isEqualTo(request.image());
      assertThat(received.prompt()).isEqualTo(request.prompt());
      assertThat(received.size()).isEqualTo(OUT);
      assertThat(received.extra()).isEqualTo(request.extra());

      assertThat(out.image()).isEqualTo(services.produced.get(0).image());
      assertThat(out.usage()).isEqualTo(FakeServices.EDIT_USAGE);
      assertThat(out.model()).isEqualTo("fake-edit");
      assertThat(server.requests(Endpoint.IMAGE_EDITS)).isEqualTo(1);
    }
  }

  @Test
  void fullSizeNoisyImagesRoundTripAtTheLandscapePreset() {
    // Incompressible pixels make multi-megabyte PNG uploads and base64 replies, as real renders do.
    java.util.SplittableRandom r = new java.util.SplittableRandom(5);
    byte[] noise = new byte[1536 * 1024 * 3];
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (byte) r.nextInt(256);
    }
    RgbImage input = RgbImage.of(1536, 1024, noise);
    try (OpenAiClient c = client().build()) {
      GeneratedImage out = c.edit(ImageEditRequest.of(input, "sharpen", Size.of(1536, 1024)));
      assertThat(services.edits.get(0).image()).isEqualTo(input);
      assertThat(out.image()).isEqualTo(services.produced.get(0).image());
    }
  }

  @Test
  void generationSendsJsonFieldsAndReturnsTheDelegatesImage() {
    try (OpenAiClient c = client().optGenerationModel("my-image-model").build()) {
      GeneratedImage out =
          c.generate(new ImageGenerationRequest("a red cube on a table", OUT, Map.of("quality", "low", "n", "1")));
      assertThat(services.generations).hasSize(1);
      ImageGenerationRequest received = services.generations.get(0);
      assertThat(received.prompt()).isEqualTo("a red cube on a table");
      assertThat(received.size()).isEqualTo(OUT);
      assertThat(received.extra()).containsEntry("quality", "low").containsEntry("n", "1").hasSize(2);
      assertThat(out.image()).isEqualTo(services.produced.get(0).image());
      assertThat(out.usage()).isEqualTo(FakeServices.GENERATION_USAGE);
    }
  }

  @Test
  void chatSendsTextAndInlineImagesAndReturnsEveryChoice() throws Exception {
    RgbImage png = FakeServices.gradient(20, 10, 1);
    RgbImage jpeg = RgbImage.filled(16, 16, 0x3366CC);
    String schema = "{\"type\":\"object\",\"properties\":{\"score\":{\"type\":\"integer\"}},"
        + "\"required\":[\"score\"],\"additionalProperties\":false}";
    ChatRequest request =
        new ChatRequest(
            "gpt-4.1",
            List.of(
                ChatMessage.text(ChatMessage.Role.SYSTEM, "You are a strict judge."),
                new ChatMessage(
                    ChatMessage.Role.USER,
                    List.of(
                        new ChatMessage.Text("rate this edit"),
                        new ChatMessage.Image(png, false),
                        new ChatMessage.Image(jpeg, true)))),
            OptionalDouble.of(0.25),
            OptionalInt.of(300),
            3,
            Optional.of(schema));
    try (OpenAiClient c = client().build()) {
      ChatResponse out = c.complete(request);
      assertThat(out.choices())
          .containsExactly("choice 0: tide siht etar", "choice 1: tide siht etar", "choice 2: tide siht etar");
      assertThat(out.usage()).isEqualTo(FakeServices.CHAT_USAGE);
      assertThat(out.model()).isEqualTo("fake-chat");

      ChatRequest received = services.chats.get(0);
      assertThat(received.model()).isEqualTo("gpt-4.1");
      assertThat(received.n()).isEqualTo(3);
      assertThat(received.temperature()).isEqualTo(OptionalDouble.of(0.25));
      assertThat(received.maxTokens()).isEqualTo(OptionalInt.of(300));
      ObjectMapper m = new ObjectMapper();
      assertThat(m.readTree(received.jsonSchema().orElseThrow())).isEqualTo(m.readTree(schema));
      assertThat(received.messages().get(0)).isEqualTo(request.messages().get(0));
      List<ChatMessage.Part> parts = received.messages().get(1).parts();
      assertThat(parts.get(0)).isEqualTo(new ChatMessage.Text("rate this edit"));
      assertThat(parts.get(1)).isEqualTo(new ChatMessage.Image(png, false));
      ChatMessage.Image sentJpeg = (ChatMessage.Image) parts.get(2);
      assertThat(sentJpeg.asJpeg()).isTrue();
      assertThat(sentJpeg.image().width()).isEqualTo(16);
      int rgb = sentJpeg.image().rgb(8, 8);
      assertThat(Math.abs((rgb >> 16 & 0xFF) - 0x33)).isLessThan(8);
      assertThat(Math.abs((rgb & 0xFF) - 0xCC)).isLessThan(8);
    }
  }

  static Stream<Arguments> retryableFaults() {
    return Stream.of(
        Arguments.of(FaultPlan.Fault.rateLimited(null), RemoteException.Kind.RATE_LIMITED),
        Arguments.of(FaultPlan.Fault.serverError(500), RemoteException.Kind.SERVER_ERROR),
        Arguments.of(FaultPlan.Fault.serverError(503), RemoteException.Kind.SERVER_ERROR),
        Arguments.of(FaultPlan.Fault.malformedJson(), RemoteException.Kind.MALFORMED_RESPONSE),
        Arguments.of(FaultPlan.Fault.truncatedBase64(), RemoteException.Kind.MALFORMED_RESPONSE),
        Arguments.of(FaultPlan.Fault.nonImagePayload(), RemoteException.Kind.MALFORMED_RESPONSE),
        Arguments.of(FaultPlan.Fault.delay(Duration.ofMillis(1500)), RemoteException.Kind.TIMEOUT));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("retryableFaults")
  void retryableFaultIsRetriedThenSucceeds(FaultPlan.Fault fault, RemoteException.Kind kind) {
    server.faults().inject(Endpoint.IMAGE_EDITS, 2, fault);
    // Only the delay fault needs a short timeout; the final, served attempt gets ample time even on a busy CI box.
    Duration timeout = fault.type() == FaultPlan.Fault.Type.DELAY ? Duration.ofMillis(500) : Duration.ofSeconds(10);
    try (OpenAiClient c = client().optRequestTimeout(timeout).build()) {
      GeneratedImage out = c.edit(editRequest());
      assertThat(out.image()).isEqualTo(services.produced.get(services.produced.size() - 1).image());
      assertThat(server.requests(Endpoint.IMAGE_EDITS)).isEqualTo(3);
      assertThat(c.usage().retries()).isEqualTo(2);
      assertThat(c.usage().failures()).isZero();
      assertThat(c.usage().successes()).isEqualTo(1);
      assertThat(clock.sleeps()).hasSize(2);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("retryableFaults")
  void retryableFaultThrowsItsKindAfterTheLastAttempt(FaultPlan.Fault fault, RemoteException.Kind kind) {
    server.faults().inject(Endpoint.IMAGE_EDITS, 5, fault);
    Duration timeout = fault.type() == FaultPlan.Fault.Type.DELAY ? Duration.ofMillis(200) : Duration.ofSeconds(10);
    try (OpenAiClient c = client().optRequestTimeout(timeout).build()) {
      assertThatThrownBy(() -> c.edit(editRequest()))
          .isInstanceOfSatisfying(
              RemoteException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(kind);
                assertThat(e.getMessage()).contains("/images/edits");
              });
      assertThat(server.requests(Endpoint.IMAGE_EDITS)).isEqualTo(3);
      assertThat(c.usage().retries()).isEqualTo(2);
      assertThat(c.usage().failures(kind)).isEqualTo(1);
      assertThat(c.usage().failures()).isEqualTo(1);
    }
  }

  static Stream<Arguments> fatalFaults() {
    return Stream.of(
        Arguments.of(FaultPlan.Fault.badRequest(), RemoteException.Kind.BAD_REQUEST, 400),
        Arguments.of(FaultPlan.Fault.error(404, null), RemoteException.Kind.BAD_REQUEST, 404),
        Arguments.of(FaultPlan.Fault.contentPolicy(), RemoteException.Kind.CONTENT_POLICY, 400),
        Arguments.of(FaultPlan.Fault.error(400, "moderation_blocked"), RemoteException.Kind.CONTENT_POLICY, 400),
        Arguments.of(FaultPlan.Fault.error(403, null), RemoteException.Kind.UNAUTHORIZED, 403),
        Arguments.of(FaultPlan.Fault.error(429, "insufficient_quota"), RemoteException.Kind.UNAUTHORIZED, 429));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fatalFaults")
  void nonRetryableFaultThrowsAtOnce(FaultPlan.Fault fault, RemoteException.Kind kind, int status) {
    server.faults().inject(Endpoint.IMAGE_GENERATIONS, 1, fault);
    try (OpenAiClient c = client().build()) {
      assertThatThrownBy(() -> c.generate(ImageGenerationRequest.of("a cat", OUT)))
          .isInstanceOfSatisfying(
              RemoteException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(kind);
                assertThat(e.status()).isEqualTo(status);
                assertThat(e.retryable()).isFalse();
                assertThat(e.getMessage()).contains("/images/generations").contains("HTTP " + status);
              });
      assertThat(server.requests(Endpoint.IMAGE_GENERATIONS)).isEqualTo(1);
      assertThat(clock.sleeps()).isEmpty();
      assertThat(c.usage().failures(kind)).isEqualTo(1);
    }
  }

  @Test
  void wrongKeyIsUnauthorizedWithoutRetry() {
    try (OpenAiClient c =
        client().optEnvironment(Map.of("OPENAI_API_KEY", "sk-wrong-key-123")::get).build()) {
      assertThatThrownBy(() -> c.edit(editRequest()))
          .isInstanceOfSatisfying(
              RemoteException.class, e -> assertThat(e.kind()).isEqualTo(RemoteException.Kind.UNAUTHORIZED));
      assertThat(server.requests(Endpoint.IMAGE_EDITS)).isEqualTo(1);
    }
  }

  @Test
  void delegateRefusalBecomesContentPolicy() {
    ImageEditService refusing =
        r -> {
          throw new RemoteException(RemoteException.Kind.CONTENT_POLICY, 0, "refused by the synthetic world", null);
        };
    try (OpenAiStandInServer s = OpenAiStandInServer.builder().optEditService(refusing).build();
        OpenAiClient c = client().optBaseUrl(s.baseUrl()).build()) {
      assertThatThrownBy(() -> c.edit(editRequest()))
          .isInstanceOfSatisfying(
              RemoteException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(RemoteException.Kind.CONTENT_POLICY);
                assertThat(e.getMessage()).contains("refused by the synthetic world");
              });
      assertThat(s.requests(Endpoint.IMAGE_EDITS)).isEqualTo(1);
    }
  }

  @Test
  void chatRefusalAndMalformedChatRepliesAreTyped() {
    server.faults().inject(Endpoint.CHAT_COMPLETIONS, 1, FaultPlan.Fault.truncatedBase64());
    try (OpenAiClient c = client().optRetryPolicy(RetryPolicy.NONE).build()) {
      ChatRequest r = ChatRequest.of("gpt-4.1", List.of(ChatMessage.text(ChatMessage.Role.USER, "hi")));
      assertThatThrownBy(() -> c.complete(r))
          .isInstanceOfSatisfying(
              RemoteException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(RemoteException.Kind.MALFORMED_RESPONSE);
                assertThat(e.getMessage()).contains("/chat/completions").contains("no choices");
              });
      assertThat(c.complete(r).text()).isEqualTo("choice 0: ih");
    }
  }

  @Test
  void retryAfterSecondsIsHonouredExactly() {
    server.faults().inject(Endpoint.IMAGE_EDITS, 2, FaultPlan.Fault.rateLimited("7"));
    try (OpenAiClient c = client().build()) {
      c.edit(editRequest());
    }
    assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(7), Duration.ofSeconds(7));
  }

  @Test
  void retryAfterHttpDateIsHonouredRelativeToTheClock() {
    String date =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(FakeClock.START.plusSeconds(4).atOffset(ZoneOffset.UTC));
    server.faults().inject(Endpoint.IMAGE_EDITS, 1, FaultPlan.Fault.rateLimited(date));
    try (OpenAiClient c = client().build()) {
      c.edit(editRequest());
    }
    assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(4));
  }

  @Test
  void retryAfterIsCappedAtMaxDelay() {
    server.faults().inject(Endpoint.IMAGE_EDITS, 1, FaultPlan.Fault.rateLimited("3600"));
    try (OpenAiClient c = client().build()) {
      c.edit(editRequest());
    }
    assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(20));
  }

  @Test
  void backoffDoublesWithSeededJitter() {
    server.faults().inject(Endpoint.IMAGE_EDITS, 4, FaultPlan.Fault.serverError(502));
    RetryPolicy policy = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofMillis(500), 0.5);
    try (OpenAiClient c = client().optRetryPolicy(policy).optRandom(new Random(42)).build()) {
      c.edit(editRequest());
    }
    Random expected = new Random(42);
    List<Duration> want = new ArrayList<>();
    long[] base = {100, 200, 400, 500};
    for (long b : base) {
      want.add(Duration.ofNanos((long) (b * 1_000_000 * (1 - 0.5 * expected.nextDouble()))));
    }
    assertThat(clock.sleeps()).containsExactlyElementsOf(want);
  }

  @Test
  void timeoutIsReportedAsTimeoutAfterRetries() {
    server.faults().inject(Endpoint.CHAT_COMPLETIONS, 3, FaultPlan.Fault.delay(Duration.ofSeconds(5)));
    long t0 = System.nanoTime();
    try (OpenAiClient c = client().optRequestTimeout(Duration.ofMillis(200)).build()) {
      ChatRequest r = ChatRequest.of("gpt-4.1", List.of(ChatMessage.text(ChatMessage.Role.USER, "slow")));
      assertThatThrownBy(() -> c.complete(r))
          .isInstanceOfSatisfying(
              RemoteException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(RemoteException.Kind.TIMEOUT);
                assertThat(e.status()).isZero();
                assertThat(e.getMessage()).contains("/chat/completions").contains("200 ms");
              });
      assertThat(c.usage().failures(RemoteException.Kind.TIMEOUT)).isEqualTo(1);
    }
    assertThat(server.requests(Endpoint.CHAT_COMPLETIONS)).isEqualTo(3);
    // The client gave up on each attempt instead of waiting for the server's 5 s replies.
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(4));
  }

  @Test
  void refusedConnectionIsRetriedAsTimeout() {
    server.close();
    try (OpenAiClient c = client().build()) {
      assertThatThrownBy(() -> c.generate(ImageGenerationRequest.of("x", OUT)))
          .isInstanceOfSatisfying(
              RemoteException.class, e -> assertThat(e.kind()).isEqualTo(RemoteException.Kind.TIMEOUT));
      assertThat(c.usage().retries()).isEqualTo(2);
    }
  }

  @Test
  void concurrencyLimitBoundsRequestsInFlight() throws Exception {
    server.faults().latency(Duration.ofMillis(100));
    assertThat(maxInFlightWith(3)).isLessThanOrEqualTo(3).isGreaterThanOrEqualTo(2);
    try (OpenAiStandInServer wide = OpenAiStandInServer.builder().optGenerationService(services).build()) {
      wide.faults().latency(Duration.ofMillis(250));
      server.close();
      server = wide;
      assertThat(maxInFlightWith(12)).isGreaterThan(3);
    }
  }

  private int maxInFlightWith(int maxConcurrency) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(12);
    try (OpenAiClient c = client().optMaxConcurrency(maxConcurrency).build()) {
      List<Callable<GeneratedImage>> calls = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        String prompt = "image " + i;
        calls.add(() -> c.generate(ImageGenerationRequest.of(prompt, Size.of(8, 8))));
      }
      for (Future<GeneratedImage> f : pool.invokeAll(calls)) {
        assertThat(f.get().image().width()).isEqualTo(8);
      }
      assertThat(c.usage().successes()).isEqualTo(12);
    } finally {
      pool.shutdownNow();
    }
    return server.maxInFlight();
  }

  @Test
  void requestsPerMinuteLimitPacesRequestsOnTheClock() {
    try (OpenAiClient c = client().optRequestsPerMinute(2).build()) {
      for (int i = 0; i < 5; i++) {
        c.generate(ImageGenerationRequest.of("p" + i, Size.of(4, 4)));
      }
    }
    // Requests 1-2 at t=0, 3-4 at t=60 s, 5 at t=120 s.
    assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(60), Duration.ofSeconds(60));
    assertThat(server.requests(Endpoint.IMAGE_GENERATIONS)).isEqualTo(5);
  }

  @Test
  void usageAndCostAddUpAcrossEndpoints() {
    PriceTable prices = new PriceTable(new PriceTable.Price(2, 8, 0), new PriceTable.Price(5, 40, 0.01));
    server.faults().inject(Endpoint.IMAGE_EDITS, 1, FaultPlan.Fault.serverError(500));
    try (OpenAiClient c = client().optPrices(prices).build()) {
      c.edit(editRequest());
      c.edit(editRequest());
      c.generate(ImageGenerationRequest.of("a", OUT));
      c.complete(ChatRequest.of("gpt-4.1", List.of(ChatMessage.text(ChatMessage.Role.USER, "hello"))));
      server.faults().inject(Endpoint.IMAGE_GENERATIONS, 1, FaultPlan.Fault.badRequest());
      assertThatThrownBy(() -> c.generate(ImageGenerationRequest.of("b", OUT)))
          .isInstanceOf(RemoteException.class);

      UsageMeter u = c.usage();
      assertThat(u.calls()).isEqualTo(5);
      assertThat(u.calls(Endpoint.IMAGE_EDITS)).isEqualTo(2);
      assertThat(u.successes()).isEqualTo(4);
      assertThat(u.retries()).isEqualTo(1);
      assertThat(u.retries(Endpoint.IMAGE_EDITS)).isEqualTo(1);
      assertThat(u.failures()).isEqualTo(1);
      assertThat(u.failures(RemoteException.Kind.BAD_REQUEST)).isEqualTo(1);
      Usage images = FakeServices.EDIT_USAGE.plus(FakeServices.EDIT_USAGE).plus(FakeServices.GENERATION_USAGE);
      assertThat(u.usage(Endpoint.IMAGE_EDITS)).isEqualTo(FakeServices.EDIT_USAGE.plus(FakeServices.EDIT_USAGE));
      assertThat(u.usage(Endpoint.CHAT_COMPLETIONS)).isEqualTo(FakeServices.CHAT_USAGE);
      assertThat(u.usage()).isEqualTo(images.plus(FakeServices.CHAT_USAGE));
      double expected =
          images.inputTokens() * 5 / 1e6
              + images.outputTokens() * 40 / 1e6
              + images.images() * 0.01
              + FakeServices.CHAT_USAGE.inputTokens() * 2 / 1e6
              + FakeServices.CHAT_USAGE.outputTokens() * 8 / 1e6;
      assertThat(u.estimatedCostUsd()).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-12));
      assertThat(u.toString()).contains("calls=5").contains("retries=1").contains("failures=1");
    }
  }

  @Test
  void listenerGetsOneRecordPerCallWithAttemptsOutcomeAndCost() {
    List<CallRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
    server.faults().inject(Endpoint.IMAGE_EDITS, 1, FaultPlan.Fault.rateLimited("2"));
    try (OpenAiClient c =
        client()
            .optListener(
                r -> {
                  records.add(r);
                  threads.add(Thread.currentThread().getName());
                })
            .build()) {
      c.edit(editRequest());
      server.faults().inject(Endpoint.IMAGE_EDITS, 1, FaultPlan.Fault.contentPolicy());
      assertThatThrownBy(() -> c.edit(editRequest())).isInstanceOf(RemoteException.class);
    }
    assertThat(threads).containsOnly(Thread.currentThread().getName());
    assertThat(records).hasSize(2);
    CallRecord ok = records.get(0);
    assertThat(ok.endpoint()).isEqualTo(Endpoint.IMAGE_EDITS);
    assertThat(ok.attempts()).isEqualTo(2);
    assertThat(ok.succeeded()).isTrue();
    assertThat(ok.usage()).isEqualTo(FakeServices.EDIT_USAGE);
    assertThat(ok.costUsd()).isEqualTo(PriceTable.ILLUSTRATIVE.images().cost(FakeServices.EDIT_USAGE));
    assertThat(ok.elapsed()).isEqualTo(Duration.ofSeconds(2));
    CallRecord refused = records.get(1);
    assertThat(refused.attempts()).isEqualTo(1);
    assertThat(refused.failure()).contains(RemoteException.Kind.CONTENT_POLICY);
    assertThat(refused.usage()).isEqualTo(Usage.NONE);
    assertThat(refused.costUsd()).isZero();
  }

  @Test
  void missingKeyFailsBuildNamingTheVariable() {
    assertThatThrownBy(
            () -> OpenAiClient.builder().optApiKeyEnvironmentVariable("MY_KEY").optEnvironment(name -> null).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("MY_KEY");
    assertThatThrownBy(
            () ->
                OpenAiClient.builder()
                    .optEnvironment(Map.of("OPENAI_API_KEY", "sk-abc\r\nX-Evil: 1")::get)
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("OPENAI_API_KEY")
        .hasMessageNotContaining("sk-abc");
  }

  @Test
  void keyFromACustomVariableIsSent() {
    try (OpenAiClient c =
        client()
            .optApiKeyEnvironmentVariable("GPTEDIT_KEY")
            .optEnvironment(Map.of("GPTEDIT_KEY", KEY)::get)
            .build()) {
      assertThat(c.generate(ImageGenerationRequest.of("ok", OUT)).image().width()).isEqualTo(48);
    }
  }

  @Test
  void closedClientRefusesCalls() {
    OpenAiClient c = client().build();
    c.close();
    assertThatThrownBy(() -> c.generate(ImageGenerationRequest.of("x", OUT)))
        .isInstanceOf(IllegalStateException.class);
  }
}
