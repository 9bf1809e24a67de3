package io.gptedit.examples.lab;

import io.gptedit.models.flow.SeededNoise;

/**
 * A tiny frozen SigLIP stand-in: the image is average-pooled onto a {@code 2g x 2g} grid (adaptive pooling, as
 * PyTorch's {@code AdaptiveAvgPool2d}), each of the {@code g x g} tokens takes the 2x2 pooled cells under it (12
 * numbers), maps them through a fixed random {@code Linear -> GELU} to {@code dim} features, and adds a fixed
 * sinusoidal code of its grid row and column (SigLIP's tokens carry their position in their features; in the text
 * stream they get no RoPE position). The result is a few semantic-ish tokens at a quarter of the pixel tokens'
 * count and half their resolution, not pixel-aligned condition tokens.
 *
 * <p>Frozen, as SigLIP is in UniWorld and in the paper's token-wise variant: only the projector after it trains.
 * Its weights are derived from a seed, so it is deterministic and needs no checkpoint.
 */
final class TinyVisionEncoder {
  /** Tokens per side: {@code GRID x GRID} tokens. */
  static final int GRID = 4;

  private static final int IN = 12;
  private final int dim;
  private final float[] weight;
  private final float[] bias;

  TinyVisionEncoder(int dim, long seed) {
    if (dim <= 0 || dim % 4 != 0) {
      throw new IllegalArgumentException("dim must be a positive multiple of 4, got " + dim);
    }
    this.dim = dim;
    float[] w = SeededNoise.gaussian(seed, dim * IN);
    for (int i = 0; i < w.length; i++) {
      w[i] /= (float) Math.sqrt(IN);
    }
    this.weight = w;
    float[] b = SeededNoise.gaussian(seed ^ 0xB1A5L, dim);
    for (int i = 0; i < b.length; i++) {
      b[i] *= 0.1f;
    }
    this.bias = b;
  }

  int dim() {
    return dim;
  }

  int tokens() {
    return GRID * GRID;
  }

  /**
   * Encodes one image.
   *
   * @param chw the image as CHW floats in [-1, 1]
   * @param side the image side
   * @return {@code tokens() x dim()} features, token after token (row-major over the grid)
   */
  float[] encode(float[] chw, int side) {
    if (chw.length != 3 * side * side) {
      throw new IllegalArgumentException(chw.length + " values are not a 3x" + side + "x" + side + " image");
    }
    int cells = 2 * GRID;
    float[] pooled = new float[3 * cells * cells];
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < cells; i++) {
        int y0 = i * side / cells;
        int y1 = Math.max(y0 + 1, -Math.floorDiv(-(i + 1) * side, cells));
        for (int j = 0; j < cells; j++) {
          int x0 = j * side / cells;
          int x1 = Math.max(x0 + 1, -Math.floorDiv(-(j + 1) * side, cells));
          double sum = 0;
          for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
              sum += chw[c * side * side + y * side + x];
            }
          }
          pooled[(c * cells + i) * cells + j] = (float) (sum / ((y1 - y0) * (x1 - x0)));
        }
      }
    }
    float[] out = new float[GRID * GRID * dim];
    float[] in = new float[IN];
    for (int r = 0; r < GRID; r++) {
      for (int q = 0; q < GRID; q++) {
        int k = 0;
        for (int c = 0; c < 3; c++) {
          for (int dy = 0; dy < 2; dy++) {
            for (int dx = 0; dx < 2; dx++) {
              in[k++] = pooled[(c * cells + 2 * r + dy) * cells + 2 * q + dx];
            }
          }
        }
        int t = r * GRID + q;
        for (int o = 0; o < dim; o++) {
          double a = bias[o];
          for (int i = 0; i < IN; i++) {
            a += weight[o * IN + i] * in[i];
          }
          out[t * dim + o] = (float) (gelu(a) + 0.5 * position(r, q, o));
        }
      }
    }
    return out;
  }

  /** A 2-D sinusoidal code: the first half of the features encodes the row, the second half the column. */
  private double position(int row, int col, int feature) {
    int half = dim / 2;
    int p = feature < half ? row : col;
    int j = feature % half;
    double freq = Math.pow(100.0, -(double) (j / 2 * 2) / half);
    return (j % 2 == 0) ? Math.sin((p + 1) * freq) : Math.cos((p + 1) * freq);
  }

  private static double gelu(double x) {
    return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
  }
}
