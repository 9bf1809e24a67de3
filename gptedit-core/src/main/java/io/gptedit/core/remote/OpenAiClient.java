package io.gptedit.core.remote;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Random;
import java.util.function.Function;

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
 * try (OpenAiClient client = OpenAiClient.builder().optMaxConcurrency(16).optRequestsPerMinute(250).build()) {
 *   GeneratedImage out = client.edit(ImageEditRequest.of(padded, "make the sky purple", Size.of(1024, 1024)));
 * }
 * }</pre>
 *
 * @since 0.1
 */
public final class OpenAiClient
    implements ImageEditService, ImageGenerationService, ChatService, AutoCloseable {
  /** OpenAI's API base URL. */
  public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";

  /** The environment variable the API key is read from unless configured otherwise. */
  public static final String DEFAULT_API_KEY_ENV = "OPENAI_API_KEY";

  /** The image model used for edits and generations unless configured otherwise. */
  public static final String DEFAULT_IMAGE_MODEL = "gpt-image-1";

  /**
   * Whether a base URL is on this machine ({@code localhost}, {@code 127.0.0.1}, {@code [::1]}): a key is then
   * optional, since it is a local stand-in or server.
   *
   * @param baseUrl an API base URL
   * @return whether its host is the loopback interface
   */
  public static boolean isLoopback(String baseUrl) {
    try {
      String host = URI.create(baseUrl).getHost();
      return host != null && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]"));
    } catch (IllegalArgumentException | NullPointerException e) {
      return false;
    }
  }

  private final String editModel;
  private final String generationModel;
  private final String apiKeyEnv;
  private final boolean hasKey;
  private final int maxConcurrency;
  private final int requestsPerMinute;
  private final RetryPolicy retryPolicy;
  private final OpenAiWire wire;
  private final OpenAiTransport transport;

  private OpenAiClient(Builder b, String apiKey) {
    this.editModel = b.editModel;
    this.generationModel = b.generationModel;
    this.apiKeyEnv = b.apiKeyEnv;
    this.hasKey = apiKey != null;
    this.maxConcurrency = b.maxConcurrency;
    this.requestsPerMinute = b.requestsPerMinute;
    this.retryPolicy = b.retryPolicy;
    Redaction redaction = new Redaction(apiKey);
    this.wire = new OpenAiWire(redaction);
    this.transport =
        new OpenAiTransport(
            new OpenAiTransport.Settings(
                b.baseUrl,
                b.connectTimeout,
                b.requestTimeout,
                b.maxConcurrency,
                b.requestsPerMinute,
                b.retryPolicy,
                b.random,
                b.clock,
                b.prices,
                b.listener),
            apiKey,
            wire,
            redaction);
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
    return transport.meter();
  }

  /**
   * Returns the base URL requests go to.
   *
   * @return for example {@code https://api.openai.com/v1}
   */
  public URI baseUrl() {
    return transport.baseUrl();
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
    return transport.call(
        Endpoint.IMAGE_EDITS,
        wire.editRequest(editModel, request),
        reply -> wire.imageReply(Endpoint.IMAGE_EDITS, reply, request.size(), editModel));
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
    return transport.call(
        Endpoint.IMAGE_GENERATIONS,
        wire.generationRequest(generationModel, request),
        reply -> wire.imageReply(Endpoint.IMAGE_GENERATIONS, reply, request.size(), generationModel));
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
    return transport.call(Endpoint.CHAT_COMPLETIONS, wire.chatRequest(request), reply -> wire.chatReply(reply, request));
  }

  /**
   * Closes the client: later calls throw {@link IllegalStateException}; calls already in flight finish. (The JDK
   * 17 HTTP client has no close of its own; its daemon threads end when it is garbage-collected.)
   */
  @Override
  public void close() {
    transport.close();
  }

  /**
   * Describes the client without its key.
   *
   * @return the base URL, models, limits and where the key came from
   */
  @Override
  public String toString() {
    return "OpenAiClient[baseUrl="
        + transport.baseUrl()
        + ", editModel="
        + editModel
        + ", generationModel="
        + generationModel
        + ", apiKey="
        + (hasKey ? "(from " + apiKeyEnv + ")" : "(none: " + apiKeyEnv + " unset)")
        + ", maxConcurrency="
        + maxConcurrency
        + ", requestsPerMinute="
        + (requestsPerMinute == 0 ? "unlimited" : requestsPerMinute)
        + ", retry="
        + retryPolicy
        + "]";
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
     * <p>A rejected URL is never quoted in the message: its user info, path or query may hold a key.
     *
     * @param baseUrl an absolute http or https URL with a host, such as {@code http://127.0.0.1:8080/v1}
     * @return this builder
     * @throws IllegalArgumentException if the text is not a URL, or the URL is not absolute http(s) with a host,
     *     or it carries credentials, a query or a fragment
     */
    public Builder optBaseUrl(String baseUrl) {
      requireNonNull(baseUrl, "baseUrl");
      URI uri;
      try {
        uri = new URI(baseUrl);
      } catch (URISyntaxException e) {
        // The exception's message and input quote the whole text; keep only the reason and the position.
        throw new IllegalArgumentException(
            "baseUrl is not a valid URL: " + e.getReason() + " at index " + e.getIndex());
      }
      return optBaseUrl(uri);
    }

    /**
     * Sets the base URL.
     *
     * <p>A rejected URL is never quoted in the message: its user info, path or query may hold a key.
     *
     * @param baseUrl an absolute http or https URL with a host
     * @return this builder
     * @throws IllegalArgumentException if the URL is not absolute http(s) with a host, or it carries credentials, a
     *     query or a fragment
     */
    public Builder optBaseUrl(URI baseUrl) {
      requireNonNull(baseUrl, "baseUrl");
      // Credentials are checked first and nothing here quotes the URL: a key in it must not reach a message.
      checkArgument(baseUrl.getRawUserInfo() == null, "baseUrl must not carry credentials (user info before '@')");
      checkArgument(
          baseUrl.getRawQuery() == null && baseUrl.getRawFragment() == null,
          "baseUrl must not have a query or a fragment (endpoint paths are appended to it)");
      String scheme = baseUrl.getScheme();
      checkArgument(
          baseUrl.isAbsolute() && ("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)),
          "baseUrl must be an absolute http or https URL");
      checkArgument(baseUrl.getHost() != null, "baseUrl must name a host, such as https://api.openai.com/v1");
      this.baseUrl = baseUrl;
      return this;
    }

    /**
     * Sets the model sent to the image edit endpoint (default {@value OpenAiClient#DEFAULT_IMAGE_MODEL}).
     *
     * @param model the model name
     * @return this builder
     */
    public Builder optEditModel(String model) {
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
    public Builder optGenerationModel(String model) {
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
    public Builder optApiKeyEnvironmentVariable(String name) {
      this.apiKeyEnv = requireNonBlank(name, "apiKeyEnvironmentVariable");
      return this;
    }

    /**
     * Sets how environment variables are looked up (default {@link System#getenv(String)}); tests inject a map.
     *
     * @param environment returns a variable's value, or {@code null} when unset
     * @return this builder
     */
    public Builder optEnvironment(Function<String, String> environment) {
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
    public Builder optApiKeyRequired(boolean required) {
      this.apiKeyRequired = required;
      return this;
    }

    /**
     * Sets the TCP connect timeout (default 10 s).
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder optConnectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /**
     * Sets how long one attempt may wait for the reply (default 5 minutes; image renders take a while).
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder optRequestTimeout(Duration timeout) {
      this.requestTimeout = positive(timeout, "requestTimeout");
      return this;
    }

    /**
     * Sets how many requests may be in flight at once (default 8).
     *
     * @param maxConcurrency at least 1
     * @return this builder
     */
    public Builder optMaxConcurrency(int maxConcurrency) {
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
    public Builder optRequestsPerMinute(int requestsPerMinute) {
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
    public Builder optRetryPolicy(RetryPolicy policy) {
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
    public Builder optRandom(Random random) {
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
    public Builder optClock(ClientClock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the prices the usage meter estimates cost with (default {@link PriceTable#ILLUSTRATIVE}).
     *
     * @param prices the price table
     * @return this builder
     */
    public Builder optPrices(PriceTable prices) {
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
    public Builder optListener(CallRecord.Listener listener) {
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
