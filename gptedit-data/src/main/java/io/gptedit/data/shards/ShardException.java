package io.gptedit.data.shards;

import io.gptedit.core.GpteditException;
import java.io.Serial;

/** A shard could not be written or read; the message names the shard and, when known, the key and member.
 *
 * @since 0.1
 */
public final class ShardException extends GpteditException {
  @Serial private static final long serialVersionUID = 1L;

  private final transient ShardError error;

  /**
   * Creates the exception for a read error.
   *
   * @param error what went wrong where
   * @param cause the underlying failure, or {@code null}
   */
  public ShardException(ShardError error, Throwable cause) {
    super(error.toString(), cause);
    this.error = error;
  }

  /**
   * Creates the exception with a message.
   *
   * @param message what went wrong
   * @param cause the underlying failure, or {@code null}
   */
  public ShardException(String message, Throwable cause) {
    super(message, cause);
    this.error = null;
  }

  /**
   * Returns the read error, when this exception reports one.
   *
   * @return the error, or {@code null} for a write failure
   */
  public ShardError error() {
    return error;
  }
}
