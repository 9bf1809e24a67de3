package io.gptedit.models.text;

/**
 * A frozen text encoder: text in, token features (and optionally a pooled vector) out. The editors' text fusions
 * read it; it is never trained, so its outputs can be computed once per sample and cached.
 *
 * <p>Implementations: {@link T5TextEncoder} (a {@link T5Encoder} with its tokenizer) and {@link
 * WordHashTextEncoder} (weightless, for tiny configs).
 *
 * @since 0.1
 */
public interface TextEncoder {
  /**
   * Returns a description that identifies the encoder and its weights, for caches and checkpoints.
   *
   * @return the identity, for example {@code word-hash(tokens=16, dim=32, seed=12345)}
   */
  String id();

  /**
   * Returns features per token.
   *
   * @return the token width
   */
  int dim();

  /**
   * Returns the number of tokens every encoding has (texts are padded or truncated to it).
   *
   * @return the token count
   */
  int tokens();

  /**
   * Returns the size of the pooled vector, 0 when the encoder has none.
   *
   * @return the pooled size
   */
  int pooledDim();

  /**
   * Encodes one text.
   *
   * @param text the text
   * @return {@link #tokens()} tokens of {@link #dim()} features, and the pooled vector
   */
  EncodedText encode(String text);
}
