package io.gptedit.testkit.remote;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.gptedit.core.remote.Endpoint;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Map;

/**
 * The faults an {@link OpenAiStandInServer} injects, per endpoint, in the order they were planned, plus a fixed
 * artificial latency for every reply. Thread-safe.
 *
 * <p>Each request to an endpoint takes the next planned fault for that endpoint, if any, and otherwise is served
 * normally:
 *
 * <pre>{@code
 * server.faults()
 *     .inject(Endpoint.IMAGE_EDITS, 2, FaultPlan.Fault.rateLimited("1"))
 *     .inject(Endpoint.IMAGE_EDITS, 1, FaultPlan.Fault.serverError(500));
 * }</pre>
 *
 * @since 0.1
 */
public final class FaultPlan {
  private final Map<Endpoint, Deque<Fault>> queues = new EnumMap<>(Endpoint.class);
  private Duration latency = Duration.ZERO;

  FaultPlan() {
    for (Endpoint e : Endpoint.values()) {
      queues.put(e, new ArrayDeque<>());
    }
  }

  /**
   * Plans a fault for the next {@code times} requests to an endpoint, after any already planned.
   *
   * @param endpoint the endpoint
   * @param times how many requests get it, at least 1
   * @param fault the fault
   * @return this plan
   */
  public synchronized FaultPlan inject(Endpoint endpoint, int times, Fault fault) {
    requireNonNull(endpoint, "endpoint");
    requireNonNull(fault, "fault");
    checkArgument(times >= 1, "times must be >= 1, got %s", times);
    for (int i = 0; i < times; i++) {
      queues.get(endpoint).addLast(fault);
    }
    return this;
  }

  /**
   * Sets a latency added before every reply (faulted or not), to simulate a slow service.
   *
   * @param latency zero or more
   * @return this plan
   */
  public synchronized FaultPlan latency(Duration latency) {
    requireNonNull(latency, "latency");
    checkArgument(!latency.isNegative(), "latency must be >= 0, got %s", latency);
    this.latency = latency;
    return this;
  }

  /**
   * Returns the latency added before every reply.
   *
   * @return the latency
   */
  public synchronized Duration latency() {
    return latency;
  }

  /**
   * Returns how many planned faults an endpoint has not served yet.
   *
   * @param endpoint the endpoint
   * @return the count
   */
  public synchronized int pending(Endpoint endpoint) {
    return queues.get(requireNonNull(endpoint, "endpoint")).size();
  }

  /** Drops every planned fault and resets the latency to zero. */
  public synchronized void clear() {
    queues.values().forEach(Deque::clear);
    latency = Duration.ZERO;
  }

  synchronized Fault next(Endpoint endpoint) {
    return queues.get(endpoint).pollFirst();
  }

  /**
   * One injected fault. Build it with the static factories.
   *
   * @param type what goes wrong
   * @param status the HTTP status of an error reply (0 for faults that answer 200 or delay)
   * @param code the {@code error.code} of an error reply, or {@code null}
   * @param retryAfter the {@code Retry-After} header value of an error reply, or {@code null} for none
   * @param delay how long a {@link Type#DELAY} fault waits before answering normally
   */
  public record Fault(Type type, int status, String code, String retryAfter, Duration delay) {
    /** What goes wrong. */
    public enum Type {
      /** An error reply with a status, an OpenAI-style error body and maybe {@code Retry-After}. */
      ERROR,
      /** Wait, then answer normally (longer than the client's timeout, the client sees a timeout). */
      DELAY,
      /** A 200 whose body is cut-off JSON. */
      MALFORMED_JSON,
      /** A 200 whose image base64 is cut in half (a truncated PNG); on chat, a reply with no choices. */
      TRUNCATED_BASE64,
      /** A 200 whose base64 decodes to text, not an image; on chat, a reply with no choices. */
      NON_IMAGE_PAYLOAD
    }

    /** Validates the fault. */
    public Fault {
      requireNonNull(type, "type");
      requireNonNull(delay, "delay");
      checkArgument(
          type != Type.ERROR || (status >= 400 && status <= 599), "an ERROR fault needs a 4xx/5xx status");
      checkArgument(!delay.isNegative(), "delay must be >= 0");
    }

    /**
     * Returns a 429 reply.
     *
     * @param retryAfter the {@code Retry-After} value (seconds, or an HTTP date), or {@code null} for none
     * @return the fault
     */
    public static Fault rateLimited(String retryAfter) {
      return new Fault(Type.ERROR, 429, "rate_limit_exceeded", retryAfter, Duration.ZERO);
    }

    /**
     * Returns a server error reply.
     *
     * @param status 500 to 599
     * @return the fault
     */
    public static Fault serverError(int status) {
      checkArgument(status >= 500 && status <= 599, "status must be 5xx, got %s", status);
      return new Fault(Type.ERROR, status, "server_error", null, Duration.ZERO);
    }

    /**
     * Returns a 400 reply with {@code error.code = invalid_value}.
     *
     * @return the fault
     */
    public static Fault badRequest() {
      return new Fault(Type.ERROR, 400, "invalid_value", null, Duration.ZERO);
    }

    /**
     * Returns a 400 reply with {@code error.code = content_policy_violation}, as a safety-system refusal.
     *
     * @return the fault
     */
    public static Fault contentPolicy() {
      return new Fault(Type.ERROR, 400, "content_policy_violation", null, Duration.ZERO);
    }

    /**
     * Returns an error reply with any status and code.
     *
     * @param status 400 to 599
     * @param code the {@code error.code}, or {@code null}
     * @return the fault
     */
    public static Fault error(int status, String code) {
      return new Fault(Type.ERROR, status, code, null, Duration.ZERO);
    }

    /**
     * Returns a delay before an otherwise normal reply.
     *
     * @param delay how long to wait
     * @return the fault
     */
    public static Fault delay(Duration delay) {
      return new Fault(Type.DELAY, 0, null, null, delay);
    }

    /**
     * Returns a 200 with cut-off JSON.
     *
     * @return the fault
     */
    public static Fault malformedJson() {
      return new Fault(Type.MALFORMED_JSON, 0, null, null, Duration.ZERO);
    }

    /**
     * Returns a 200 whose image is a truncated PNG.
     *
     * @return the fault
     */
    public static Fault truncatedBase64() {
      return new Fault(Type.TRUNCATED_BASE64, 0, null, null, Duration.ZERO);
    }

    /**
     * Returns a 200 whose base64 payload is not an image.
     *
     * @return the fault
     */
    public static Fault nonImagePayload() {
      return new Fault(Type.NON_IMAGE_PAYLOAD, 0, null, null, Duration.ZERO);
    }
  }
}
