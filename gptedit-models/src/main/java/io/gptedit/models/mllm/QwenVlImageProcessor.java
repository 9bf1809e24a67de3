package io.gptedit.models.mllm;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.gptedit.core.image.RgbImage;
import io.gptedit.models.nn.WeightLoadException;
import java.nio.file.Path;

/**
 * Qwen2-VL / Qwen2.5-VL image preprocessing exactly as transformers' {@code Qwen2VLImageProcessor} (PIL backend):
 * "smart resize" to multiples of {@code patch * merge} (28) with the pixel count within {@code [minPixels,
 * maxPixels]}, Pillow's bicubic resize (bit-exact), rescale by 1/255, CLIP mean/std normalisation, 14-pixel
 * patches repeated over the temporal patch (2) and ordered by 2x2 merge blocks, plus {@code image_grid_thw}.
 *
 * <p>The class default of transformers is {@code max_pixels = 28 * 28 * 1280}; the released checkpoints'
 * {@code preprocessor_config.json} set 12,845,056 ({@link #RELEASED_MAX_PIXELS}), which {@link #released()} and
 * {@link #fromFile} use.
 *
 * @since 0.1
 */
public final class QwenVlImageProcessor {
  /** {@code min_pixels} of the released preprocessor configs (56 * 56). */
  public static final int RELEASED_MIN_PIXELS = 3136;
  /** {@code max_pixels} of the released preprocessor configs (16384 * 28 * 28). */
  public static final int RELEASED_MAX_PIXELS = 12_845_056;
  /** The largest aspect ratio smart resize accepts. */
  public static final int MAX_ASPECT = 200;
  private static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
  private static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

  private final int minPixels;
  private final int maxPixels;
  private final int patch;
  private final int temporalPatch;
  private final int merge;
  private final PixelNormalization norm;
  private final boolean fetchResize;

  private QwenVlImageProcessor(int minPixels, int maxPixels, int patch, int temporalPatch, int merge,
      PixelNormalization norm) {
    this(minPixels, maxPixels, patch, temporalPatch, merge, norm, false);
  }

  private QwenVlImageProcessor(int minPixels, int maxPixels, int patch, int temporalPatch, int merge,
      PixelNormalization norm, boolean fetchResize) {
    checkArgument(patch > 0 && temporalPatch > 0 && merge > 0, "patch sizes must be positive");
    checkArgument(minPixels > 0 && maxPixels >= minPixels, "need 0 < min_pixels <= max_pixels, got %s, %s",
        minPixels, maxPixels);
    this.minPixels = minPixels;
    this.maxPixels = maxPixels;
    this.patch = patch;
    this.temporalPatch = temporalPatch;
    this.merge = merge;
    this.norm = requireNonNull(norm, "norm");
    this.fetchResize = fetchResize;
  }

  /**
   * This processor behind qwen-vl-utils' {@code fetch_image}, as GPT-Image-Edit's CLI feeds images (its message
   * content carries {@code min_pixels = max_pixels = 448 * 448}): the image is first resized to qwen-vl-utils'
   * smart-resize size for this processor's bounds with Pillow's default filter (bicubic), then processed as usual,
   * which may resize it a second time (with equal bounds a first size below them is scaled up again).
   * qwen-vl-utils' rule differs from transformers' in one point: each rounded side is at least one factor before
   * the bounds apply. (Written from qwen-vl-utils' source; that package is not installable on this project's
   * machines, so the fixture reproduces its two lines, not the package.)
   *
   * @return the processor with the fetch step
   */
  public QwenVlImageProcessor withFetchResize() {
    return new QwenVlImageProcessor(minPixels, maxPixels, patch, temporalPatch, merge, norm, true);
  }

