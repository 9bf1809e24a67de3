package io.gptedit.testkit.remote;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Builds {@code multipart/form-data} bodies by hand (RFC 7578), to feed the stand-in's parser in tests. */
final class MultipartBodies {
  static final String BOUNDARY = "test-boundary-7f3a";
  static final String CONTENT_TYPE = "multipart/form-data; boundary=" + BOUNDARY;

  private MultipartBodies() {}

  /** Returns a body holding the parts in order; a part with a file name is written as a file part. */
  static byte[] of(List<StandInWire.Part> parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (StandInWire.Part p : parts) {
      StringBuilder head = new StringBuilder("--").append(BOUNDARY).append("\r\n")
          .append("Content-Disposition: form-data; name=\"").append(quote(p.name())).append('"');
      if (p.filename() != null) {
        head.append("; filename=\"").append(quote(p.filename())).append('"');
      }
      head.append("\r\n");
      if (p.contentType() != null) {
        head.append("Content-Type: ").append(p.contentType()).append("\r\n");
      }
      out.writeBytes(head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
      out.writeBytes(p.body());
      out.writeBytes(new byte[] {'\r', '\n'});
    }
    out.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  /** A text field. */
  static StandInWire.Part field(String name, String value) {
    return new StandInWire.Part(name, null, null, value.getBytes(StandardCharsets.UTF_8));
  }

  /** A file part. */
  static StandInWire.Part file(String name, String filename, String contentType, byte[] body) {
    return new StandInWire.Part(name, filename, contentType, body);
  }

  private static String quote(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
