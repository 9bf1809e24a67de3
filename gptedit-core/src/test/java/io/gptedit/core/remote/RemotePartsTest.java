package io.gptedit.core.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.core.testing.Property;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The client's small parts: multipart, rate limiter, Retry-After parsing and the backoff schedule. */
class RemotePartsTest {
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void multipartRoundTripsArbitraryFieldsAndBinaryParts(long seed) {
    Property.forAll(
        seed,
        200,
        r -> {
          List<Multipart.Part> parts = new ArrayList<>();
          int n = 1 + r.nextInt(5);
          for (int i = 0; i < n; i++) {
            byte[] body = new byte[r.nextInt(4) == 0 ? 0 : r.nextInt(3000)];
            for (int j = 0; j < body.length; j++) {
              // Bias towards CR, LF and '-', the bytes a boundary scanner can trip on.
              int pick = r.nextInt(6);
              body[j] = (byte) (pick == 0 ? '\r' : pick == 1 ? '\n' : pick == 2 ? '-' : r.nextInt(256));
            }
            boolean file = r.nextBoolean();
            String name = "f" + i + (r.nextBoolean() ? " \"q\"" : "");
            parts.add(
                file
                    ? new Multipart.Part(name, "img" + i + ".png", "image/png", body)
                    : new Multipart.Part(name, null, null, ("v\r\n--é" + i).getBytes(StandardCharsets.UTF_8)));
          }
          return parts;
        },
        parts -> {
          Multipart.Writer w = new Multipart.Writer();
          for (Multipart.Part p : parts) {
            if (p.filename() != null) {
              w.file(p.name(), p.filename(), p.contentType(), p.body());
            } else {
              w.field(p.name(), p.text());
            }
          }
          List<Multipart.Part> back = Multipart.parse(w.finish(), Multipart.boundaryOf(w.contentType()));
          assertThat(back).hasSameSizeAs(parts);
          for (int i = 0; i < parts.size(); i++) {
            assertThat(back.get(i).name()).isEqualTo(parts.get(i).name());
            assertThat(back.get(i).filename()).isEqualTo(parts.get(i).filename());
            assertThat(back.get(i).contentType()).isEqualTo(parts.get(i).contentType());
            assertThat(back.get(i).body()).isEqualTo(parts.get(i).body());
          }
        });
  }

  @Test
  void multipartRejectsBodiesWithoutTheBoundary() {
    assertThatThrownBy(() -> Multipart.parse("hello".getBytes(StandardCharsets.US_ASCII), "b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("boundary");
    assertThatThrownBy(() -> Multipart.boundaryOf("application/json"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Multipart.boundaryOf("multipart/form-data; boundary=\"abc\"")).isEqualTo("abc");
  }

  @Test
  void rateLimiterGrantsAtMostTheLimitInAnySixtySecondWindow() throws Exception {
    FakeClock clock = new FakeClock();
    RateLimiter limiter = new RateLimiter(3, clock);
    List<Duration> grants = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      limiter.acquire();
      grants.add(Duration.ofNanos(clock.nanoTime()));
    }
    assertThat(grants)
        .containsExactly(
            Duration.ZERO,
            Duration.ZERO,
            Duration.ZERO,
            Duration.ofSeconds(60),
            Duration.ofSeconds(60),
            Duration.ofSeconds(60),
            Duration.ofSeconds(120));
  }

  @Test
  void rateLimiterDoesNotWaitWhenRequestsAreSpreadOut() throws Exception {
    FakeClock clock = new FakeClock();
    RateLimiter limiter = new RateLimiter(2, clock);
    for (int i = 0; i < 6; i++) {
      assertThat(limiter.acquire()).isZero();
      clock.advance(Duration.ofSeconds(30));
    }
    assertThat(clock.sleeps()).isEmpty();
    assertThat(limiter.acquire()).isZero();
    assertThat(limiter.acquire()).isEqualTo(Duration.ofSeconds(30));
  }

  private static HttpHeaders headers(Map<String, String> values) {
    Map<String, List<String>> map = new java.util.HashMap<>();
    values.forEach((k, v) -> map.put(k, List.of(v)));
    return HttpHeaders.of(map, (a, b) -> true);
  }

  @Test
  void retryAfterAcceptsSecondsMillisecondsAndHttpDates() {
    java.time.Instant now = FakeClock.START;
    assertThat(OpenAiClient.retryAfter(headers(Map.of("retry-after", "3")), now)).isEqualTo(Duration.ofSeconds(3));
    assertThat(OpenAiClient.retryAfter(headers(Map.of("retry-after", "1.5")), now))
        .isEqualTo(Duration.ofMillis(1500));
    assertThat(OpenAiClient.retryAfter(headers(Map.of("retry-after-ms", "250", "retry-after", "9")), now))
        .isEqualTo(Duration.ofMillis(250));
    assertThat(OpenAiClient.retryAfter(headers(Map.of("retry-after", "Thu, 26 Nov 2026 12:00:10 GMT")), now))
        .isEqualTo(Duration.ofSeconds(10));
    assertThat(OpenAiClient.retryAfter(headers(Map.of("retry-after", "Thu, 26 Nov 2026 11:00:00 GMT")), now))
        .isEqualTo(Duration.ZERO);
    assertThat(OpenAiClient.retryAfter(headers(Map.of("retry-after", "soon")), now)).isNull();
    assertThat(OpenAiClient.retryAfter(headers(Map.of()), now)).isNull();
  }

  @Test
  void backoffDoublesUpToTheCap() {
    RetryPolicy p = new RetryPolicy(10, Duration.ofMillis(250), Duration.ofSeconds(3), 0);
    assertThat(p.backoff(1)).isEqualTo(Duration.ofMillis(250));
    assertThat(p.backoff(2)).isEqualTo(Duration.ofMillis(500));
    assertThat(p.backoff(4)).isEqualTo(Duration.ofSeconds(2));
    assertThat(p.backoff(5)).isEqualTo(Duration.ofSeconds(3));
    assertThat(p.backoff(200)).isEqualTo(Duration.ofSeconds(3));
    assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxAttempts");
    assertThatThrownBy(() -> new RetryPolicy(2, Duration.ofSeconds(2), Duration.ofSeconds(1), 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetryPolicy(2, Duration.ZERO, Duration.ZERO, 1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jitter");
  }

  @Test
  void priceTableCostsTokensAndImages() {
    PriceTable.Price p = new PriceTable.Price(10, 40, 0.02);
    assertThat(p.cost(new Usage(1_000_000, 500_000, 3))).isEqualTo(10 + 20 + 0.06, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(PriceTable.ILLUSTRATIVE.priceFor(Endpoint.IMAGE_EDITS)).isEqualTo(PriceTable.ILLUSTRATIVE.images());
    assertThat(PriceTable.ILLUSTRATIVE.priceFor(Endpoint.CHAT_COMPLETIONS)).isEqualTo(PriceTable.ILLUSTRATIVE.chat());
    assertThatThrownBy(() -> new PriceTable.Price(-1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
