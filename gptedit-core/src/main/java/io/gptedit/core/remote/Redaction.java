package io.gptedit.core.remote;

/**
 * Removes the API key from text the client puts into messages (its own and whatever a server echoes back). Not a
 * record on purpose: a record's {@code toString} would print the key.
 */
final class Redaction {
  static final String REDACTED = "[redacted]";

  private final String key;

  /** Redacts {@code key}; {@code null} or empty redacts nothing. */
  Redaction(String key) {
    this.key = key == null || key.isEmpty() ? null : key;
  }

  /** Returns the text with every occurrence of the key replaced by {@value #REDACTED}. */
  String apply(String text) {
    return key == null ? text : text.replace(key, REDACTED);
  }

  @Override
  public String toString() {
    return "Redaction";
  }
}
