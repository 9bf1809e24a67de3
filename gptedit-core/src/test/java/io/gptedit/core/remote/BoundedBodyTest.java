package io.gptedit.core.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The reply body limit: before it, {@code BodyHandlers.ofByteArray} read a reply of any length into memory, so a
 * server streaming gigabytes exhausted the heap before any check ran.
 */
class BoundedBodyTest {
  private static final class Sub implements Flow.Subscription {
    final AtomicBoolean cancelled = new AtomicBoolean();

    @Override
    public void request(long n) {}

    @Override
    public void cancel() {
      cancelled.set(true);
    }
  }

  @Test
  void bodyStreamingPastTheLimitIsCancelledAtOnceAndFailsTooLarge() throws Exception {
    BoundedBody body = new BoundedBody(1000, 200, -1);
    Sub sub = new Sub();
    body.onSubscribe(sub);
    body.onNext(List.of(ByteBuffer.allocate(600)));
    assertThat(sub.cancelled).isFalse();
    body.onNext(List.of(ByteBuffer.allocate(600)));
    assertThat(sub.cancelled).isTrue();
    body.onNext(List.of(ByteBuffer.allocate(1 << 20))); // late chunks are dropped, not buffered
    body.onComplete();
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
        ExecutionException.class, () -> body.getBody().toCompletableFuture().get());
    assertThat(BoundedBody.tooLarge(new java.io.IOException("send", e.getCause()))).isNotNull()
        .satisfies(t -> {
          assertThat(t.status()).isEqualTo(200);
          assertThat(t.getMessage()).contains("over the limit of 1000");
        });
  }

  @Test
  void declaredContentLengthOverTheLimitFailsBeforeReading() {
    BoundedBody body = new BoundedBody(1000, 200, 5_000_000_000L);
    Sub sub = new Sub();
    body.onSubscribe(sub);
    assertThat(sub.cancelled).isTrue();
    assertThat(body.getBody().toCompletableFuture()).isCompletedExceptionally();
  }

  @Test
  void bodyWithinTheLimitIsReturnedWhole() throws Exception {
    BoundedBody body = new BoundedBody(1000, 200, 1000);
    body.onSubscribe(new Sub());
    body.onNext(List.of(ByteBuffer.wrap(new byte[] {1, 2, 3}), ByteBuffer.allocate(997)));
    body.onComplete();
    assertThat(body.getBody().toCompletableFuture().get()).hasSize(1000).startsWith(1, 2, 3);
  }

  @Test
  void httpClientSendFailsTooLargeForAChunkedBodyStreamingPastTheLimit() throws Exception {
    // A real HttpClient against a local JDK server streaming a body just over a small limit, through the handler.
    com.sun.net.httpserver.HttpServer server =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", ex -> {
      ex.sendResponseHeaders(200, 0); // chunked: no Content-Length
      try (var out = ex.getResponseBody()) {
        byte[] block = new byte[8192];
        for (int i = 0; i < 64; i++) {
          out.write(block);
        }
      } catch (java.io.IOException cancelled) {
        // the client hung up, as it should
      }
    });
    server.start();
    try {
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
          java.net.URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/")).build();
      java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(
          java.io.IOException.class, () -> http.send(request, BoundedBody.handler(100_000)));
      assertThat(BoundedBody.tooLarge(e)).isNotNull();
    } finally {
      server.stop(0);
    }
  }
}
