package io.gptedit.testkit.remote;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.ImageDecodeException;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.remote.ChatRequest;
import io.gptedit.core.remote.ChatResponse;
import io.gptedit.core.remote.ChatService;
import io.gptedit.core.remote.Endpoint;
import io.gptedit.core.remote.GeneratedImage;
import io.gptedit.core.remote.ImageEditRequest;
import io.gptedit.core.remote.ImageEditService;
import io.gptedit.core.remote.ImageGenerationRequest;
import io.gptedit.core.remote.ImageGenerationService;
import io.gptedit.core.remote.OpenAiClient;
import io.gptedit.core.remote.RemoteException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An offline stand-in for the OpenAI image and chat endpoints: a real HTTP server on {@code 127.0.0.1} (an
 * ephemeral port) that answers {@code /images/edits}, {@code /images/generations} and {@code /chat/completions}
 * in the OpenAI wire format by delegating to in-process services, and injects faults on demand.
 *
 * <p>It parses the multipart upload for real, decodes the images, and calls the delegate with the same request
 * the client was given; the delegate's image goes back as base64 PNG. A {@link RemoteException} thrown by a
 * delegate becomes the matching HTTP error (429, 5xx, 400, a 400 {@code content_policy_violation}, 401). The
 * {@link #faults()} plan overrides replies per endpoint; {@link #requests(Endpoint)} counts requests (faulted
 * ones included) and {@link #maxInFlight()} records the most requests handled at once.
 *
 * <p>Build clients for it with {@link #clientBuilder()}: they send the stand-in's dummy key
 * ({@link #STAND_IN_KEY}, or the token given to {@link Builder#optRequireBearerToken}) and never read an API key from
 * the environment, so a real {@code OPENAI_API_KEY} never reaches the stand-in.
 *
 * <pre>{@code
 * try (OpenAiStandInServer server = OpenAiStandInServer.builder().optEditService(service).build();
 *     OpenAiClient client = server.clientBuilder().build()) {
 *   server.faults().inject(Endpoint.IMAGE_EDITS, 1, FaultPlan.Fault.rateLimited("1"));
 *   GeneratedImage out = client.edit(request); // retried once, then served by the service
 * }
 * }</pre>
 *
 * @since 0.1
 */
public final class OpenAiStandInServer implements AutoCloseable {
  /** The dummy API key that {@link #clientBuilder()}'s clients send unless a bearer token is required. */
  public static final String STAND_IN_KEY = "sk-gptedit-stand-in-not-a-real-key";

  /** The name under which {@link #clientBuilder()} hands the client its key (not a process environment variable). */
  static final String STAND_IN_KEY_VARIABLE = "GPTEDIT_STAND_IN_KEY";

  private static final String PREFIX = "/v1";
  private static final Pattern SIZE = Pattern.compile("([0-9]{1,5})x([0-9]{1,5})");
  private static final int MAX_BODY_BYTES = 256 * 1024 * 1024;

  private final ImageEditService editService;
  private final ImageGenerationService generationService;
  private final ChatService chatService;
  private final String bearerToken;
  private final byte[] expectedAuthorization;
  private final FaultPlan faults = new FaultPlan();
  private final Map<Endpoint, AtomicInteger> requests = new EnumMap<>(Endpoint.class);
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final AtomicInteger served = new AtomicInteger();
  private final ObjectMapper json = StandInWire.mapper();
  private final HttpServer server;
  private final ExecutorService executor;
  private final URI baseUrl;

  private OpenAiStandInServer(Builder b) {
    this.editService = b.editService;
    this.generationService = b.generationService;
    this.chatService = b.chatService;
    this.bearerToken = b.bearerToken;
    this.expectedAuthorization =
        b.bearerToken == null ? null : ("Bearer " + b.bearerToken).getBytes(StandardCharsets.UTF_8);
    faults.latency(b.latency);
    for (Endpoint e : Endpoint.values()) {
      requests.put(e, new AtomicInteger());
    }
    AtomicInteger threads = new AtomicInteger();
    this.executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "gptedit-standin-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    try {
      this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
    } catch (IOException e) {
      executor.shutdownNow();
      throw new UncheckedIOException("cannot bind the stand-in server to 127.0.0.1", e);
    }
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
    this.baseUrl =
        URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":" + port() + PREFIX);
  }

  /**
   * Returns a builder.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the base URL to give the client.
   *
   * @return {@code http://127.0.0.1:PORT/v1}
   */
  public URI baseUrl() {
    return baseUrl;
  }

  /**
   * Returns a client builder for this server: its base URL and the stand-in's key, handed over explicitly so that
   * the client never reads an API key from the process environment. Use it instead of
   * {@code OpenAiClient.builder().optBaseUrl(server.baseUrl())}, which would send a real {@code OPENAI_API_KEY} (when
   * one is set) to the stand-in.
   *
   * @return a builder with the base URL and key set; other settings are {@link OpenAiClient.Builder}'s defaults
   */
  public OpenAiClient.Builder clientBuilder() {
    String key = bearerToken != null ? bearerToken : STAND_IN_KEY;
    return OpenAiClient.builder()
        .optBaseUrl(baseUrl)
        .optApiKeyEnvironmentVariable(STAND_IN_KEY_VARIABLE)
        .optEnvironment(Map.of(STAND_IN_KEY_VARIABLE, key)::get);
  }

  /**
   * Returns the port the server listens on.
   *
   * @return the ephemeral port
   */
  public int port() {
    return server.getAddress().getPort();
  }

  /**
   * Returns the live fault plan.
   *
   * @return the plan; changes apply to the next request
   */
  public FaultPlan faults() {
    return faults;
  }

  /**
   * Returns how many requests reached an endpoint (rejected and faulted ones included).
   *
   * @param endpoint the endpoint
   * @return the count
   */
  public int requests(Endpoint endpoint) {
    return requests.get(requireNonNull(endpoint, "endpoint")).get();
  }

  /**
   * Returns the most requests that were being handled at the same time.
   *
   * @return the high-water mark
   */
  public int maxInFlight() {
    return maxInFlight.get();
  }

  /** Stops the server at once; requests in progress are abandoned. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  @Override
  public String toString() {
    return "OpenAiStandInServer[" + baseUrl + "]";
  }

  // ---------------------------------------------------------------------------------------------------------

  /** An HTTP reply to send. */
  private record Reply(int status, byte[] body, String retryAfter) {}

  private void handle(HttpExchange exchange) throws IOException {
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    boolean counted = true;
    try (exchange) {
      Reply reply;
      try {
        reply = route(exchange);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        reply = error(500, "server_error", "stand-in failure: " + e);
      }
      // A request stops counting as in flight once its reply is ready: the client may receive the reply and
      // start its next request before this handler thread gets to run its finally block (a race that made the
      // concurrency tests see one request too many on a loaded machine).
      inFlight.decrementAndGet();
      counted = false;
      send(exchange, reply);
    } catch (IOException e) {
      // The client gave up (for example after its timeout); nothing to answer.
    } finally {
      if (counted) {
        inFlight.decrementAndGet();
      }
    }
  }

  private Reply route(HttpExchange exchange) throws IOException, InterruptedException {
    String path = exchange.getRequestURI().getPath();
    Endpoint endpoint = null;
    for (Endpoint e : Endpoint.values()) {
      if ((PREFIX + e.path()).equals(path)) {
        endpoint = e;
      }
    }
    byte[] body = readBody(exchange.getRequestBody());
    if (endpoint == null) {
      return error(404, "unknown_url", "unknown path " + path);
    }
    requests.get(endpoint).incrementAndGet();
    if (!"POST".equals(exchange.getRequestMethod())) {
      return error(405, "method_not_allowed", "use POST for " + path);
    }
    if (expectedAuthorization != null) {
      String auth = exchange.getRequestHeaders().getFirst("Authorization");
      if (auth == null
          || !MessageDigest.isEqual(expectedAuthorization, auth.getBytes(StandardCharsets.UTF_8))) {
        sleep(faults.latency());
        return error(401, "invalid_api_key", "missing or incorrect bearer token");
      }
    }
    FaultPlan.Fault fault = faults.next(endpoint);
    sleep(faults.latency());
    if (fault != null) {
      switch (fault.type()) {
        case ERROR:
          Reply r = error(fault.status(), fault.code(), faultMessage(fault));
          return new Reply(r.status(), r.body(), fault.retryAfter());
        case DELAY:
          sleep(fault.delay());
          break;
        case MALFORMED_JSON:
          return new Reply(200, "{\"data\": [{\"b64_json\": \"iVBOR".getBytes(StandardCharsets.UTF_8), null);
        case TRUNCATED_BASE64:
        case NON_IMAGE_PAYLOAD:
          if (endpoint == Endpoint.CHAT_COMPLETIONS) {
            byte[] empty = "{\"object\":\"chat.completion\",\"choices\":[]}".getBytes(StandardCharsets.UTF_8);
            return new Reply(200, empty, null);
          }
          break;
        default:
          throw new IllegalStateException("unknown fault " + fault.type());
      }
    }
    Reply reply;
    try {
      reply = serve(endpoint, exchange, body);
    } catch (IllegalArgumentException | ImageDecodeException e) {
      return error(400, "invalid_request_error", e.getMessage());
    } catch (RemoteException e) {
      return fromRemoteException(e);
    }
    if (fault != null
        && reply.status() == 200
        && (fault.type() == FaultPlan.Fault.Type.TRUNCATED_BASE64
            || fault.type() == FaultPlan.Fault.Type.NON_IMAGE_PAYLOAD)) {
      reply = corruptImage(reply, fault.type());
    }
    return reply;
  }

  private Reply serve(Endpoint endpoint, HttpExchange exchange, byte[] body) {
    switch (endpoint) {
      case IMAGE_EDITS:
        return serveEdit(exchange, body);
      case IMAGE_GENERATIONS:
        return serveGeneration(body);
      case CHAT_COMPLETIONS:
        return serveChat(body);
      default:
        throw new IllegalStateException("unknown endpoint " + endpoint);
    }
  }

  private Reply serveEdit(HttpExchange exchange, byte[] body) {
    if (editService == null) {
      return error(404, "unknown_url", "this stand-in has no image edit service");
    }
    List<StandInWire.Part> parts =
        StandInWire.parse(body, StandInWire.boundaryOf(exchange.getRequestHeaders().getFirst("Content-Type")));
    Map<String, String> fields = new LinkedHashMap<>();
    RgbImage image = null;
    for (StandInWire.Part p : parts) {
      if (p.name().equals("image") || p.name().equals("image[]")) {
        if (image != null) {
          throw new IllegalArgumentException("this stand-in accepts one image per edit");
        }
        image = ImageCodec.decode(p.body(), "multipart part 'image'");
      } else if (p.filename() != null) {
        throw new IllegalArgumentException("unexpected file part '" + p.name() + "'");
      } else if (fields.put(p.name(), p.text()) != null) {
        throw new IllegalArgumentException("repeated form field '" + p.name() + "'");
      }
    }
    if (image == null) {
      throw new IllegalArgumentException("missing file part 'image'");
    }
    String model = required(fields, "model");
    String prompt = required(fields, "prompt");
    Size size = parseSize(required(fields, "size"));
    fields.remove("model");
    fields.remove("prompt");
    fields.remove("size");
    GeneratedImage out = editService.edit(new ImageEditRequest(image, prompt, size, fields));
    return imageReply(out, model);
  }

  private Reply serveGeneration(byte[] body) {
    if (generationService == null) {
      return error(404, "unknown_url", "this stand-in has no image generation service");
    }
    JsonNode root = readJson(body);
    Map<String, String> fields = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      if (!e.getValue().isValueNode() || e.getValue().isNull()) {
        throw new IllegalArgumentException("field '" + e.getKey() + "' must be a string, number or boolean");
      }
      fields.put(e.getKey(), e.getValue().asText());
    }
    String model = required(fields, "model");
    String prompt = required(fields, "prompt");
    Size size = parseSize(required(fields, "size"));
    fields.remove("model");
    fields.remove("prompt");
    fields.remove("size");
    GeneratedImage out = generationService.generate(new ImageGenerationRequest(prompt, size, fields));
    return imageReply(out, model);
  }

  private Reply serveChat(byte[] body) {
    if (chatService == null) {
      return error(404, "unknown_url", "this stand-in has no chat service");
    }
    ChatRequest request = StandInWire.parseChatRequest(json, readJson(body));
    ChatResponse out = chatService.complete(request);
    int n = served.incrementAndGet();
    ObjectNode root = json.createObjectNode();
    root.put("id", "chatcmpl-standin-" + n);
    root.put("object", "chat.completion");
    root.put("created", n);
    root.put("model", out.model());
    ArrayNode choices = root.putArray("choices");
    for (int i = 0; i < out.choices().size(); i++) {
      ObjectNode c = choices.addObject();
      c.put("index", i);
      ObjectNode m = c.putObject("message");
      m.put("role", "assistant");
      m.put("content", out.choices().get(i));
      c.put("finish_reason", "stop");
    }
    ObjectNode usage = root.putObject("usage");
    usage.put("prompt_tokens", out.usage().inputTokens());
    usage.put("completion_tokens", out.usage().outputTokens());
    usage.put("total_tokens", out.usage().inputTokens() + out.usage().outputTokens());
    return new Reply(200, StandInWire.bytes(json, root), null);
  }

  private Reply imageReply(GeneratedImage out, String requestedModel) {
    int n = served.incrementAndGet();
    ObjectNode root = json.createObjectNode();
    root.put("created", n);
    root.put("model", out.model().isEmpty() ? requestedModel : out.model());
    root.putArray("data")
        .addObject()
        .put("b64_json", Base64.getEncoder().encodeToString(ImageCodec.encodePng(out.image())));
    ObjectNode usage = root.putObject("usage");
    usage.put("input_tokens", out.usage().inputTokens());
    usage.put("output_tokens", out.usage().outputTokens());
    usage.put("total_tokens", out.usage().inputTokens() + out.usage().outputTokens());
    return new Reply(200, StandInWire.bytes(json, root), null);
  }

  private Reply corruptImage(Reply reply, FaultPlan.Fault.Type type) {
    ObjectNode root = (ObjectNode) readJson(reply.body());
    ObjectNode first = (ObjectNode) root.path("data").get(0);
    String b64 = first.path("b64_json").asText();
    String bad =
        type == FaultPlan.Fault.Type.TRUNCATED_BASE64
            ? b64.substring(0, (b64.length() / 2) & ~3)
            : Base64.getEncoder()
                .encodeToString("this is not an image".getBytes(StandardCharsets.UTF_8));
    first.put("b64_json", bad);
    return new Reply(200, StandInWire.bytes(json, root), null);
  }

  private Reply fromRemoteException(RemoteException e) {
    switch (e.kind()) {
      case RATE_LIMITED:
        return error(429, "rate_limit_exceeded", e.getMessage());
      case SERVER_ERROR:
        return error(e.status() >= 500 && e.status() <= 599 ? e.status() : 500, "server_error", e.getMessage());
      case TIMEOUT:
        return error(504, "timeout", e.getMessage());
      case MALFORMED_RESPONSE:
        return error(502, "bad_gateway", e.getMessage());
      case CONTENT_POLICY:
        return error(400, "content_policy_violation", e.getMessage());
      case UNAUTHORIZED:
        return error(401, "invalid_api_key", e.getMessage());
      case BAD_REQUEST:
      default:
        return error(400, "invalid_request_error", e.getMessage());
    }
  }

  private Reply error(int status, String code, String message) {
    ObjectNode root = json.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("message", message == null ? "" : message);
    error.put("type", status >= 500 ? "server_error" : "invalid_request_error");
    error.putNull("param");
    if (code == null) {
      error.putNull("code");
    } else {
      error.put("code", code);
    }
    return new Reply(status, StandInWire.bytes(json, root), null);
  }

  private static String faultMessage(FaultPlan.Fault fault) {
    if ("content_policy_violation".equals(fault.code())) {
      return "Your request was rejected as a result of our safety system (injected fault).";
    }
    return "injected fault: HTTP " + fault.status();
  }

  private JsonNode readJson(byte[] body) {
    try {
      JsonNode root = json.readTree(body);
      if (root == null || !root.isObject()) {
        throw new IllegalArgumentException("the body is not a JSON object");
      }
      return root;
    } catch (IOException e) {
      throw new IllegalArgumentException("the body is not valid JSON");
    }
  }

  private static String required(Map<String, String> fields, String name) {
    String v = fields.get(name);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("missing required field '" + name + "'");
    }
    return v;
  }

  private static Size parseSize(String text) {
    Matcher m = SIZE.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("size must be WIDTHxHEIGHT, got '" + text + "'");
    }
    return Size.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
  }

  private static byte[] readBody(InputStream in) throws IOException {
    byte[] buf = new byte[64 * 1024];
    int n = 0;
    while (true) {
      int r = in.read(buf, n, buf.length - n);
      if (r < 0) {
        return Arrays.copyOf(buf, n);
      }
      n += r;
      if (n == buf.length) {
        if (buf.length >= MAX_BODY_BYTES) {
          throw new IOException("request body over " + MAX_BODY_BYTES + " bytes");
        }
        buf = Arrays.copyOf(buf, Math.min(MAX_BODY_BYTES, buf.length * 2));
      }
    }
  }

  private static void sleep(Duration d) throws InterruptedException {
    long nanos = d.toNanos();
    if (nanos > 0) {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    }
  }

  private static void send(HttpExchange exchange, Reply reply) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    if (reply.retryAfter() != null) {
      exchange.getResponseHeaders().set("Retry-After", reply.retryAfter());
    }
    exchange.sendResponseHeaders(reply.status(), reply.body().length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(reply.body());
    }
  }

  // ---------------------------------------------------------------------------------------------------------

  /** Configures an {@link OpenAiStandInServer}; give it the services for the endpoints you need. */
  public static final class Builder {
    private ImageEditService editService;
    private ImageGenerationService generationService;
    private ChatService chatService;
    private String bearerToken;
    private Duration latency = Duration.ZERO;

    private Builder() {}

    /**
     * Sets the service behind {@code /images/edits}; without one the endpoint answers 404.
     *
     * @param service the delegate
     * @return this builder
     */
    public Builder optEditService(ImageEditService service) {
      this.editService = requireNonNull(service, "service");
      return this;
    }

    /**
     * Sets the service behind {@code /images/generations}; without one the endpoint answers 404.
     *
     * @param service the delegate
     * @return this builder
     */
    public Builder optGenerationService(ImageGenerationService service) {
      this.generationService = requireNonNull(service, "service");
      return this;
    }

    /**
     * Sets the service behind {@code /chat/completions}; without one the endpoint answers 404.
     *
     * @param service the delegate
     * @return this builder
     */
    public Builder optChatService(ChatService service) {
      this.chatService = requireNonNull(service, "service");
      return this;
    }

    /**
     * Requires {@code Authorization: Bearer TOKEN} on every request; others get 401. By default no token is
     * required. {@link #clientBuilder()}'s clients send this token.
     *
     * @param token the expected token, such as {@link #STAND_IN_KEY}; never a real key
     * @return this builder
     * @throws IllegalArgumentException if the token is blank or holds characters not allowed in an HTTP header
     */
    public Builder optRequireBearerToken(String token) {
      requireNonNull(token, "token");
      checkArgument(!token.isBlank(), "token must not be blank");
      checkArgument(
          token.chars().allMatch(c -> c > 0x20 && c < 0x7F),
          "token holds a character not allowed in an HTTP header");
      this.bearerToken = token;
      return this;
    }

    /**
     * Sets the initial latency added before every reply (see {@link FaultPlan#latency(Duration)}).
     *
     * @param latency zero or more
     * @return this builder
     */
    public Builder optLatency(Duration latency) {
      requireNonNull(latency, "latency");
      checkArgument(!latency.isNegative(), "latency must be >= 0");
      this.latency = latency;
      return this;
    }

    /**
     * Binds to an ephemeral port on {@code 127.0.0.1} and starts serving.
     *
     * @return the running server; close it when done
     * @throws UncheckedIOException if the socket cannot be bound
     */
    public OpenAiStandInServer build() {
      return new OpenAiStandInServer(this);
    }
  }
}
