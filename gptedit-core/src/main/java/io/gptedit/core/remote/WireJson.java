package io.gptedit.core.remote;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.RgbImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/** The JSON wire format of chat requests, shared by the client (writing) and the stand-in server (reading). */
final class WireJson {
  /** Base64 images in replies run to tens of megabytes; Jackson's default string limit is lower. */
  private static final int MAX_STRING_LENGTH = 512 * 1024 * 1024;

  private static final String PNG_URL = "data:image/png;base64,";
  private static final String JPEG_URL = "data:image/jpeg;base64,";

  private WireJson() {}

  static ObjectMapper mapper() {
    ObjectMapper m = new ObjectMapper();
    m.getFactory()
        .setStreamReadConstraints(StreamReadConstraints.builder().maxStringLength(MAX_STRING_LENGTH).build());
    return m;
  }

  static byte[] bytes(ObjectMapper json, JsonNode node) {
    try {
      return json.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise a JSON tree", e);
    }
  }

  /** Writes a chat request in the chat completions format. */
  static ObjectNode chatRequest(ObjectMapper json, ChatRequest request) {
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

  /**
   * Reads a chat request in the chat completions format.
   *
   * @throws IllegalArgumentException naming the offending field
   */
  static ChatRequest parseChatRequest(ObjectMapper json, JsonNode root) {
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("the body is not a JSON object");
    }
    String model = text(root, "model");
    JsonNode messagesNode = root.path("messages");
    if (!messagesNode.isArray() || messagesNode.isEmpty()) {
      throw new IllegalArgumentException("messages must be a non-empty array");
    }
    List<ChatMessage> messages = new ArrayList<>();
    for (int i = 0; i < messagesNode.size(); i++) {
      JsonNode m = messagesNode.get(i);
      String where = "messages[" + i + "]";
      ChatMessage.Role role;
      try {
        role = ChatMessage.Role.valueOf(m.path("role").asText("").toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ".role is not system, user or assistant");
      }
      JsonNode content = m.path("content");
      List<ChatMessage.Part> parts = new ArrayList<>();
      if (content.isTextual()) {
        parts.add(new ChatMessage.Text(content.asText()));
      } else if (content.isArray()) {
        for (int j = 0; j < content.size(); j++) {
          parts.add(part(content.get(j), where + ".content[" + j + "]"));
        }
      } else {
        throw new IllegalArgumentException(where + ".content must be a string or an array");
      }
      if (parts.isEmpty()) {
        throw new IllegalArgumentException(where + ".content is empty");
      }
      messages.add(new ChatMessage(role, parts));
    }
    int n = root.path("n").asInt(1);
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1");
    }
    OptionalDouble temperature =
        root.path("temperature").isNumber()
            ? OptionalDouble.of(root.path("temperature").asDouble())
            : OptionalDouble.empty();
    OptionalInt maxTokens =
        root.path("max_tokens").isNumber() ? OptionalInt.of(root.path("max_tokens").asInt()) : OptionalInt.empty();
    Optional<String> schema = Optional.empty();
    JsonNode format = root.path("response_format");
    if (format.isObject() && "json_schema".equals(format.path("type").asText())) {
      JsonNode s = format.path("json_schema").path("schema");
      if (!s.isObject()) {
        throw new IllegalArgumentException("response_format.json_schema.schema must be an object");
      }
      schema = Optional.of(new String(bytes(json, s), StandardCharsets.UTF_8));
    }
    return new ChatRequest(model, messages, temperature, maxTokens, n, schema);
  }

  private static ChatMessage.Part part(JsonNode p, String where) {
    String type = p.path("type").asText("");
    switch (type) {
      case "text":
        return new ChatMessage.Text(text(p, "text"));
      case "image_url":
        String url = p.path("image_url").path("url").asText("");
        boolean jpeg;
        if (url.startsWith(JPEG_URL)) {
          jpeg = true;
        } else if (url.startsWith(PNG_URL)) {
          jpeg = false;
        } else {
          throw new IllegalArgumentException(where + ".image_url.url is not a PNG or JPEG base64 data URL");
        }
        byte[] bytes;
        try {
          bytes = Base64.getDecoder().decode(url.substring(url.indexOf(',') + 1));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(where + ".image_url.url has invalid base64");
        }
        RgbImage image = ImageCodec.decode(bytes, where);
        return new ChatMessage.Image(image, jpeg);
      default:
        throw new IllegalArgumentException(where + ".type must be text or image_url, got '" + type + "'");
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.path(field);
    if (!v.isTextual()) {
      throw new IllegalArgumentException(field + " must be a string");
    }
    return v.asText();
  }
}
