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
}
