package io.gptedit.testkit.remote;

import static org.assertj.core.api.Assertions.assertThat;

import io.gptedit.core.geometry.Size;
import io.gptedit.core.remote.ChatMessage;
import io.gptedit.core.remote.ChatRequest;
import io.gptedit.core.remote.Endpoint;
import io.gptedit.core.remote.ImageEditRequest;
import io.gptedit.core.remote.ImageGenerationRequest;
import io.gptedit.core.remote.OpenAiClient;
import io.gptedit.core.remote.RemoteException;
import io.gptedit.core.remote.RetryPolicy;
import io.gptedit.core.remote.UsageMeter;
import io.gptedit.core.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Many threads, a random fault plan: every call ends exactly once and the counters on both sides agree. */
class ConcurrentFaultsTest {
  private static final int CALLS = 48;

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {11, 12})
  void countersAgreeUnderConcurrentRandomFaults(long seed) throws Exception {
    Random r = new Random(seed);
    List<FaultPlan.Fault> menu =
        List.of(
            FaultPlan.Fault.rateLimited("0"),
            FaultPlan.Fault.serverError(500),
            FaultPlan.Fault.malformedJson(),
            FaultPlan.Fault.truncatedBase64(),
            FaultPlan.Fault.nonImagePayload(),
            FaultPlan.Fault.badRequest(),
            FaultPlan.Fault.contentPolicy());
    FakeServices services = new FakeServices();
    try (OpenAiStandInServer server =
            OpenAiStandInServer.builder()
                .optEditService(services)
                .optGenerationService(services)
                .optChatService(services)
                .optLatency(Duration.ofMillis(5))
                .build();
        OpenAiClient client =
            OpenAiClient.builder()
                .optBaseUrl(server.baseUrl())
                .optApiKeyRequired(false)
                .optClock(new FakeClock())
                .optRandom(new Random(seed))
                .optMaxConcurrency(4)
                .optRetryPolicy(new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(10), 1))
                .build()) {
      for (Endpoint e : Endpoint.values()) {
        for (int i = 0; i < 12; i++) {
          server.faults().inject(e, 1, menu.get(r.nextInt(menu.size())));
        }
      }
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Callable<Object>> calls = new ArrayList<>();
      for (int i = 0; i < CALLS; i++) {
        int k = i;
        calls.add(
            () -> {
              try {
                switch (k % 3) {
                  case 0:
                    return client.edit(ImageEditRequest.of(FakeServices.gradient(6, 5, k), "edit " + k, Size.of(6, 5)));
                  case 1:
                    return client.generate(ImageGenerationRequest.of("gen " + k, Size.of(5, 6)));
                  default:
                    return client.complete(
                        ChatRequest.of("m", List.of(ChatMessage.text(ChatMessage.Role.USER, "chat " + k))));
                }
              } catch (RemoteException e) {
                return e;
              }
            });
      }
      Map<RemoteException.Kind, Integer> failed = new EnumMap<>(RemoteException.Kind.class);
      int ok = 0;
      try {
        for (Future<Object> f : pool.invokeAll(calls)) {
          Object o = f.get();
          if (o instanceof RemoteException e) {
            failed.merge(e.kind(), 1, Integer::sum);
          } else {
            ok++;
          }
        }
      } finally {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      }

      UsageMeter u = client.usage();
      assertThat(u.calls()).isEqualTo(CALLS);
      assertThat(u.successes()).isEqualTo(ok);
      assertThat(ok + failed.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(CALLS);
      for (RemoteException.Kind k : RemoteException.Kind.values()) {
        assertThat(u.failures(k)).as("failures of %s", k).isEqualTo((long) failed.getOrDefault(k, 0));
      }
      int requests = 0;
      for (Endpoint e : Endpoint.values()) {
        requests += server.requests(e);
        // Every planned fault was consumed: each was served to some attempt.
        assertThat(server.faults().pending(e)).isZero();
      }
      assertThat(requests).isEqualTo(u.calls() + u.retries());
      assertThat(server.maxInFlight()).isLessThanOrEqualTo(4);
      assertThat(services.produced.size() + services.chats.size()).isGreaterThanOrEqualTo(ok);
    }
  }
}
