package io.gptedit.eval.judge;

import static java.util.Objects.requireNonNull;

import java.util.function.Function;

/**
 * The outcome of parsing a judge's reply: the scores, or a typed failure that says why. A failure is never turned
 * into a default score.
 *
 * @param <T> the parsed value type
 * @since 0.1
 */
public sealed interface ReplyParse<T> permits ReplyParse.Parsed, ReplyParse.Unparsable {
  /**
   * The longest reply the parsers read, in characters: {@value} (64 KiB). A judge's score reply is a few hundred
   * characters; a longer one is {@link Unparsable} at once, so a runaway reply cannot cost unbounded parsing time.
   */
  int MAX_REPLY_CHARS = 64 * 1024;

  /**
   * Returns the failure for an over-long reply, or {@code null} when the reply is within {@link #MAX_REPLY_CHARS}.
   *
   * @param reply the reply
   * @param <T> the value type
   * @return the failure (quoting only the reply's start), or {@code null}
   */
  static <T> ReplyParse<T> tooLong(String reply) {
    if (reply.length() <= MAX_REPLY_CHARS) {
      return null;
    }
    return unparsable(
        "reply has " + reply.length() + " characters, over the limit of " + MAX_REPLY_CHARS,
        reply.substring(0, 200) + "...");
  }

  /**
   * A reply that parsed.
   *
   * @param value the parsed value
   * @param <T> the value type
   */
  record Parsed<T>(T value) implements ReplyParse<T> {
    /** Validates the value. */
    public Parsed {
      requireNonNull(value, "value");
    }
  }

  /**
   * A reply that could not be parsed.
   *
   * @param reason why, in one line
   * @param reply the reply text as received
   * @param <T> the value type that was expected
   */
  record Unparsable<T>(String reason, String reply) implements ReplyParse<T> {
    /** Validates the failure. */
    public Unparsable {
      requireNonNull(reason, "reason");
      requireNonNull(reply, "reply");
    }
  }

  /**
   * Returns a parsed outcome.
   *
   * @param value the value
   * @param <T> the value type
   * @return the outcome
   */
  static <T> ReplyParse<T> parsed(T value) {
    return new Parsed<>(value);
  }

  /**
   * Returns a failed outcome.
   *
   * @param reason why
   * @param reply the reply text
   * @param <T> the value type
   * @return the outcome
   */
  static <T> ReplyParse<T> unparsable(String reason, String reply) {
    return new Unparsable<>(reason, reply);
  }

  /**
   * Returns whether the reply parsed.
   *
   * @return {@code true} for {@link Parsed}
   */
  default boolean isParsed() {
    return this instanceof Parsed;
  }

  /**
   * Returns the parsed value.
   *
   * @return the value
   * @throws IllegalStateException if the reply did not parse (the message carries the reason)
   */
  default T value() {
    if (this instanceof Parsed<T> p) {
      return p.value();
    }
    throw new IllegalStateException("reply did not parse: " + ((Unparsable<T>) this).reason());
  }

  /**
   * Maps a parsed value; a failure passes through.
   *
   * @param f the mapping
   * @param <R> the new value type
   * @return the mapped outcome
   */
  default <R> ReplyParse<R> map(Function<T, R> f) {
    if (this instanceof Parsed<T> p) {
      return new Parsed<>(f.apply(p.value()));
    }
    Unparsable<T> u = (Unparsable<T>) this;
    return new Unparsable<>(u.reason(), u.reply());
  }
}
