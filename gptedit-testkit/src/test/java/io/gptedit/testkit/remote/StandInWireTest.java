package io.gptedit.testkit.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.core.geometry.Size;
import io.gptedit.core.remote.ImageEditRequest;
import io.gptedit.core.remote.OpenAiClient;
import io.gptedit.core.testing.Property;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The stand-in's side of the wire: the multipart parser, alone and behind the real client's writer. */
class StandInWireTest {
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void multipartParserRecoversArbitraryFieldsAndBinaryParts(long seed) {
    Property.forAll(
        seed,
        200,
        r -> {
          List<StandInWire.Part> parts = new ArrayList<>();
          int n = 1 + r.nextInt(5);
          for (int i = 0; i < n; i++) {
            byte[] body = new byte[r.nextInt(4) == 0 ? 0 : r.nextInt(3000)];
            for (int j = 0; j < body.length; j++) {
              // Bias towards CR, LF and '-', the bytes a boundary scanner can trip on.
              int pick = r.nextInt(6);
              body[j] = (byte) (pick == 0 ? '\r' : pick == 1 ? '\n' : pick == 2 ? '-' : r.nextInt(256));
            }
            String name = "f" + i + (r.nextBoolean() ? " \"q\"" : "");
            parts.add(
                r.nextBoolean()
                    ? MultipartBodies.file(name, "img" + i + ".png", "image/png", body)
                    : MultipartBodies.field(name, "v\r\n--é" + i));
          }
          return parts;
        },
        parts -> {
          List<StandInWire.Part> back =
              StandInWire.parse(MultipartBodies.of(parts), StandInWire.boundaryOf(MultipartBodies.CONTENT_TYPE));
          assertThat(back).hasSameSizeAs(parts);
          for (int i = 0; i < parts.size(); i++) {
            assertThat(back.get(i).name()).isEqualTo(parts.get(i).name());
            assertThat(back.get(i).filename()).isEqualTo(parts.get(i).filename());
            assertThat(back.get(i).contentType()).isEqualTo(parts.get(i).contentType());
            assertThat(back.get(i).body()).isEqualTo(parts.get(i).body());
          }
        });
  }

  @Test
  void multipartRejectsBodiesWithoutTheBoundary() {
    assertThatThrownBy(() -> StandInWire.parse("hello".getBytes(StandardCharsets.US_ASCII), "b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("boundary");
    assertThatThrownBy(() -> StandInWire.boundaryOf("application/json"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(StandInWire.boundaryOf("multipart/form-data; boundary=\"abc\"")).isEqualTo("abc");
  }

  @Test
  void theClientsMultipartWriterAndTheStandInsParserAgreeOnArbitraryFields() {
    FakeServices services = new FakeServices();
    try (OpenAiStandInServer server = OpenAiStandInServer.builder().optEditService(services).build();
        OpenAiClient client = server.clientBuilder().build()) {
      Property.forAll(
          4,
          40,
          r -> {
            Map<String, String> extra = new LinkedHashMap<>();
            int n = r.nextInt(4);
            for (int i = 0; i < n; i++) {
              StringBuilder value = new StringBuilder();
              int length = r.nextInt(40);
              for (int j = 0; j < length; j++) {
                int pick = r.nextInt(8);
                value.append(pick == 0 ? "\r\n" : pick == 1 ? "--" : pick == 2 ? "\"" : pick == 3 ? "é" : (char) ('a' + r.nextInt(26)));
              }
              extra.put("f" + i + (r.nextBoolean() ? " \"q\\\"" : ""), value.toString());
            }
            return new ImageEditRequest(
                FakeServices.gradient(1 + r.nextInt(12), 1 + r.nextInt(12), r.nextInt()), "p " + r.nextInt(), Size.of(4, 4), extra);
          },
          request -> {
            client.edit(request);
            ImageEditRequest seen = services.edits.get(services.edits.size() - 1);
            assertThat(seen.extra()).isEqualTo(request.extra());
            assertThat(seen.prompt()).isEqualTo(request.prompt());
            assertThat(seen.image()).isEqualTo(request.image());
          });
    }
  }
}
