package io.gptedit.testkit.remote;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.remote.ChatMessage;
import io.gptedit.core.remote.ChatRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * The server side of the OpenAI wire format, as the stand-in server reads it: {@code multipart/form-data} bodies
 * (RFC 7578) of the image edit endpoint and chat completion requests. The client's side (writing) is in
 * {@code gptedit-core}; the two meet only on the wire, which is what the loopback tests check.
 */
final class StandInWire {
  /** Base64 images in requests run to tens of megabytes; Jackson's default string limit is lower. */
  private static final int MAX_STRING_LENGTH = 512 * 1024 * 1024;

  private static final String PNG_URL = "data:image/png;base64,";
  private static final String JPEG_URL = "data:image/jpeg;base64,";
  private static final byte[] CRLF = {'\r', '\n'};

  private StandInWire() {}

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

  /** One part: a form field name, an optional file name and content type, and the bytes. */
  record Part(String name, String filename, String contentType, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /**
   * Returns the boundary parameter of a multipart content type.
   *
   * @throws IllegalArgumentException if the type is not multipart/form-data or has no boundary
   */
  static String boundaryOf(String contentType) {
    if (contentType == null
        || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
      throw new IllegalArgumentException("Content-Type is not multipart/form-data: " + contentType);
    }
    for (String param : contentType.split(";")) {
      String p = param.trim();
      if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
        String b = p.substring("boundary=".length());
        if (b.length() >= 2 && b.startsWith("\"") && b.endsWith("\"")) {
          b = b.substring(1, b.length() - 1);
        }
        if (b.isEmpty()) {
          break;
        }
        return b;
      }
    }
    throw new IllegalArgumentException("multipart Content-Type has no boundary");
  }

  /**
   * Parses a body into its parts, in order.
   *
   * @throws IllegalArgumentException if the body is not well-formed multipart with this boundary
   */
  static List<Part> parse(byte[] body, String boundary) {
    byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
    byte[] nextDelimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
    int pos = indexOf(body, delimiter, 0);
    if (pos < 0) {
      throw new IllegalArgumentException("multipart body has no opening boundary");
    }
    pos += delimiter.length;
    List<Part> parts = new ArrayList<>();
    while (true) {
      if (startsWith(body, pos, new byte[] {'-', '-'})) {
        return parts;
      }
      if (!startsWith(body, pos, CRLF)) {
        throw new IllegalArgumentException("malformed multipart boundary line at byte " + pos);
      }
      pos += 2;
      int headersEnd = indexOf(body, new byte[] {'\r', '\n', '\r', '\n'}, pos);
      if (headersEnd < 0) {
        throw new IllegalArgumentException("multipart part without a header terminator at byte " + pos);
      }
      Map<String, String> headers = new LinkedHashMap<>();
      String headerText = new String(body, pos, headersEnd - pos, StandardCharsets.UTF_8);
      for (String line : headerText.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon <= 0) {
          throw new IllegalArgumentException("malformed multipart header line: " + line);
        }
        headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
      }
      int contentStart = headersEnd + 4;
      int contentEnd = indexOf(body, nextDelimiter, contentStart);
      if (contentEnd < 0) {
        throw new IllegalArgumentException("multipart part is not terminated by the boundary");
      }
      String disposition = headers.get("content-disposition");
      if (disposition == null) {
        throw new IllegalArgumentException("multipart part without Content-Disposition");
      }
      String name = dispositionParam(disposition, "name");
      if (name == null) {
        throw new IllegalArgumentException("multipart part without a name: " + disposition);
      }
      byte[] content = new byte[contentEnd - contentStart];
      System.arraycopy(body, contentStart, content, 0, content.length);
      parts.add(
          new Part(name, dispositionParam(disposition, "filename"), headers.get("content-type"), content));
      pos = contentEnd + nextDelimiter.length;
    }
  }

  private static String dispositionParam(String disposition, String key) {
    int i = 0;
    int n = disposition.length();
    while (i < n) {
      int semi = disposition.indexOf(';', i);
      if (semi < 0) {
        return null;
      }
      i = semi + 1;
      while (i < n && disposition.charAt(i) == ' ') {
        i++;
      }
      int eq = disposition.indexOf('=', i);
      if (eq < 0) {
        return null;
      }
      String k = disposition.substring(i, eq).trim();
      i = eq + 1;
      String value;
      if (i < n && disposition.charAt(i) == '"') {
        StringBuilder v = new StringBuilder();
        i++;
        while (i < n && disposition.charAt(i) != '"') {
          char c = disposition.charAt(i);
          if (c == '\\' && i + 1 < n) {
            c = disposition.charAt(++i);
          }
          v.append(c);
          i++;
        }
        i++;
        value = v.toString();
      } else {
        int end = disposition.indexOf(';', i);
        value = disposition.substring(i, end < 0 ? n : end).trim();
        i = end < 0 ? n : end;
      }
      if (k.equalsIgnoreCase(key)) {
        return value;
      }
    }
    return null;
  }

  private static boolean startsWith(byte[] a, int from, byte[] prefix) {
    if (from + prefix.length > a.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (a[from + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] a, byte[] needle, int from) {
    outer:
    for (int i = from; i <= a.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (a[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
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
