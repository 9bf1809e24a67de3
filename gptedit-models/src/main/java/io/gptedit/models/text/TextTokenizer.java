package io.gptedit.models.text;

/** Turns text into token ids for a text encoder. */
public interface TextTokenizer {
  /**
   * Tokenizes text, truncating to {@code maxTokens} and ending with the end-of-sequence id.
   *
   * @param text the text
   * @param maxTokens the largest number of ids returned, end-of-sequence included
   * @return the ids
   */
  int[] encode(String text, int maxTokens);
}
