package io.gptedit.core.remote;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.ImageDecodeException;
import io.gptedit.core.image.RgbImage;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The OpenAI wire format, client side: request bodies (a multipart upload for edits, JSON for generations and
 * chat completions) and replies (images, chat choices, usage, and error bodies read into a
 * {@link RemoteException} of the right kind). Every message it builds goes through the client's
 * {@link Redaction}, so a server that echoes the key never gets it into an exception.
 */
final class OpenAiWire {
  /** Base64 images in replies run to tens of megabytes; Jackson's default string limit is lower. */
  private static final int MAX_STRING_LENGTH = 512 * 1024 * 1024;

  private static final int MAX_ERROR_TEXT = 500;
  private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,18}");
  private static final String PNG_URL = "data:image/png;base64,";
  private static final String JPEG_URL = "data:image/jpeg;base64,";

  private final ObjectMapper json = new ObjectMapper();
  private final Redaction redaction;

  /** A request body and its content type. */
  record Body(String contentType, byte[] bytes) {}

  /** A parsed reply and the usage it reported. */
  record Parsed<T>(T value, Usage usage) {}

  OpenAiWire(Redaction redaction) {
    this.redaction = redaction;
    json.getFactory()
        .setStreamReadConstraints(StreamReadConstraints.builder().maxStringLength(MAX_STRING_LENGTH).build());
  }

  // ---------------------------------------------------------------------------------------------------------
  // Requests.

  /** The multipart upload of {@code POST /images/edits}: model, prompt, size, extra fields and the input as PNG. */
  Body editRequest(String model, ImageEditRequest request) {
    Multipart.Writer form = new Multipart.Writer();
    form.field("model", model)
        .field("prompt", request.prompt())
        .field("size", request.size().toString());
    for (Map.Entry<String, String> e : request.extra().entrySet()) {
      form.field(e.getKey(), e.getValue());
    }
    form.file("image", "image.png", "image/png", ImageCodec.encodePng(request.image()));
    byte[] body = form.finish();
    return new Body(form.contentType(), body);
  }

  /** The JSON body of {@code POST /images/generations}; extra fields that look like integers or booleans are typed. */
  Body generationRequest(String model, ImageGenerationRequest request) {
    ObjectNode root = json.createObjectNode();
    root.put("model", model);
    root.put("prompt", request.prompt());
    root.put("size", request.size().toString());
    for (Map.Entry<String, String> e : request.extra().entrySet()) {
      putExtra(root, e.getKey(), e.getValue());
    }
    return new Body("application/json", bytes(root));
  }

  /**
   * The JSON body of {@code POST /chat/completions}; images go inline as base64 data URLs, a JSON Schema becomes
   * a strict {@code response_format}.
   *
   * @throws IllegalArgumentException if the request's JSON Schema is not a JSON object
   */
  Body chatRequest(ChatRequest request) {
    return new Body("application/json", bytes(chatJson(request)));
  }

  private ObjectNode chatJson(ChatRequest request) {
    ObjectNode root = json.createObjectNode();
    root.put("model", request.model());
    ArrayNode messages = root.putArray("messages");
    for (ChatMessage m : request.messages()) {
      ObjectNode message = messages.addObject();
      message.put("role", m.role().name().toLowerCase(Locale.ROOT));
      ArrayNode content = message.putArray("content");
      for (ChatMessage.Part part : m.parts()) {
        ObjectNode p = content.addObject();
        if (part instanceof ChatMessage.Text t) {
          p.put("type", "text");
          p.put("text", t.text());
        } else if (part instanceof ChatMessage.Image img) {
          byte[] encoded =
              img.asJpeg() ? ImageCodec.encodeJpeg(img.image()) : ImageCodec.encodePng(img.image());
          p.put("type", "image_url");
          p.putObject("image_url")
              .put("url", (img.asJpeg() ? JPEG_URL : PNG_URL) + Base64.getEncoder().encodeToString(encoded));
        }
      }
    }
    root.put("n", request.n());
    request.temperature().ifPresent(t -> root.put("temperature", t));
    request.maxTokens().ifPresent(t -> root.put("max_tokens", t));
    if (request.jsonSchema().isPresent()) {
      JsonNode schema;
      try {
        schema = json.readTree(request.jsonSchema().get());
      } catch (IOException e) {
        throw new IllegalArgumentException("ChatRequest.jsonSchema is not valid JSON: " + e.getMessage(), e);
      }
      if (schema == null || !schema.isObject()) {
        throw new IllegalArgumentException("ChatRequest.jsonSchema must be a JSON object");
      }
      ObjectNode format = root.putObject("response_format");
      format.put("type", "json_schema");
      ObjectNode js = format.putObject("json_schema");
      js.put("name", "response");
      js.put("strict", true);
      js.set("schema", schema);
    }
    return root;
  }

  private byte[] bytes(JsonNode node) {
    try {
      return json.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise a JSON tree", e);
    }
  }

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

  /** Reads an image reply: {@code data[0].b64_json}, exactly at the requested size, and its usage. */
  Parsed<GeneratedImage> imageReply(Endpoint endpoint, HttpResponse<byte[]> reply, Size size, String model) {
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

  /** Reads a chat completion: one text per requested choice, in index order, and its usage. */
  Parsed<ChatResponse> chatReply(HttpResponse<byte[]> reply, ChatRequest request) {
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
              redaction.apply("POST " + endpoint.path() + ": the model refused: "
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
  // Errors.

  /**
   * Reads an error reply ({@code {"error": {"code", "type", "message"}}}, or any body) into the matching failure:
   * 401/403 and exhausted quota are {@code UNAUTHORIZED}, 429 {@code RATE_LIMITED}, 408 {@code TIMEOUT}, 5xx
   * {@code SERVER_ERROR}, a safety refusal {@code CONTENT_POLICY}, anything else {@code BAD_REQUEST}. The
   * message quotes at most {@value #MAX_ERROR_TEXT} characters of the server's text, with the key removed.
   */
  RemoteException errorReply(Endpoint endpoint, int status, byte[] body) {
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
    return new RemoteException(kind, status, redaction.apply(text.toString()), null);
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
        redaction.apply("POST " + endpoint.path() + ": malformed reply: " + what),
        cause);
  }
}