  /**
   * The size qwen-vl-utils' {@code fetch_image} resizes an image to under this processor's bounds.
   *
   * @param height the image height
   * @param width the image width
   * @return {@code {height, width}}
   * @throws IllegalArgumentException if a side is not positive or the aspect ratio exceeds 200
   */
  public int[] fetchedSize(int height, int width) {
    checkArgument(height > 0 && width > 0, "image sides must be positive, got %sx%s", width, height);
    checkArgument((double) Math.max(height, width) / Math.min(height, width) <= MAX_ASPECT,
        "absolute aspect ratio must be at most %s, got %sx%s", MAX_ASPECT, width, height);
    int factor = patch * merge;
    long hBar = Math.max(factor, Math.round(Math.rint((double) height / factor)) * factor);
    long wBar = Math.max(factor, Math.round(Math.rint((double) width / factor)) * factor);
    if (hBar * wBar > maxPixels) {
      double beta = Math.sqrt((double) height * width / maxPixels);
      hBar = (long) Math.floor(height / beta / factor) * factor;
      wBar = (long) Math.floor(width / beta / factor) * factor;
    } else if (hBar * wBar < minPixels) {
      double beta = Math.sqrt((double) minPixels / ((double) height * width));
      hBar = (long) Math.ceil(height * beta / factor) * factor;
      wBar = (long) Math.ceil(width * beta / factor) * factor;
    }
    checkArgument(hBar > 0 && wBar > 0, "qwen-vl-utils would resize %sx%s to nothing", width, height);
    return new int[] {Math.toIntExact(hBar), Math.toIntExact(wBar)};
  }

  /** The image after the fetch step (itself when there is none). */
  private RgbImage fetched(RgbImage image) {
    if (!fetchResize) {
      return image;
    }
    int[] s = fetchedSize(image.height(), image.width());
    return RgbImage.of(s[1], s[0], PilResize.resize(image, s[1], s[0], PilResize.Filter.BICUBIC));
  }

  /**
   * The released checkpoints' processor (min 3136, max 12,845,056 pixels, patch 14, temporal 2, merge 2).
   *
   * @return the processor
   */
  public static QwenVlImageProcessor released() {
    return withPixels(RELEASED_MIN_PIXELS, RELEASED_MAX_PIXELS);
  }

  /**
   * The released processor with other pixel bounds (UniWorld-style callers pass their own).
   *
   * @param minPixels the least pixel count after resizing
   * @param maxPixels the largest pixel count after resizing
   * @return the processor
   * @throws IllegalArgumentException if the bounds are not positive and ordered
   */
  public static QwenVlImageProcessor withPixels(int minPixels, int maxPixels) {
    return new QwenVlImageProcessor(minPixels, maxPixels, 14, 2, 2,
        new PixelNormalization(1.0 / 255, CLIP_MEAN, CLIP_STD));
  }

  /**
   * Reads a {@code preprocessor_config.json}: {@code min_pixels}/{@code max_pixels} (or
   * {@code size.shortest_edge}/{@code size.longest_edge}), patch sizes, rescale and normalisation.
   *
   * @param file the file
   * @return the processor
   * @throws WeightLoadException if the file is unreadable or a field is mistyped or unsupported
   */
  public static QwenVlImageProcessor fromFile(Path file) {
    PreprocessorJson j = PreprocessorJson.read(file);
    PreprocessorJson size = j.child("size");
    int min = j.integer("min_pixels", size != null ? size.integer("shortest_edge", RELEASED_MIN_PIXELS)
        : RELEASED_MIN_PIXELS);
    int max = j.integer("max_pixels", size != null ? size.integer("longest_edge", 28 * 28 * 1280) : 28 * 28 * 1280);
    if (!j.bool("do_resize", true)) {
      throw j.error("do_resize false is not supported");
    }
    if (j.integer("resample", 3) != 3) {
      throw j.error("resample " + j.integer("resample") + " is not supported (Qwen2-VL resizes bicubic, 3)");
    }
    try {
      return new QwenVlImageProcessor(min, max, j.integer("patch_size", 14), j.integer("temporal_patch_size", 2),
          j.integer("merge_size", 2), PixelNormalization.read(j, CLIP_MEAN, CLIP_STD));
    } catch (IllegalArgumentException e) {
      throw j.error(e.getMessage());
    }
  }

  /**
   * Returns the least pixel count.
   *
   * @return {@code min_pixels}
   */
  public int minPixels() {
    return minPixels;
  }

  /**
   * Returns the largest pixel count.
   *
   * @return {@code max_pixels}
   */
  public int maxPixels() {
    return maxPixels;
  }

  /**
   * Returns the spatial merge size.
   *
   * @return 2 for the released models
   */
  public int mergeSize() {
    return merge;
  }

