package io.gptedit.testkit.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.common.base.Throwables;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.remote.ChatMessage;
import io.gptedit.core.remote.ChatRequest;
import io.gptedit.core.remote.Endpoint;
import io.gptedit.core.remote.GeneratedImage;
import io.gptedit.core.remote.ImageEditRequest;
import io.gptedit.core.remote.OpenAiClient;
import io.gptedit.core.remote.RemoteException;
import io.gptedit.core.remote.RetryPolicy;
import io.gptedit.core.testing.FakeClock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Triggers every failure kind (and server echoes of the key) and checks the key appears in no text. */
class ApiKeyNeverLeaksTest {
  private static final String KEY = "sk-proj-LEAKCHECK-0123456789abcdef";
  private static final Size OUT = Size.of(16, 16);

  /** A delegate whose failures quote the key back, as a careless server might. */
  private static final class EchoingServices extends FakeServices {
    @Override
    public GeneratedImage edit(ImageEditRequest request) {
      switch (request.prompt()) {
        case "bad":
          throw new IllegalArgumentException("invalid prompt for key " + KEY);
        case "policy":
          throw new RemoteException(RemoteException.Kind.CONTENT_POLICY, 0, "refused for key " + KEY, null);
        case "crash":
          throw new IllegalStateException("crashed while holding " + KEY);
        case "deny":
          throw new RemoteException(RemoteException.Kind.UNAUTHORIZED, 0, "Incorrect API key provided: " + KEY, null);
        default:
          return super.edit(request);
      }
    }
  }

  @Test
  void noExceptionMessageStackTraceOrToStringContainsTheKey() {
    Set<RemoteException.Kind> seen = EnumSet.noneOf(RemoteException.Kind.class);
    FakeClock clock = new FakeClock();
    try (OpenAiStandInServer server =
            OpenAiStandInServer.builder()
                .optEditService(new EchoingServices())
                .optChatService(new FakeServices())
                .build();
        OpenAiClient client =
            OpenAiClient.builder()
                .optBaseUrl(server.baseUrl())
                .optEnvironment(Map.of("OPENAI_API_KEY", KEY)::get)
                .optClock(clock)
                .optRandom(new Random(1))
                .optRequestTimeout(Duration.ofMillis(500))
                .optRetryPolicy(new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(5), 0.5))
                .build()) {
      Consumer<String> edit = prompt -> client.edit(ImageEditRequest.of(FakeServices.gradient(8, 8, 0), prompt, OUT));

      List<FaultPlan.Fault> faults =
          List.of(
              FaultPlan.Fault.rateLimited("0"),
              FaultPlan.Fault.serverError(500),
              FaultPlan.Fault.delay(Duration.ofSeconds(2)),
              FaultPlan.Fault.malformedJson(),
              FaultPlan.Fault.truncatedBase64(),
              FaultPlan.Fault.nonImagePayload(),
              FaultPlan.Fault.badRequest(),
              FaultPlan.Fault.contentPolicy(),
              FaultPlan.Fault.error(401, "invalid_api_key"));
      for (FaultPlan.Fault fault : faults) {
        server.faults().inject(Endpoint.IMAGE_EDITS, 2, fault);
        RemoteException e = catchThrowableOfType(RemoteException.class, () -> edit.accept("fine"));
        assertThat(e).as("exception for %s", fault).isNotNull();
        assertClean(e);
        seen.add(e.kind());
        server.faults().clear();
      }
      for (String prompt : List.of("bad", "policy", "crash", "deny")) {
        RemoteException e = catchThrowableOfType(RemoteException.class, () -> edit.accept(prompt));
        assertThat(e).as("exception for prompt %s", prompt).isNotNull();
        assertClean(e);
        // The server did echo the key; the client removed it.
        assertThat(e.getMessage()).contains("[redacted]");
        seen.add(e.kind());
      }
      server.faults().inject(Endpoint.CHAT_COMPLETIONS, 2, FaultPlan.Fault.nonImagePayload());
      RemoteException chat =
          catchThrowableOfType(
              RemoteException.class,
              () ->
                  client.complete(
                      ChatRequest.of("m", List.of(ChatMessage.text(ChatMessage.Role.USER, "x")))));
      assertClean(chat);

      assertThat(client.toString()).doesNotContain(KEY).contains("OPENAI_API_KEY");
      assertThat(client.usage().toString()).doesNotContain(KEY);
      assertThat(server.toString()).doesNotContain(KEY);
    }
    assertThat(seen).isEqualTo(EnumSet.allOf(RemoteException.Kind.class));
  }

  @Test
  void refusedConnectionMessageDoesNotContainTheKey() {
    OpenAiStandInServer server = OpenAiStandInServer.builder().optEditService(new FakeServices()).build();
    server.close();
    try (OpenAiClient client =
        OpenAiClient.builder()
            .optBaseUrl(server.baseUrl())
            .optEnvironment(Map.of("OPENAI_API_KEY", KEY)::get)
            .optClock(new FakeClock())
            .optRetryPolicy(RetryPolicy.NONE)
            .build()) {
      RemoteException e =
          catchThrowableOfType(
              RemoteException.class,
              () -> client.edit(ImageEditRequest.of(FakeServices.gradient(4, 4, 0), "x", OUT)));
      assertThat(e.kind()).isEqualTo(RemoteException.Kind.TIMEOUT);
      assertClean(e);
    }
  }

  private static void assertClean(RemoteException e) {
    assertThat(e).isNotNull();
    assertThat(e.getMessage()).doesNotContain(KEY);
    assertThat(e.toString()).doesNotContain(KEY);
    assertThat(Throwables.getStackTraceAsString(e)).doesNotContain(KEY);
    for (Throwable t : Throwables.getCausalChain(e)) {
      assertThat(String.valueOf(t.getMessage())).doesNotContain(KEY);
    }
  }
}
