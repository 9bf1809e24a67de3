package io.gptedit.models.text;

/**
 * Hyper-parameters of a T5 v1.1 encoder.
 *
 * @param vocab vocabulary size
 * @param dModel model width
 * @param dKv channels per head
 * @param heads attention heads
 * @param dFf gated-GELU hidden width
 * @param layers encoder blocks
 * @param buckets relative position buckets
 * @param maxDistance relative distance where buckets stop growing
 */
public record T5Config(int vocab, int dModel, int dKv, int heads, int dFf, int layers, int buckets, int maxDistance) {
  /** RMS LayerNorm epsilon. */
  public static final float EPS = 1e-6f;

  /** Validates the config. */
  public T5Config {
    if (vocab <= 0 || dModel <= 0 || dKv <= 0 || heads <= 0 || dFf <= 0 || layers <= 0 || buckets < 4) {
      throw new IllegalArgumentException("T5 sizes must be positive (buckets >= 4)");
    }
  }

  /**
   * T5-XXL v1.1 encoder (Flux's text encoder): d_model 4096, 24 layers, 64 heads x 64, FFN 10240.
   *
   * @return the preset
   */
  public static T5Config xxl() {
    return new T5Config(32128, 4096, 64, 64, 10240, 24, 32, 128);
  }

  /**
   * A tiny encoder for tests: 2 layers, d_model 32, 4 heads x 8, byte-level vocabulary.
   *
   * @return the preset
   */
  public static T5Config tiny() {
    return new T5Config(ByteTokenizer.VOCAB, 32, 8, 4, 64, 2, 32, 128);
  }
}
