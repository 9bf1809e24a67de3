package io.gptedit.core.remote;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.ImageDecodeException;
import io.gptedit.core.image.RgbImage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenAI-compatible HTTP client for image edits, image generations and chat completions, built on
 * {@code java.net.http}.
 *
 * <p>Every call is paced and retried the same way: it waits for one of {@code maxConcurrency} permits, then for
 * a slot under the requests-per-minute limit, sends one HTTP request, and on a retryable failure (429, 5xx,
 * timeout or broken connection, malformed reply) waits as {@link RetryPolicy} says (honouring
 * {@code Retry-After}) and tries again, up to {@code maxAttempts}. Non-retryable failures (400 and other client
 * errors, content-policy refusals, 401/403) throw at once. After the last attempt the last failure is thrown.
 * The permit is held only while a request is in flight, not while backing off.
 *
 * <p>The API key is read once, at {@link Builder#build()}, from an environment variable (by default
 * {@value #DEFAULT_API_KEY_ENV}); it is sent only as {@code Authorization: Bearer ...} and is removed from every
 * message this client produces, including error text the server echoes back.
 *
 * <pre>{@code
 * try (OpenAiClient client = OpenAiClient.builder().maxConcurrency(16).requestsPerMinute(250).build()) {
 *   GeneratedImage out = client.edit(ImageEditRequest.of(padded, "make the sky purple", Size.of(1024, 1024)));
 * }
 * }</pre>
 */
public final class OpenAiClient
    implements ImageEditService, ImageGenerationService, ChatService, AutoCloseable {
  /** OpenAI's API base URL. */
  public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";

  /** The environment variable the API key is read from unless configured otherwise. */
  public static final String DEFAULT_API_KEY_ENV = "OPENAI_API_KEY";

  /** The image model used for edits and generations unless configured otherwise. */
  public static final String DEFAULT_IMAGE_MODEL = "gpt-image-1";

  private static final Logger LOG = LoggerFactory.getLogger(OpenAiClient.class);
  private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,18}");
  private static final Pattern SECONDS = Pattern.compile("[0-9]{1,9}(\\.[0-9]{1,9})?");
  private static final int MAX_ERROR_TEXT = 500;
  private static final String REDACTED = "[redacted]";

  private final URI baseUrl;
  private final String editModel;
  private final String generationModel;
  private final String apiKeyEnv;
  private final String apiKey;
  private final Duration requestTimeout;
  private final int maxConcurrency;
  private final int requestsPerMinute;
  private final RetryPolicy retryPolicy;
  private final Random random;
  private final ClientClock clock;
  private final UsageMeter meter;
  private final CallRecord.Listener listener;
  private final Semaphore permits;
  private final RateLimiter limiter;
  private final HttpClient http;
  private final ObjectMapper json = WireJson.mapper();
  private final AtomicBoolean closed = new AtomicBoolean();

  private OpenAiClient(Builder b, String apiKey) {
    this.baseUrl = b.baseUrl;
    this.editModel = b.editModel;
    this.generationModel = b.generationModel;
    this.apiKeyEnv = b.apiKeyEnv;
    this.apiKey = apiKey;
    this.requestTimeout = b.requestTimeout;
    this.maxConcurrency = b.maxConcurrency;
    this.requestsPerMinute = b.requestsPerMinute;
    this.retryPolicy = b.retryPolicy;
    this.random = b.random != null ? b.random : new Random();
    this.clock = b.clock;
    this.meter = new UsageMeter(b.prices);
    this.listener = b.listener;
    this.permits = new Semaphore(b.maxConcurrency, true);
    this.limiter = b.requestsPerMinute > 0 ? new RateLimiter(b.requestsPerMinute, b.clock) : null;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(b.connectTimeout)
            .version(
                "https".equalsIgnoreCase(baseUrl.getScheme())
                    ? HttpClient.Version.HTTP_2
                    : HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /**
   * Returns a builder with OpenAI's defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the counters of calls, retries, failures, usage and estimated cost.
   *
   * @return the live meter
   */
  public UsageMeter usage() {
    return meter;
  }

  /**
   * Returns the base URL requests go to.
   *
   * @return for example {@code https://api.openai.com/v1}
   */
  public URI baseUrl() {
    return baseUrl;
  }

  /**
   * Edits an image: {@code POST {base}/images/edits} with a multipart upload of the input as PNG.
   *
   * @param request the input, prompt, output size and extra form fields
   * @return the decoded image, exactly at the requested size
   * @throws RemoteException if the call failed after any retries
   */
  @Override
  public GeneratedImage edit(ImageEditRequest request) {
    requireNonNull(request, "request");
    Multipart.Writer form = new Multipart.Writer();
    form.field("model", editModel)
        .field("prompt", request.prompt())
        .field("size", request.size().toString());
    for (Map.Entry<String, String> e : request.extra().entrySet()) {
      form.field(e.getKey(), e.getValue());
    }
    form.file("image", "image.png", "image/png", ImageCodec.encodePng(request.image()));
    byte[] body = form.finish();
    HttpRequest http = post(Endpoint.IMAGE_EDITS, form.contentType(), body);
    return call(
        Endpoint.IMAGE_EDITS,
        http,
        reply -> parseImage(Endpoint.IMAGE_EDITS, reply, request.size(), editModel));
  }

  /**
   * Generates an image: {@code POST {base}/images/generations} with a JSON body.
   *
   * @param request the prompt, output size and extra fields
   * @return the decoded image, exactly at the requested size
   * @throws RemoteException if the call failed after any retries
   */
  @Override
  public GeneratedImage generate(ImageGenerationRequest request) {
    requireNonNull(request, "request");
    ObjectNode root = json.createObjectNode();
    root.put("model", generationModel);
    root.put("prompt", request.prompt());
    root.put("size", request.size().toString());
    for (Map.Entry<String, String> e : request.extra().entrySet()) {
      putExtra(root, e.getKey(), e.getValue());
    }
    HttpRequest http = post(Endpoint.IMAGE_GENERATIONS, "application/json", WireJson.bytes(json, root));
    return call(
        Endpoint.IMAGE_GENERATIONS,
        http,
        reply -> parseImage(Endpoint.IMAGE_GENERATIONS, reply, request.size(), generationModel));
  }

  /**
   * Completes a chat: {@code POST {base}/chat/completions}; images go inline as base64 data URLs.
   *
   * @param request the model, messages and sampling options; a JSON Schema becomes a strict
   *     {@code response_format}
   * @return one text per requested completion
   * @throws RemoteException if the call failed after any retries
   * @throws IllegalArgumentException if the request's JSON Schema is not valid JSON
   */
  @Override
  public ChatResponse complete(ChatRequest request) {
    requireNonNull(request, "request");
    ObjectNode root = WireJson.chatRequest(json, request);
    HttpRequest http = post(Endpoint.CHAT_COMPLETIONS, "application/json", WireJson.bytes(json, root));
    return call(Endpoint.CHAT_COMPLETIONS, http, reply -> parseChat(reply, request));
  }

  /**
   * Closes the client: later calls throw {@link IllegalStateException}; calls already in flight finish. (The JDK
   * 17 HTTP client has no close of its own; its daemon threads end when it is garbage-collected.)
   */
  @Override
  public void close() {
    closed.set(true);
  }

  /**
   * Describes the client without its key.
   *
   * @return the base URL, models, limits and where the key came from
   */
  @Override
  public String toString() {
    return "OpenAiClient[baseUrl="
        + baseUrl
        + ", editModel="
        + editModel
        + ", generationModel="
        + generationModel
        + ", apiKey="
        + (apiKey == null ? "(none: " + apiKeyEnv + " unset)" : "(from " + apiKeyEnv + ")")
        + ", maxConcurrency="
        + maxConcurrency
        + ", requestsPerMinute="
        + (requestsPerMinute == 0 ? "unlimited" : requestsPerMinute)
        + ", retry="
        + retryPolicy
        + "]";
  }

  // ---------------------------------------------------------------------------------------------------------
  // The call loop.

  @FunctionalInterface
  private interface ReplyParser<T> {
    Parsed<T> parse(HttpResponse<byte[]> reply);
  }

  /** A parsed reply and the usage it reported. */
  private record Parsed<T>(T value, Usage usage) {}

  private HttpRequest post(Endpoint endpoint, String contentType, byte[] body) {
    checkState(!closed.get(), "the client is closed");
    HttpRequest.Builder b =
        HttpRequest.newBuilder(endpointUri(endpoint))
            .timeout(requestTimeout)
            .header("Content-Type", contentType)
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (apiKey != null) {
      b.header("Authorization", "Bearer " + apiKey);
    }
    return b.build();
  }

  private URI endpointUri(Endpoint endpoint) {
    String base = baseUrl.toString();
    return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + endpoint.path());
  }

  private <T> T call(Endpoint endpoint, HttpRequest request, ReplyParser<T> parser) {
    meter.recordCall(endpoint);
    long start = clock.nanoTime();
    for (int attempt = 1; ; attempt++) {
      RemoteException failure;
      Duration retryAfter = null;
      try {
        HttpResponse<byte[]> reply = send(endpoint, request);
        int status = reply.statusCode();
        if (status >= 200 && status < 300) {
          Parsed<T> parsed = parser.parse(reply);
          meter.recordSuccess(endpoint, parsed.usage());
          report(endpoint, attempt, null, parsed.usage(), start);
          return parsed.value();
        }
        failure = classify(endpoint, status, reply.body());
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
      return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (HttpTimeoutException e) {
      throw new RemoteException(
          RemoteException.Kind.TIMEOUT,
          0,
          "POST " + endpoint.path() + ": no reply within " + requestTimeout.toMillis() + " ms",
          null);
    } catch (IOException e) {
      throw new RemoteException(
          RemoteException.Kind.TIMEOUT,
          0,
          redact("POST " + endpoint.path() + ": connection failed: " + e),
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

  // ---------------------------------------------------------------------------------------------------------
  // Errors.

  private RemoteException classify(Endpoint endpoint, int status, byte[] body) {
    String code = "";
    String type = "";
    String message = "";
    try {
      JsonNode error = json.readTree(body).path("error");
      if (error.isObject()) {
        code = error.path("code").asText("");
        type = error.path("type").asText("");
        message = error.path("message").asText("");
      } else if (error.isTextual()) {
        message = error.asText();
      }
    } catch (IOException | RuntimeException e) {
      message = "";
    }
    if (message.isEmpty() && body.length > 0) {
      message = new String(body, 0, Math.min(body.length, MAX_ERROR_TEXT), StandardCharsets.UTF_8);
    }
    RemoteException.Kind kind;
    if (status == 401 || status == 403) {
      kind = RemoteException.Kind.UNAUTHORIZED;
    } else if (status == 429) {
      // Exhausted quota is not cured by waiting: stop like a bad key.
      kind = "insufficient_quota".equals(code)
          ? RemoteException.Kind.UNAUTHORIZED
          : RemoteException.Kind.RATE_LIMITED;
    } else if (status == 408) {
      kind = RemoteException.Kind.TIMEOUT;
    } else if (status >= 500) {
      kind = RemoteException.Kind.SERVER_ERROR;
    } else if (isContentPolicy(code, type, message)) {
      kind = RemoteException.Kind.CONTENT_POLICY;
    } else {
      kind = RemoteException.Kind.BAD_REQUEST;
    }
    StringBuilder text = new StringBuilder("POST ").append(endpoint.path()).append(": HTTP ").append(status);
    if (!code.isEmpty()) {
      text.append(" (").append(code).append(')');
    }
    if (!message.isEmpty()) {
      String m = message.length() > MAX_ERROR_TEXT ? message.substring(0, MAX_ERROR_TEXT) + "..." : message;
      text.append(": ").append(m);
    }
    return new RemoteException(kind, status, redact(text.toString()), null);
  }

  private static boolean isContentPolicy(String code, String type, String message) {
    String all = (code + " " + type + " " + message).toLowerCase(Locale.ROOT);
    return code.equals("content_policy_violation")
        || code.equals("moderation_blocked")
        || all.contains("content_policy")
        || all.contains("moderation")
        || all.contains("safety system");
  }

  private RemoteException malformed(Endpoint endpoint, int status, String what, Throwable cause) {
    return new RemoteException(
        RemoteException.Kind.MALFORMED_RESPONSE,
        status,
        redact("POST " + endpoint.path() + ": malformed reply: " + what),
        cause);
  }

  private String redact(String text) {
    return apiKey == null || apiKey.isEmpty() ? text : text.replace(apiKey, REDACTED);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Replies.

  private JsonNode readObject(Endpoint endpoint, HttpResponse<byte[]> reply) {
    JsonNode root;
    try {
      root = json.readTree(reply.body());
    } catch (JsonProcessingException e) {
      throw malformed(endpoint, reply.statusCode(), "not JSON (" + e.getOriginalMessage() + ")", null);
    } catch (IOException e) {
      throw malformed(endpoint, reply.statusCode(), "unreadable body", null);
    }
    if (root == null || !root.isObject()) {
      throw malformed(endpoint, reply.statusCode(), "expected a JSON object", null);
    }
    return root;
  }

  private Parsed<GeneratedImage> parseImage(Endpoint endpoint, HttpResponse<byte[]> reply, Size size, String model) {
    JsonNode root = readObject(endpoint, reply);
    JsonNode data = root.path("data");
    if (!data.isArray() || data.isEmpty()) {
      throw malformed(endpoint, reply.statusCode(), "no data[0]", null);
    }
    JsonNode first = data.get(0);
    JsonNode b64 = first.path("b64_json");
    if (!b64.isTextual()) {
      throw malformed(
          endpoint,
          reply.statusCode(),
          first.has("url")
              ? "data[0] has a url but no b64_json (ask for response_format=b64_json)"
              : "data[0].b64_json is missing",
          null);
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(b64.asText());
    } catch (IllegalArgumentException e) {
      throw malformed(
          endpoint, reply.statusCode(), "data[0].b64_json is not valid base64 (" + e.getMessage() + ")", null);
    }
    RgbImage image;
    try {
      image = ImageCodec.decode(bytes, "POST " + endpoint.path() + " data[0].b64_json");
    } catch (ImageDecodeException e) {
      throw malformed(endpoint, reply.statusCode(), "data[0].b64_json is not an image: " + e.getMessage(), null);
    }
    if (image.width() != size.width() || image.height() != size.height()) {
      throw malformed(
          endpoint,
          reply.statusCode(),
          "image is " + image.width() + "x" + image.height() + ", requested " + size,
          null);
    }
    JsonNode u = root.path("usage");
    long in = u.path("input_tokens").asLong(u.path("prompt_tokens").asLong(0));
    long out = u.path("output_tokens").asLong(u.path("completion_tokens").asLong(0));
    Usage usage = new Usage(Math.max(0, in), Math.max(0, out), data.size());
    String served = root.path("model").asText("");
    return new Parsed<>(new GeneratedImage(image, usage, served.isEmpty() ? model : served), usage);
  }

  private Parsed<ChatResponse> parseChat(HttpResponse<byte[]> reply, ChatRequest request) {
    Endpoint endpoint = Endpoint.CHAT_COMPLETIONS;
    JsonNode root = readObject(endpoint, reply);
    JsonNode choices = root.path("choices");
    if (!choices.isArray() || choices.isEmpty()) {
      throw malformed(endpoint, reply.statusCode(), "no choices", null);
    }
    if (choices.size() != request.n()) {
      throw malformed(
          endpoint, reply.statusCode(), choices.size() + " choices, requested n=" + request.n(), null);
    }
    String[] texts = new String[choices.size()];
    for (int i = 0; i < choices.size(); i++) {
      JsonNode c = choices.get(i);
      int index = c.path("index").asInt(i);
      if (index < 0 || index >= texts.length || texts[index] != null) {
        throw malformed(
            endpoint, reply.statusCode(), "choices[" + i + "] has a bad or repeated index " + index, null);
      }
      JsonNode message = c.path("message");
      JsonNode content = message.path("content");
      if (!content.isTextual()) {
        String refusal = message.path("refusal").asText("");
        if (!refusal.isEmpty() || "content_filter".equals(c.path("finish_reason").asText(""))) {
          throw new RemoteException(
              RemoteException.Kind.CONTENT_POLICY,
              reply.statusCode(),
              redact("POST " + endpoint.path() + ": the model refused: "
                  + (refusal.isEmpty() ? "finish_reason=content_filter" : refusal)),
              null);
        }
        throw malformed(endpoint, reply.statusCode(), "choices[" + i + "].message.content is missing", null);
      }
      texts[index] = content.asText();
    }
    JsonNode u = root.path("usage");
    Usage usage =
        new Usage(
            Math.max(0, u.path("prompt_tokens").asLong(0)), Math.max(0, u.path("completion_tokens").asLong(0)), 0);
    String served = root.path("model").asText("");
    return new Parsed<>(new ChatResponse(List.of(texts), usage, served.isEmpty() ? request.model() : served), usage);
  }

  private static void putExtra(ObjectNode root, String key, String value) {
    if (INTEGER.matcher(value).matches()) {
      root.put(key, Long.parseLong(value));
    } else if (value.equals("true") || value.equals("false")) {
      root.put(key, Boolean.parseBoolean(value));
    } else {
      root.put(key, value);
    }
  }

  // ---------------------------------------------------------------------------------------------------------

  /** Configures an {@link OpenAiClient}; every setting has a default, so {@code builder().build()} works. */
  public static final class Builder {
    private URI baseUrl = URI.create(DEFAULT_BASE_URL);
    private String editModel = DEFAULT_IMAGE_MODEL;
    private String generationModel = DEFAULT_IMAGE_MODEL;
    private String apiKeyEnv = DEFAULT_API_KEY_ENV;
    private Function<String, String> environment = System::getenv;
    private boolean apiKeyRequired = true;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofMinutes(5);
    private int maxConcurrency = 8;
    private int requestsPerMinute;
    private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
    private Random random;
    private ClientClock clock = ClientClock.system();
    private PriceTable prices = PriceTable.ILLUSTRATIVE;
    private CallRecord.Listener listener;

    private Builder() {}

    /**
     * Sets the base URL (default {@value OpenAiClient#DEFAULT_BASE_URL}); endpoint paths are appended to it.
     *
     * @param baseUrl an absolute http or https URL, such as {@code http://127.0.0.1:8080/v1}
     * @return this builder
     * @throws IllegalArgumentException if the URL is not absolute http(s)
     */
    public Builder baseUrl(String baseUrl) {
      return baseUrl(URI.create(requireNonNull(baseUrl, "baseUrl")));
    }

    /**
     * Sets the base URL.
     *
     * @param baseUrl an absolute http or https URL
     * @return this builder
     * @throws IllegalArgumentException if the URL is not absolute http(s)
     */
    public Builder baseUrl(URI baseUrl) {
      requireNonNull(baseUrl, "baseUrl");
      String scheme = baseUrl.getScheme();
      checkArgument(
          baseUrl.isAbsolute() && ("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)),
          "baseUrl must be an absolute http or https URL, got %s",
          baseUrl);
      checkArgument(baseUrl.getRawUserInfo() == null, "baseUrl must not carry credentials");
      this.baseUrl = baseUrl;
      return this;
    }

    /**
     * Sets the model sent to the image edit endpoint (default {@value OpenAiClient#DEFAULT_IMAGE_MODEL}).
     *
     * @param model the model name
     * @return this builder
     */
    public Builder editModel(String model) {
      this.editModel = requireNonBlank(model, "editModel");
      return this;
    }

    /**
     * Sets the model sent to the image generation endpoint (default {@value OpenAiClient#DEFAULT_IMAGE_MODEL}).
     * The chat model is named by each {@link ChatRequest}.
     *
     * @param model the model name
     * @return this builder
     */
    public Builder generationModel(String model) {
      this.generationModel = requireNonBlank(model, "generationModel");
      return this;
    }

    /**
     * Sets the name of the environment variable holding the API key (default
     * {@value OpenAiClient#DEFAULT_API_KEY_ENV}).
     *
     * @param name the variable name
     * @return this builder
     */
    public Builder apiKeyEnvironmentVariable(String name) {
      this.apiKeyEnv = requireNonBlank(name, "apiKeyEnvironmentVariable");
      return this;
    }

    /**
     * Sets how environment variables are looked up (default {@link System#getenv(String)}); tests inject a map.
     *
     * @param environment returns a variable's value, or {@code null} when unset
     * @return this builder
     */
    public Builder environment(Function<String, String> environment) {
      this.environment = requireNonNull(environment, "environment");
      return this;
    }

    /**
     * Sets whether a missing key fails {@link #build()} (default {@code true}); without a key no
     * {@code Authorization} header is sent, which suits a local stand-in server.
     *
     * @param required whether the key must be set
     * @return this builder
     */
    public Builder apiKeyRequired(boolean required) {
      this.apiKeyRequired = required;
      return this;
    }

    /**
     * Sets the TCP connect timeout (default 10 s).
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /**
     * Sets how long one attempt may wait for the reply (default 5 minutes; image renders take a while).
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = positive(timeout, "requestTimeout");
      return this;
    }

    /**
     * Sets how many requests may be in flight at once (default 8).
     *
     * @param maxConcurrency at least 1
     * @return this builder
     */
    public Builder maxConcurrency(int maxConcurrency) {
      checkArgument(maxConcurrency >= 1, "maxConcurrency must be >= 1, got %s", maxConcurrency);
      this.maxConcurrency = maxConcurrency;
      return this;
    }

    /**
     * Sets the most requests (attempts, retries included) started in any 60-second window; 0, the default,
     * means unlimited.
     *
     * @param requestsPerMinute 0 or more
     * @return this builder
     */
    public Builder requestsPerMinute(int requestsPerMinute) {
      checkArgument(requestsPerMinute >= 0, "requestsPerMinute must be >= 0, got %s", requestsPerMinute);
      this.requestsPerMinute = requestsPerMinute;
      return this;
    }

    /**
     * Sets the retry policy (default {@link RetryPolicy#DEFAULT}).
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder retryPolicy(RetryPolicy policy) {
      this.retryPolicy = requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Sets the random source for backoff jitter (default an unseeded {@link Random}); seed it for repeatable
     * waits.
     *
     * @param random the source
     * @return this builder
     */
    public Builder random(Random random) {
      this.random = requireNonNull(random, "random");
      return this;
    }

    /**
     * Sets the clock used for rate limiting, {@code Retry-After} dates and backoff sleeps (default
     * {@link ClientClock#system()}).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(ClientClock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the prices the usage meter estimates cost with (default {@link PriceTable#ILLUSTRATIVE}).
     *
     * @param prices the price table
     * @return this builder
     */
    public Builder prices(PriceTable prices) {
      this.prices = requireNonNull(prices, "prices");
      return this;
    }

    /**
     * Sets a listener told about every finished call (endpoint, attempts, outcome, usage, cost, time), on the
     * calling thread; by default there is none.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(CallRecord.Listener listener) {
      this.listener = requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Reads the API key from the environment and builds the client.
     *
     * @return the client
     * @throws IllegalStateException if the key is required but unset, or holds characters not allowed in an HTTP
     *     header (the message names the variable, never its value)
     */
    public OpenAiClient build() {
      String key = environment.apply(apiKeyEnv);
      if (key != null) {
        key = key.trim();
        if (key.isEmpty()) {
          key = null;
        }
      }
      if (key == null) {
        checkState(
            !apiKeyRequired,
            "environment variable %s is not set; set it to your API key (or call apiKeyRequired(false) for a "
                + "server that needs none)",
            apiKeyEnv);
      } else {
        for (int i = 0; i < key.length(); i++) {
          char c = key.charAt(i);
          checkState(
              c > 0x20 && c < 0x7F,
              "environment variable %s holds a character not allowed in an HTTP header at position %s",
              apiKeyEnv,
              i);
        }
      }
      return new OpenAiClient(this, key);
    }

    private static String requireNonBlank(String s, String what) {
      requireNonNull(s, what);
      checkArgument(!s.isBlank(), "%s must not be blank", what);
      return s;
    }

    private static Duration positive(Duration d, String what) {
      requireNonNull(d, what);
      checkArgument(!d.isNegative() && !d.isZero(), "%s must be positive, got %s", what, d);
      return d;
    }
  }
}
