package io.gptedit.models.text;

import java.nio.charset.StandardCharsets;

/**
 * The ByT5 byte-level scheme: each UTF-8 byte {@code b} becomes id {@code b + 3} (0 pad, 1 end of sequence,
 * 2 unknown), followed by id 1. It needs no vocabulary file, so tiny test encoders (vocabulary of at least 259)
 * can read real text; the released T5-XXL needs its SentencePiece vocabulary instead.
 *
 * @since 0.1
 */
public final class ByteTokenizer implements TextTokenizer {
  /** Padding id. */
  public static final int PAD = 0;
  /** End-of-sequence id. */
  public static final int EOS = 1;
  /** Offset of byte ids. */
  public static final int OFFSET = 3;
  /** The smallest vocabulary this scheme needs. */
  public static final int VOCAB = 256 + OFFSET;

  /** Creates the tokenizer. */
  public ByteTokenizer() {}

  @Override
  public int[] encode(String text, int maxTokens) {
    if (maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
    }
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    int n = Math.min(bytes.length, maxTokens - 1);
    int[] ids = new int[n + 1];
    for (int i = 0; i < n; i++) {
      ids[i] = (bytes[i] & 0xff) + OFFSET;
    }
    ids[n] = EOS;
    return ids;
  }
}
