package io.gptedit.models.text;

import java.util.Arrays;

/**
 * Turns text into token ids for a text encoder.
 *
 * <p>{@link #encode} gives the ids of one text, truncated; {@link #tokenize} pads them to a fixed length with an
 * attention mask, as the reference pipelines call their tokenizers ({@code padding="max_length",
 * truncation=True}).
 *
 * @since 0.1
 */
public interface TextTokenizer {
  /**
   * Tokenizes text, truncating to {@code maxTokens} with the tokenizer's special tokens (end of sequence, and a
   * beginning of sequence where the tokenizer has one) kept.
   *
   * @param text the text
   * @param maxTokens the largest number of ids returned, special tokens included
   * @return the ids
   * @throws IllegalArgumentException if {@code maxTokens} is too small to hold the special tokens
   */
  int[] encode(String text, int maxTokens);

  /**
   * Returns the id used for padding.
   *
   * @return the padding id (0 unless the tokenizer says otherwise)
   */
  default int padId() {
    return 0;
  }

  /**
   * Tokenizes text to exactly {@code length} ids: truncated like {@link #encode}, then padded on the right with
   * {@link #padId()}; the attention mask is 1 for real tokens and 0 for padding.
   *
   * @param text the text
   * @param length the padded length
   * @return the ids, mask and whether the text was truncated
   * @throws IllegalArgumentException if {@code length} is too small to hold the special tokens
   */
  default TokenizedText tokenize(String text, int length) {
    int[] ids = encode(text, length);
    boolean truncated = ids.length == length && encode(text, length + 1).length > length;
    int[] padded = new int[length];
    int[] mask = new int[length];
    Arrays.fill(padded, padId());
    System.arraycopy(ids, 0, padded, 0, ids.length);
    Arrays.fill(mask, 0, ids.length, 1);
    return new TokenizedText(padded, mask, truncated);
  }
}
