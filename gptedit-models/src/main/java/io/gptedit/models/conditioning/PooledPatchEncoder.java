package io.gptedit.models.conditioning;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.flow.SeededNoise;

/**
 * A tiny frozen vision encoder for tiny configs of the SigLIP-token paradigm (tests and the edit lab), in the role
 * SigLIP plays at full scale: the image is average-pooled onto a {@code 2g x 2g} grid (adaptive pooling, as
 * PyTorch's {@code AdaptiveAvgPool2d}), each of the {@code g x g} tokens takes the 2x2 pooled cells under it (12
 * numbers) through a fixed random {@code Linear -> GELU(tanh)} to {@code dim} features, plus a sinusoidal code of
 * its grid row and column (SigLIP's tokens carry their position in their features). So it sees the image at low
 * resolution through a few, not pixel-aligned, tokens. Its weights derive from a seed: deterministic, nothing to
 * load, never trained.
 *
 * @since 0.1
 */
public final class PooledPatchEncoder implements ImageFeatures {
  private static final int IN = 12;
  private final int grid;
  private final int dim;
  private final long seed;
  private final float[] weight;
  private final float[] bias;

  /**
   * Creates the encoder.
   *
   * @param grid tokens per side ({@code grid x grid} tokens)
   * @param dim features per token, a positive multiple of 4
   * @param seed the seed of the fixed weights
   */
  public PooledPatchEncoder(int grid, int dim, long seed) {
    checkArgument(grid > 0, "grid must be positive, got %s", grid);
    checkArgument(dim > 0 && dim % 4 == 0, "dim must be a positive multiple of 4, got %s", dim);
    this.grid = grid;
    this.dim = dim;
    this.seed = seed;
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

  /**
   * Returns tokens per side.
   *
   * @return the grid side
   */
  public int grid() {
    return grid;
  }

  /**
   * Returns features per token.
   *
   * @return the feature width
   */
  public int dim() {
    return dim;
  }

  /**
   * Returns the seed of the fixed weights.
   *
   * @return the seed
   */
  public long seed() {
    return seed;
  }

  /**
   * Returns the number of tokens per image.
   *
   * @return {@code grid * grid}
   */
  public int tokens() {
    return grid * grid;
  }

  @Override
  public NDArray features(RgbImage image, NDManager manager) {
    return manager.create(encode(image), new Shape(1, tokens(), dim));
  }

  /**
   * Encodes one image.
   *
   * @param image the image (at least {@code 2 grid} pixels on each side is useful; smaller images repeat pixels)
   * @return {@code tokens() x dim()} features, token after token (row-major over the grid)
   */
  public float[] encode(RgbImage image) {
    int w = image.width();
    int h = image.height();
    byte[] rgb = image.copyRgb();
    int cells = 2 * grid;
    float[] pooled = new float[3 * cells * cells];
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < cells; i++) {
        int y0 = i * h / cells;
        int y1 = Math.max(y0 + 1, -Math.floorDiv(-(i + 1) * h, cells));
        for (int j = 0; j < cells; j++) {
          int x0 = j * w / cells;
          int x1 = Math.max(x0 + 1, -Math.floorDiv(-(j + 1) * w, cells));
          double sum = 0;
          for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
              sum += (rgb[(y * w + x) * 3 + c] & 0xFF) / 127.5f - 1f;
            }
          }
          pooled[(c * cells + i) * cells + j] = (float) (sum / ((y1 - y0) * (x1 - x0)));
        }
      }
    }
    float[] out = new float[grid * grid * dim];
    float[] in = new float[IN];
    for (int r = 0; r < grid; r++) {
      for (int q = 0; q < grid; q++) {
        int k = 0;
        for (int c = 0; c < 3; c++) {
          for (int dy = 0; dy < 2; dy++) {
            for (int dx = 0; dx < 2; dx++) {
              in[k++] = pooled[(c * cells + 2 * r + dy) * cells + 2 * q + dx];
            }
          }
        }
        int t = r * grid + q;
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

  @Override
  public boolean equals(Object o) {
    return o instanceof PooledPatchEncoder e && e.grid == grid && e.dim == dim && e.seed == seed;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(grid, dim, seed);
  }

  @Override
  public String toString() {
    return "pooled-patch(grid=" + grid + ", dim=" + dim + ", seed=" + seed + ")";
  }
}
