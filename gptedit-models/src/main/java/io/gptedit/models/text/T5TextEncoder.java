package io.gptedit.models.text;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * A {@link T5Encoder} with its tokenizer as a {@link TextEncoder}: texts are tokenized, padded to a fixed length
 * (512 for Flux and Kontext, as their pipelines pad) and encoded; T5 has no pooled vector. Without padding a text
 * keeps the tokenizer's length (at most {@code tokens}), which only batch-1 inference can use. The encoder is not
 * owned: close it yourself.
 *
 * @since 0.1
 */
public final class T5TextEncoder implements TextEncoder {
  private final T5Encoder t5;
  private final TextTokenizer tokenizer;
  private final int tokens;
  private final String id;
  private final boolean pad;

  /**
   * Creates the adapter that pads every text to {@code tokens} ids.
   *
   * @param t5 the encoder
   * @param tokenizer its tokenizer; every text is padded or cut to {@code tokens} ids
   * @param tokens the sequence length
   * @param id an identity for caches and checkpoints (for example the encoder folder and its hash)
   */
  public T5TextEncoder(T5Encoder t5, TextTokenizer tokenizer, int tokens, String id) {
    this(t5, tokenizer, tokens, id, true);
  }

  /**
   * Creates the adapter.
   *
   * @param t5 the encoder
   * @param tokenizer its tokenizer; texts are cut to {@code tokens} ids
   * @param tokens the largest sequence length
   * @param id an identity for caches and checkpoints
   * @param pad whether shorter texts are padded to {@code tokens} ids (with the pad id 0, as T5 pads)
   */
  public T5TextEncoder(T5Encoder t5, TextTokenizer tokenizer, int tokens, String id, boolean pad) {
    this.t5 = requireNonNull(t5, "t5");
    this.tokenizer = requireNonNull(tokenizer, "tokenizer");
    if (tokens < 1) {
      throw new IllegalArgumentException("tokens must be >= 1, got " + tokens);
    }
    this.tokens = tokens;
    this.id = requireNonNull(id, "id");
    this.pad = pad;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public int dim() {
    return t5.config().dModel();
  }

  @Override
  public int tokens() {
    return tokens;
  }

  @Override
  public int pooledDim() {
    return 0;
  }

  @Override
  public EncodedText encode(String text) {
    int[] ids = tokenizer.encode(text, tokens);
    int[] row = pad ? java.util.Arrays.copyOf(ids, tokens) : ids; // pad id 0, as T5 pads
    try (NDManager m = NDManager.newBaseManager(t5.parameters().device())) {
      NDArray hidden = t5.encode(new int[][] {row}, m);
      return new EncodedText(hidden.toFloatArray(), row.length, dim(), new float[0]);
    }
  }
}
