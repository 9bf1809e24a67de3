package io.gptedit.testkit.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.remote.Endpoint;
import io.gptedit.core.remote.ImageGenerationRequest;
import io.gptedit.core.remote.OpenAiClient;
import io.gptedit.core.remote.RemoteException;
import io.gptedit.core.testing.FakeClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stand-in server seen with a plain HTTP client: routing, auth, validation, faults and counters. */
class OpenAiStandInServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private HttpResponse<String> post(URI uri, String contentType, byte[] body, String auth) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri)
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (auth != null) {
      b.header("Authorization", auth);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(OpenAiStandInServer s, Endpoint e) {
    return URI.create(s.baseUrl() + e.path());
  }

  @Test
  void bindsToLoopbackOnAnEphemeralPort() {
    try (OpenAiStandInServer s = OpenAiStandInServer.builder().build()) {
      assertThat(s.baseUrl().getHost()).isEqualTo("127.0.0.1");
      assertThat(s.port()).isPositive();
      assertThat(s.baseUrl().getPath()).isEqualTo("/v1");
    }
  }

  @Test
  void requiredBearerTokenIsEnforced() throws Exception {
    try (OpenAiStandInServer s =
        OpenAiStandInServer.builder().optGenerationService(new FakeServices()).optRequireBearerToken("tok-1").build()) {
      byte[] body = "{\"model\":\"m\",\"prompt\":\"p\",\"size\":\"4x4\"}".getBytes(StandardCharsets.UTF_8);
      URI u = uri(s, Endpoint.IMAGE_GENERATIONS);
      assertThat(post(u, "application/json", body, null).statusCode()).isEqualTo(401);
      HttpResponse<String> wrong = post(u, "application/json", body, "Bearer tok-2");
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(JSON.readTree(wrong.body()).at("/error/code").asText()).isEqualTo("invalid_api_key");
      assertThat(wrong.body()).doesNotContain("tok-1").doesNotContain("tok-2");
      HttpResponse<String> ok = post(u, "application/json", body, "Bearer tok-1");
      assertThat(ok.statusCode()).isEqualTo(200);
      JsonNode reply = JSON.readTree(ok.body());
      byte[] png = java.util.Base64.getDecoder().decode(reply.at("/data/0/b64_json").asText());
      assertThat(ImageCodec.decode(png, "reply").width()).isEqualTo(4);
      assertThat(reply.at("/usage/output_tokens").asLong()).isEqualTo(FakeServices.GENERATION_USAGE.outputTokens());
      assertThat(s.requests(Endpoint.IMAGE_GENERATIONS)).isEqualTo(3);
    }
  }

  @Test
  void invalidRequestsAnswer400NamingTheField() throws Exception {
    try (OpenAiStandInServer s =
        OpenAiStandInServer.builder().optEditService(new FakeServices()).optGenerationService(new FakeServices()).build()) {
      HttpResponse<String> badSize =
          post(
              uri(s, Endpoint.IMAGE_GENERATIONS),
              "application/json",
              "{\"model\":\"m\",\"prompt\":\"p\",\"size\":\"big\"}".getBytes(StandardCharsets.UTF_8),
              null);
      assertThat(badSize.statusCode()).isEqualTo(400);
      assertThat(badSize.body()).contains("size");

      byte[] noImage = MultipartBodies.of(List.of(
          MultipartBodies.field("model", "m"), MultipartBodies.field("prompt", "p"), MultipartBodies.field("size", "4x4")));
      HttpResponse<String> missing = post(uri(s, Endpoint.IMAGE_EDITS), MultipartBodies.CONTENT_TYPE, noImage, null);
      assertThat(missing.statusCode()).isEqualTo(400);
      assertThat(missing.body()).contains("image");

      byte[] junk = MultipartBodies.of(List.of(
          MultipartBodies.field("model", "m"),
          MultipartBodies.field("prompt", "p"),
          MultipartBodies.field("size", "4x4"),
          MultipartBodies.file("image", "image.png", "image/png", "not a png".getBytes(StandardCharsets.UTF_8))));
      assertThat(post(uri(s, Endpoint.IMAGE_EDITS), MultipartBodies.CONTENT_TYPE, junk, null).statusCode())
          .isEqualTo(400);
      assertThat(
              post(uri(s, Endpoint.IMAGE_EDITS), "application/json", "{}".getBytes(StandardCharsets.UTF_8), null)
                  .statusCode())
          .isEqualTo(400);
      assertThat(
              post(URI.create(s.baseUrl() + "/models"), "application/json", new byte[0], null).statusCode())
          .isEqualTo(404);
    }
  }

  @Test
  void endpointWithoutAServiceAnswers404AndTheClientDoesNotRetry() {
    try (OpenAiStandInServer s = OpenAiStandInServer.builder().build();
        OpenAiClient c =
            OpenAiClient.builder().optBaseUrl(s.baseUrl()).optApiKeyRequired(false).optClock(new FakeClock()).build()) {
      assertThatThrownBy(() -> c.generate(ImageGenerationRequest.of("x", Size.of(4, 4))))
          .isInstanceOfSatisfying(
              RemoteException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(RemoteException.Kind.BAD_REQUEST);
                assertThat(e.status()).isEqualTo(404);
              });
      assertThat(s.requests(Endpoint.IMAGE_GENERATIONS)).isEqualTo(1);
    }
  }

  @Test
  void faultsAreServedInPlannedOrderPerEndpoint() throws Exception {
    try (OpenAiStandInServer s = OpenAiStandInServer.builder().optGenerationService(new FakeServices()).build()) {
      s.faults()
          .inject(Endpoint.IMAGE_GENERATIONS, 1, FaultPlan.Fault.rateLimited("2"))
          .inject(Endpoint.IMAGE_GENERATIONS, 1, FaultPlan.Fault.serverError(503))
          .inject(Endpoint.CHAT_COMPLETIONS, 1, FaultPlan.Fault.badRequest());
      assertThat(s.faults().pending(Endpoint.IMAGE_GENERATIONS)).isEqualTo(2);
      byte[] body = "{\"model\":\"m\",\"prompt\":\"p\",\"size\":\"4x4\"}".getBytes(StandardCharsets.UTF_8);
      URI u = uri(s, Endpoint.IMAGE_GENERATIONS);
      HttpResponse<String> first = post(u, "application/json", body, null);
      assertThat(first.statusCode()).isEqualTo(429);
      assertThat(first.headers().firstValue("Retry-After")).contains("2");
      assertThat(post(u, "application/json", body, null).statusCode()).isEqualTo(503);
      assertThat(post(u, "application/json", body, null).statusCode()).isEqualTo(200);
      assertThat(s.faults().pending(Endpoint.IMAGE_GENERATIONS)).isZero();
      assertThat(s.faults().pending(Endpoint.CHAT_COMPLETIONS)).isEqualTo(1);
      assertThat(s.requests(Endpoint.IMAGE_GENERATIONS)).isEqualTo(3);
      assertThat(s.requests(Endpoint.IMAGE_EDITS)).isZero();
    }
  }

  @Test
  void latencyDelaysEveryReply() throws Exception {
    try (OpenAiStandInServer s =
        OpenAiStandInServer.builder()
            .optGenerationService(new FakeServices())
            .optLatency(Duration.ofMillis(150))
            .build()) {
      byte[] body = "{\"model\":\"m\",\"prompt\":\"p\",\"size\":\"4x4\"}".getBytes(StandardCharsets.UTF_8);
      long t0 = System.nanoTime();
      assertThat(post(uri(s, Endpoint.IMAGE_GENERATIONS), "application/json", body, null).statusCode())
          .isEqualTo(200);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
      assertThat(s.faults().latency()).isEqualTo(Duration.ofMillis(150));
    }
  }

  @Test
  void extraGenerationFieldsArriveAsText() {
    FakeServices services = new FakeServices();
    try (OpenAiStandInServer s = OpenAiStandInServer.builder().optGenerationService(services).build();
        OpenAiClient c =
            OpenAiClient.builder().optBaseUrl(s.baseUrl()).optApiKeyRequired(false).optClock(new FakeClock()).build()) {
      c.generate(
          new ImageGenerationRequest(
              "x", Size.of(4, 4), Map.of("output_compression", "80", "background", "opaque", "stream", "false")));
      assertThat(services.generations.get(0).extra())
          .containsEntry("output_compression", "80")
          .containsEntry("background", "opaque")
          .containsEntry("stream", "false");
    }
  }
}
