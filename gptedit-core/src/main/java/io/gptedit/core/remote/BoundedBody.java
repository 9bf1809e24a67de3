package io.gptedit.core.remote;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serial;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read into a {@code byte[]} of at most a given number of bytes: a declared
 * {@code Content-Length} over the limit fails before anything is read, and a body that streams past the limit is
 * cancelled as soon as it does, so a misbehaving server cannot fill the heap.
 */
final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
  /** The body was over the limit; {@link java.net.http.HttpClient#send} wraps it in an {@link IOException}. */
  static final class TooLarge extends IOException {
    @Serial private static final long serialVersionUID = 1L;

    private final int status;

    TooLarge(int status, String message) {
      super(message);
      this.status = status;
    }

    int status() {
      return status;
    }
  }

  private final long limit;
  private final int status;
  private final long declared;
  private final CompletableFuture<byte[]> result = new CompletableFuture<>();
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private Flow.Subscription subscription;

  BoundedBody(long limit, int status, long declaredLength) {
    this.limit = limit;
    this.status = status;
    this.declared = declaredLength;
  }

  /**
   * A body handler whose bodies are at most {@code limit} bytes.
   *
   * @param limit the most bytes accepted
   * @return the handler
   */
  static HttpResponse.BodyHandler<byte[]> handler(long limit) {
    return info -> new BoundedBody(limit, info.statusCode(), info.headers().firstValueAsLong("content-length").orElse(-1L));
  }

  /**
   * Finds the {@link TooLarge} behind an exception from {@link java.net.http.HttpClient#send}, if there is one.
   *
   * @param e the exception
   * @return the cause, or {@code null}
   */
  static TooLarge tooLarge(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof TooLarge tl) {
        return tl;
      }
    }
    return null;
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return result;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    if (declared > limit) {
      s.cancel();
      result.completeExceptionally(
          new TooLarge(status, "reply declares " + declared + " bytes (Content-Length), over the limit of " + limit));
      return;
    }
    s.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(List<ByteBuffer> items) {
    if (result.isDone()) {
      return;
    }
    for (ByteBuffer b : items) {
      if ((long) bytes.size() + b.remaining() > limit) {
        subscription.cancel();
        result.completeExceptionally(new TooLarge(status, "reply body is over the limit of " + limit + " bytes"));
        return;
      }
      byte[] chunk = new byte[b.remaining()];
      b.get(chunk);
      bytes.write(chunk, 0, chunk.length);
    }
  }

  @Override
  public void onError(Throwable throwable) {
    result.completeExceptionally(throwable);
  }

  @Override
  public void onComplete() {
    result.complete(bytes.toByteArray());
  }
}
