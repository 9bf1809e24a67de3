package io.gptedit.core.remote;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** Writes and parses {@code multipart/form-data} bodies (RFC 7578), as the image edit endpoint uses. */
final class Multipart {
  private static final byte[] CRLF = {'\r', '\n'};

  private Multipart() {}

  /** One part: a form field name, an optional file name and content type, and the bytes. */
  record Part(String name, String filename, String contentType, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** Builds a body; the boundary is random, so it cannot collide with the content except by chance. */
  static final class Writer {
    private final String boundary;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Writer() {
      ThreadLocalRandom r = ThreadLocalRandom.current();
      this.boundary =
          "gptedit-" + Long.toHexString(r.nextLong()) + Long.toHexString(r.nextLong());
    }

    String contentType() {
      return "multipart/form-data; boundary=" + boundary;
    }

    Writer field(String name, String value) {
      head(name, null, null);
      out.writeBytes(value.getBytes(StandardCharsets.UTF_8));
      out.writeBytes(CRLF);
      return this;
    }

    Writer file(String name, String filename, String contentType, byte[] body) {
      head(name, filename, contentType);
      out.writeBytes(body);
      out.writeBytes(CRLF);
      return this;
    }

    byte[] finish() {
      ascii("--" + boundary + "--\r\n");
      return out.toByteArray();
    }

    private void head(String name, String filename, String contentType) {
      ascii("--" + boundary + "\r\n");
      StringBuilder h =
          new StringBuilder("Content-Disposition: form-data; name=\"").append(quote(name)).append('"');
      if (filename != null) {
        h.append("; filename=\"").append(quote(filename)).append('"');
      }
      h.append("\r\n");
      if (contentType != null) {
        h.append("Content-Type: ").append(contentType).append("\r\n");
      }
      h.append("\r\n");
      out.writeBytes(h.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void ascii(String s) {
      out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static String quote(String s) {
      return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\r", " ").replace("\n", " ");
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
}