  /**
   * The size an image is resized to (transformers' {@code smart_resize}): both sides multiples of
   * {@code patch * merge}, the pixel count within the bounds, the aspect ratio kept as closely as possible.
   *
   * @param height the image height
   * @param width the image width
   * @return {@code {height, width}} after resizing
   * @throws IllegalArgumentException if a side is not positive or the aspect ratio exceeds 200
   */
  public int[] resizedSize(int height, int width) {
    checkArgument(height > 0 && width > 0, "image sides must be positive, got %sx%s", width, height);
    checkArgument((double) Math.max(height, width) / Math.min(height, width) <= MAX_ASPECT,
        "absolute aspect ratio must be at most %s, got %sx%s", MAX_ASPECT, width, height);
    int factor = patch * merge;
    long hBar = Math.round(pythonRound((double) height / factor)) * factor;
    long wBar = Math.round(pythonRound((double) width / factor)) * factor;
    if (hBar * wBar > maxPixels) {
      double beta = Math.sqrt((double) height * width / maxPixels);
      hBar = Math.max(factor, (long) Math.floor(height / beta / factor) * factor);
      wBar = Math.max(factor, (long) Math.floor(width / beta / factor) * factor);
    } else if (hBar * wBar < minPixels) {
      double beta = Math.sqrt((double) minPixels / ((double) height * width));
      hBar = (long) Math.ceil(height * beta / factor) * factor;
      wBar = (long) Math.ceil(width * beta / factor) * factor;
    }
    return new int[] {Math.toIntExact(hBar), Math.toIntExact(wBar)};
  }

  /** Python's round(): halves go to the even neighbour. */
  private static double pythonRound(double x) {
    return Math.rint(x);
  }

  /**
   * The number of {@code <|image_pad|>} tokens an image of this size becomes.
   *
   * @param height the image height
   * @param width the image width
   * @return the image-token count
   */
  public int imageTokens(int height, int width) {
    int[] f = fetchResize ? fetchedSize(height, width) : new int[] {height, width};
    int[] s = resizedSize(f[0], f[1]);
    return (s[0] / patch) * (s[1] / patch) / (merge * merge);
  }

  /**
   * Resizes an image as the processor does (Pillow bicubic to {@link #resizedSize}).
   *
   * @param image the image
   * @return interleaved RGB bytes of the resized image
   */
  byte[] resized(RgbImage image) {
    image = fetched(image);
    int[] s = resizedSize(image.height(), image.width());
    return PilResize.resize(image, s[1], s[0], PilResize.Filter.BICUBIC);
  }

  /**
   * Preprocesses one image.
   *
   * @param image the image
   * @return its {@code pixel_values} and {@code image_grid_thw}
   * @throws IllegalArgumentException if its aspect ratio exceeds 200
   */
  public QwenVlPixels preprocess(RgbImage image) {
    requireNonNull(image, "image");
    image = fetched(image);
    int[] s = resizedSize(image.height(), image.width());
    return patchify(PilResize.resize(image, s[1], s[0], PilResize.Filter.BICUBIC), s[0], s[1]);
  }

  /** Normalises and patchifies an already resized image. */
  QwenVlPixels patchify(byte[] rgb, int height, int width) {
    float[] chw = norm.chw(rgb, width, height);
    int gh = height / patch;
    int gw = width / patch;
    int pp = patch * patch;
    int dim = 3 * temporalPatch * pp;
    float[] out = new float[gh * gw * dim];
    int n = height * width;
    int row = 0;
    for (int bh = 0; bh < gh / merge; bh++) {
      for (int bw = 0; bw < gw / merge; bw++) {
        for (int mh = 0; mh < merge; mh++) {
          for (int mw = 0; mw < merge; mw++) {
            int y0 = (bh * merge + mh) * patch;
            int x0 = (bw * merge + mw) * patch;
            int base = row * dim;
            for (int c = 0; c < 3; c++) {
              for (int t = 0; t < temporalPatch; t++) {
                int o = base + (c * temporalPatch + t) * pp;
                for (int y = 0; y < patch; y++) {
                  System.arraycopy(chw, c * n + (y0 + y) * width + x0, out, o + y * patch, patch);
                }
              }
            }
            row++;
          }
        }
      }
    }
    return new QwenVlPixels(out, dim, 1, gh, gw, merge);
  }
}
