package io.gptedit.models.text;

import static com.google.common.base.Preconditions.checkArgument;

import io.gptedit.models.flow.SeededNoise;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A weightless frozen text encoder for tiny configs (tests and the edit lab): each lower-cased word (letters and
 * digits) maps to a fixed Gaussian vector derived from a hash of the word and the seed, plus a sinusoidal code of
 * its position; texts are cut or zero-padded to a fixed number of tokens, and the pooled vector is the mean of the
 * word tokens. It has no vocabulary to build and no weights to load, so any word gets a stable vector, and a
 * denoiser's {@code context_embedder} learns to read it the way Flux learns to read frozen T5 features.
 *
 * @since 0.1
 */
public final class WordHashTextEncoder implements TextEncoder {
  private final int tokens;
  private final int dim;
  private final long seed;

  /**
   * Creates the encoder.
   *
   * @param tokens tokens per text (longer texts are cut)
   * @param dim features per token
   * @param seed the seed of the word vectors
   */
  public WordHashTextEncoder(int tokens, int dim, long seed) {
    checkArgument(tokens > 0 && dim > 0, "tokens and dim must be positive, got %s and %s", tokens, dim);
    this.tokens = tokens;
    this.dim = dim;
    this.seed = seed;
  }

  @Override
  public String id() {
    return "word-hash(tokens=" + tokens + ", dim=" + dim + ", seed=" + seed + ")";
  }

  @Override
  public int dim() {
    return dim;
  }

  @Override
  public int tokens() {
    return tokens;
  }

  @Override
  public int pooledDim() {
    return dim;
  }

  /**
   * Returns the seed of the word vectors.
   *
   * @return the seed
   */
  public long seed() {
    return seed;
  }

  /**
   * Splits a text into lower-case words (runs of letters and digits).
   *
   * @param text the text
   * @return the words, in order
   */
  public static String[] words(String text) {
    String cleaned = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", " ").trim();
    return cleaned.isEmpty() ? new String[0] : cleaned.split(" ");
  }

  @Override
  public EncodedText encode(String text) {
    String[] w = words(text);
    int n = Math.min(tokens, w.length);
    float[] tok = new float[tokens * dim];
    float[] pooled = new float[dim];
    for (int k = 0; k < n; k++) {
      float[] e = SeededNoise.gaussian(seed ^ wordHash(w[k]), dim);
      for (int j = 0; j < dim; j++) {
        double freq = Math.pow(100.0, -(double) (j / 2 * 2) / dim);
        double pos = (j % 2 == 0) ? Math.sin((k + 1) * freq) : Math.cos((k + 1) * freq);
        float v = e[j] + (float) (0.5 * pos);
        tok[k * dim + j] = v;
        pooled[j] += v / n;
      }
    }
    return new EncodedText(tok, tokens, dim, pooled);
  }

  /** A 64-bit FNV-1a hash of the word's UTF-8 bytes. */
  static long wordHash(String word) {
    long h = 0xcbf29ce484222325L;
    for (byte b : word.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WordHashTextEncoder w && w.tokens == tokens && w.dim == dim && w.seed == seed;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(tokens, dim, seed);
  }

  @Override
  public String toString() {
    return id();
  }
}
