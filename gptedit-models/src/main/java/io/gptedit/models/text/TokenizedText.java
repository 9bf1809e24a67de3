package io.gptedit.models.text;

import java.util.Arrays;

/**
 * Token ids padded to a fixed length, with the attention mask a transformers tokenizer returns for
 * {@code padding="max_length", truncation=True}: 1 for every real token (special tokens included), 0 for padding.
 *
 * @param ids the ids, {@code length} of them
 * @param attentionMask 1 for real tokens, 0 for padding; as long as {@code ids}
 * @param truncated whether the text had more tokens than fit and was cut
 *
 * @since 0.1
 */
public record TokenizedText(int[] ids, int[] attentionMask, boolean truncated) {
  /**
   * Validates the arrays and takes copies.
   *
   * @throws IllegalArgumentException if the lengths differ, the mask holds values other than 0 and 1, or it is empty
   */
  public TokenizedText {
    ids = ids.clone();
    attentionMask = attentionMask.clone();
    if (ids.length != attentionMask.length || ids.length == 0) {
      throw new IllegalArgumentException(
          "ids (" + ids.length + ") and attention mask (" + attentionMask.length
              + ") must be equally long and non-empty");
    }
    for (int m : attentionMask) {
      if (m != 0 && m != 1) {
        throw new IllegalArgumentException("attention mask values must be 0 or 1, got " + m);
      }
    }
  }

  /**
   * Returns the ids.
   *
   * @return a copy
   */
  @Override
  public int[] ids() {
    return ids.clone();
  }

  /**
   * Returns the attention mask.
   *
   * @return a copy
   */
  @Override
  public int[] attentionMask() {
    return attentionMask.clone();
  }

  /**
   * Returns the number of real (unpadded) tokens.
   *
   * @return the count of ones in the mask
   */
  public int realTokens() {
    return Arrays.stream(attentionMask).sum();
  }

  /**
   * Returns the padded length.
   *
   * @return the number of ids
   */
  public int length() {
    return ids.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TokenizedText t
        && truncated == t.truncated
        && Arrays.equals(ids, t.ids)
        && Arrays.equals(attentionMask, t.attentionMask);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(ids) + Arrays.hashCode(attentionMask)) + Boolean.hashCode(truncated);
  }

  @Override
  public String toString() {
    return "TokenizedText[ids=" + Arrays.toString(ids) + ", attentionMask=" + Arrays.toString(attentionMask)
        + ", truncated=" + truncated + "]";
  }
}
