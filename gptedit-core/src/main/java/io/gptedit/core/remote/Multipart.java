package io.gptedit.core.remote;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/** Writes {@code multipart/form-data} bodies (RFC 7578), as the image edit endpoint takes them. */
final class Multipart {
  private static final byte[] CRLF = {'\r', '\n'};

  private Multipart() {}

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
}
