package io.gptedit.core.remote;

import io.gptedit.core.GpteditException;
import java.io.Serial;

/**
 * A remote call failed. {@link #kind()} says whether it is worth retrying. Messages never contain API keys.
 *
 * @since 0.1
 */
public final class RemoteException extends GpteditException {
  @Serial private static final long serialVersionUID = 1L;

  /** The classes of failure a caller handles differently. */
  public enum Kind {
    /** HTTP 429: slow down and retry. */
    RATE_LIMITED(true),
    /** HTTP 5xx: retry. */
    SERVER_ERROR(true),
    /** No reply within the timeout, or the connection broke: retry. */
    TIMEOUT(true),
    /** The reply could not be parsed (malformed JSON, truncated or non-image payload): retry. */
    MALFORMED_RESPONSE(true),
    /** HTTP 400/404/422 and other client errors: do not retry; record as the sample's outcome. */
    BAD_REQUEST(false),
    /** The service refused the content (safety system): do not retry; record as the sample's outcome. */
    CONTENT_POLICY(false),
    /** HTTP 401/403: the key is missing or wrong; stop. */
    UNAUTHORIZED(false);

    private final boolean retryable;

    Kind(boolean retryable) {
      this.retryable = retryable;
    }

    /**
     * Returns whether a retry may succeed.
     *
     * @return {@code true} for transient failures
     */
    public boolean retryable() {
      return retryable;
    }
  }

  private final Kind kind;
  private final int status;

  /**
   * Creates the exception.
   *
   * @param kind the class of failure
   * @param status the HTTP status, or 0 when there was no reply
   * @param message what failed (endpoint, status, the service's error text); never the API key
   * @param cause the underlying failure, or {@code null}
   */
  public RemoteException(Kind kind, int status, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.status = status;
  }

  /**
   * Returns the class of failure.
   *
   * @return the kind
   */
  public Kind kind() {
    return kind;
  }

  /**
   * Returns the HTTP status.
   *
   * @return the status, or 0 when no reply arrived
   */
  public int status() {
    return status;
  }

  /**
   * Returns whether a retry may succeed.
   *
   * @return {@code kind().retryable()}
   */
  public boolean retryable() {
    return kind.retryable();
  }
}
