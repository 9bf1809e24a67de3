package io.gptedit.core.remote;

import static com.google.common.base.Preconditions.checkState;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's retrying transport: one {@code POST} per attempt, paced by a concurrency permit and the
 * requests-per-minute limiter, retried on retryable failures with {@code Retry-After} or jittered exponential
 * backoff, counted in the {@link UsageMeter} and reported to the {@link CallRecord.Listener}. The permit is held
 * only while a request is in flight, not while backing off. Replies are read by the caller's parser; error replies
 * by {@link OpenAiWire#errorReply}.
 */
final class OpenAiTransport {
  private static final Logger LOG = LoggerFactory.getLogger(OpenAiClient.class);
  private static final Pattern SECONDS = Pattern.compile("[0-9]{1,9}(\\.[0-9]{1,9})?");

  /** Reads a 2xx reply; throws a {@link RemoteException} (usually malformed) when it cannot. */
  @FunctionalInterface
  interface ReplyParser<T> {
    OpenAiWire.Parsed<T> parse(HttpResponse<byte[]> reply);
  }

  /** The transport's settings, all validated by {@link OpenAiClient.Builder}. */
  record Settings(
      URI baseUrl,
      Duration connectTimeout,
      Duration requestTimeout,
      int maxConcurrency,
      int requestsPerMinute,
      RetryPolicy retryPolicy,
      Random random,
      ClientClock clock,
      PriceTable prices,
      CallRecord.Listener listener) {}

  /**
   * The largest reply body read, in bytes (256 MiB: many base64 images); a larger one is a
   * {@link RemoteException.Kind#MALFORMED_RESPONSE}, cut off as soon as it passes the limit.
   */
  static final long MAX_REPLY_BYTES = 256L << 20;

  private final URI baseUrl;
  private final String apiKey;
  private final Duration requestTimeout;
  private final RetryPolicy retryPolicy;
  private final Random random;
  private final ClientClock clock;
  private final UsageMeter meter;
  private final CallRecord.Listener listener;
  private final Semaphore permits;
  private final RateLimiter limiter;
  private final HttpClient http;
  private final OpenAiWire wire;
  private final Redaction redaction;
  private final AtomicBoolean closed = new AtomicBoolean();

  OpenAiTransport(Settings s, String apiKey, OpenAiWire wire, Redaction redaction) {
    this.baseUrl = s.baseUrl();
    this.apiKey = apiKey;
    this.requestTimeout = s.requestTimeout();
    this.retryPolicy = s.retryPolicy();
    this.random = s.random() != null ? s.random() : new Random();
    this.clock = s.clock();
    this.meter = new UsageMeter(s.prices());
    this.listener = s.listener();
    this.permits = new Semaphore(s.maxConcurrency(), true);
    this.limiter = s.requestsPerMinute() > 0 ? new RateLimiter(s.requestsPerMinute(), s.clock()) : null;
    this.wire = wire;
    this.redaction = redaction;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(s.connectTimeout())
            .version(
                "https".equalsIgnoreCase(baseUrl.getScheme())
                    ? HttpClient.Version.HTTP_2
                    : HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  UsageMeter meter() {
    return meter;
  }

  URI baseUrl() {
    return baseUrl;
  }

  void close() {
    closed.set(true);
  }

  /**
   * Posts a body to an endpoint until it succeeds, fails for good, or the attempts run out.
   *
   * @throws IllegalStateException if the transport is closed
   * @throws RemoteException the last failure
   */
  <T> T call(Endpoint endpoint, OpenAiWire.Body body, ReplyParser<T> parser) {
    HttpRequest request = post(endpoint, body);
    meter.recordCall(endpoint);
    long start = clock.nanoTime();
    for (int attempt = 1; ; attempt++) {
      RemoteException failure;
      Duration retryAfter = null;
      try {
        HttpResponse<byte[]> reply = send(endpoint, request);
        int status = reply.statusCode();
        if (status >= 200 && status < 300) {
          OpenAiWire.Parsed<T> parsed = parser.parse(reply);
          meter.recordSuccess(endpoint, parsed.usage());
          report(endpoint, attempt, null, parsed.usage(), start);
          return parsed.value();
        }
        failure = wire.errorReply(endpoint, status, reply.body());
        retryAfter = retryAfter(reply.headers(), clock.now());
      } catch (RemoteException e) {
        failure = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        RemoteException interrupted =
            new RemoteException(RemoteException.Kind.TIMEOUT, 0, "POST " + endpoint.path() + ": interrupted", e);
        fail(endpoint, attempt - 1, interrupted, start);
        throw interrupted;
      }
      if (!failure.retryable() || attempt >= retryPolicy.maxAttempts()) {
        LOG.debug("{} (attempt {}/{}); giving up", failure.getMessage(), attempt, retryPolicy.maxAttempts());
        fail(endpoint, attempt, failure, start);
        throw failure;
      }
      Duration delay =
          retryAfter != null ? min(retryAfter, retryPolicy.maxDelay()) : jittered(retryPolicy.backoff(attempt));
      LOG.debug(
          "{} (attempt {}/{}); retrying in {} ms",
          failure.getMessage(),
          attempt,
          retryPolicy.maxAttempts(),
          delay.toMillis());
      try {
        clock.sleep(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail(endpoint, attempt, failure, start);
        throw failure;
      }
      meter.recordRetry(endpoint);
    }
  }

  private HttpRequest post(Endpoint endpoint, OpenAiWire.Body body) {
    checkState(!closed.get(), "the client is closed");
    HttpRequest.Builder b =
        HttpRequest.newBuilder(endpointUri(endpoint))
            .timeout(requestTimeout)
            .header("Content-Type", body.contentType())
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body.bytes()));
    if (apiKey != null) {
      b.header("Authorization", "Bearer " + apiKey);
    }
    return b.build();
  }

  private URI endpointUri(Endpoint endpoint) {
    String base = baseUrl.toString();
    return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + endpoint.path());
  }

  private void fail(Endpoint endpoint, int attempts, RemoteException failure, long start) {
    meter.recordFailure(failure.kind());
    report(endpoint, attempts, failure.kind(), Usage.NONE, start);
  }

  private void report(Endpoint endpoint, int attempts, RemoteException.Kind failure, Usage usage, long start) {
    if (listener == null) {
      return;
    }
    CallRecord record =
        new CallRecord(
            endpoint,
            attempts,
            Optional.ofNullable(failure),
            usage,
            meter.prices().priceFor(endpoint).cost(usage),
            Duration.ofNanos(Math.max(0, clock.nanoTime() - start)));
    try {
      listener.onCall(record);
    } catch (RuntimeException e) {
      LOG.warn("call listener threw; ignored", e);
    }
  }

  private HttpResponse<byte[]> send(Endpoint endpoint, HttpRequest request) throws InterruptedException {
    permits.acquire();
    try {
      if (limiter != null) {
        limiter.acquire();
      }
      return http.send(request, BoundedBody.handler(MAX_REPLY_BYTES));
    } catch (HttpTimeoutException e) {
      throw new RemoteException(
          RemoteException.Kind.TIMEOUT,
          0,
          "POST " + endpoint.path() + ": no reply within " + requestTimeout.toMillis() + " ms",
          null);
    } catch (IOException e) {
      BoundedBody.TooLarge tooLarge = BoundedBody.tooLarge(e);
      if (tooLarge != null) {
        throw new RemoteException(
            RemoteException.Kind.MALFORMED_RESPONSE,
            tooLarge.status(),
            "POST " + endpoint.path() + ": " + tooLarge.getMessage(),
            null);
      }
      throw new RemoteException(
          RemoteException.Kind.TIMEOUT,
          0,
          redaction.apply("POST " + endpoint.path() + ": connection failed: " + e),
          null);
    } finally {
      permits.release();
    }
  }

  private Duration jittered(Duration backoff) {
    double fraction;
    synchronized (random) {
      fraction = random.nextDouble();
    }
    return Duration.ofNanos((long) (backoff.toNanos() * (1 - retryPolicy.jitter() * fraction)));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /**
   * Returns the wait a reply asks for: {@code retry-after-ms}, else {@code Retry-After} as seconds or an HTTP
   * date; {@code null} when absent or unreadable.
   */
  static Duration retryAfter(HttpHeaders headers, Instant now) {
    Optional<String> ms = headers.firstValue("retry-after-ms");
    if (ms.isPresent() && SECONDS.matcher(ms.get().trim()).matches()) {
      return Duration.ofNanos((long) (Double.parseDouble(ms.get().trim()) * 1e6));
    }
    Optional<String> value = headers.firstValue("retry-after");
    if (value.isEmpty()) {
      return null;
    }
    String v = value.get().trim();
    if (SECONDS.matcher(v).matches()) {
      return Duration.ofNanos((long) (Double.parseDouble(v) * 1e9));
    }
    try {
      Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration d = Duration.between(now, at);
      return d.isNegative() ? Duration.ZERO : d;
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
