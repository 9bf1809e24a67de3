package io.gptedit.core.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.core.testing.FakeClock;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The client's small parts: the multipart writer, rate limiter, Retry-After parsing and the backoff schedule. */
class RemotePartsTest {
  @Test
  void multipartWriterFramesFieldsAndFilesWithItsBoundaryAndQuotesNames() {
    Multipart.Writer w = new Multipart.Writer();
    String contentType = w.contentType();
    assertThat(contentType).startsWith("multipart/form-data; boundary=gptedit-");
    String boundary = contentType.substring(contentType.indexOf('=') + 1);
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', '-', '-', 0, (byte) 0xFF};
    byte[] body = w.field("model", "gpt-image-1")
        .field("say \"hi\"\\\r\nnow", "v\r\n--é")
        .file("image", "image.png", "image/png", png)
        .finish();
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\ngpt-image-1\r\n"
        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"say \\\"hi\\\"\\\\  now\"\r\n\r\nv\r\n--é\r\n"
        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"image.png\"\r\n"
        + "Content-Type: image/png\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    expected.writeBytes(png);
    expected.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    assertThat(body).isEqualTo(expected.toByteArray());
    assertThat(new Multipart.Writer().contentType()).as("a fresh random boundary per body").isNotEqualTo(contentType);
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
    assertThat(OpenAiTransport.retryAfter(headers(Map.of("retry-after", "3")), now)).isEqualTo(Duration.ofSeconds(3));
    assertThat(OpenAiTransport.retryAfter(headers(Map.of("retry-after", "1.5")), now))
        .isEqualTo(Duration.ofMillis(1500));
    assertThat(OpenAiTransport.retryAfter(headers(Map.of("retry-after-ms", "250", "retry-after", "9")), now))
        .isEqualTo(Duration.ofMillis(250));
    assertThat(OpenAiTransport.retryAfter(headers(Map.of("retry-after", "Thu, 26 Nov 2026 12:00:10 GMT")), now))
        .isEqualTo(Duration.ofSeconds(10));
    assertThat(OpenAiTransport.retryAfter(headers(Map.of("retry-after", "Thu, 26 Nov 2026 11:00:00 GMT")), now))
        .isEqualTo(Duration.ZERO);
    assertThat(OpenAiTransport.retryAfter(headers(Map.of("retry-after", "soon")), now)).isNull();
    assertThat(OpenAiTransport.retryAfter(headers(Map.of()), now)).isNull();
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
