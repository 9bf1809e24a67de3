package io.gptedit.examples.lab;

import io.gptedit.models.flow.SeededNoise;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A tiny frozen T5-style text encoder: each lower-cased word maps to a fixed Gaussian embedding derived from a
 * hash of the word (so no vocabulary has to be built and any word gets a vector), plus a sinusoidal position
 * code. It has no trainable weights; the editor's {@code context_embedder} learns to read it, as Flux learns to
 * read frozen T5 features. Outputs are plain arrays, so the lab computes them once per sample and caches them.
 */
final class TinyTextEncoder {
  private final int tokens;
  private final int dim;
  private final long seed;

  TinyTextEncoder(int tokens, int dim, long seed) {
    if (tokens <= 0 || dim <= 0) {
      throw new IllegalArgumentException("tokens and dim must be positive, got " + tokens + " and " + dim);
    }
    this.tokens = tokens;
    this.dim = dim;
    this.seed = seed;
  }

  int tokens() {
    return tokens;
  }

  int dim() {
    return dim;
  }

  /** Splits an instruction into lower-case words (letters and digits). */
  static String[] words(String text) {
    String cleaned = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", " ").trim();
    return cleaned.isEmpty() ? new String[0] : cleaned.split(" ");
  }

  /**
   * Encodes one instruction.
   *
   * @return {@code [0]} the token features (tokens x dim, zero-padded) and {@code [1]} the pooled mean (dim)
   */
  float[][] encode(String text) {
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
    return new float[][] {tok, pooled};
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
}
